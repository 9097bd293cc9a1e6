import Foundation
import FolioModel
import Testing
@testable import FolioTemplate

/// The Mustache specification's own test suite (vendored in `conformance/mustache-spec`
/// with its licence, so a clone alone runs it), in the spec's HTML-escaping mode.
struct MustacheSpecTests {
    struct SpecCase: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let data: JSONValue
        let template: String
        let partials: [String: String]?
        let expected: String
        var file = ""

        var testDescription: String { "\(file): \(name)" }

        enum CodingKeys: String, CodingKey { case name, data, template, partials, expected }
    }

    struct SpecFile: Decodable {
        let tests: [SpecCase]
    }

    static let specFolder: URL = {
        // Tests/FolioTemplateTests/<this file> → the package root → conformance/
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("conformance/mustache-spec")
    }()

    static let modules = ["comments", "delimiters", "interpolation", "inverted", "partials", "sections"]

    static func cases() throws -> [SpecCase] {
        try modules.flatMap { module -> [SpecCase] in
            let data = try Data(contentsOf: specFolder.appendingPathComponent("\(module).json"))
            return try JSONDecoder().decode(SpecFile.self, from: data).tests.map {
                var copy = $0
                copy.file = module
                return copy
            }
        }
    }

    @Test func theWholeSuiteIsPresent() throws {
        // 12 + 14 + 42 + 22 + 12 + 34 cases in the pinned spec revision.
        #expect(try Self.cases().count == 136)
    }

    @Test(arguments: try cases())
    func specCase(_ spec: SpecCase) throws {
        let template = try Template(spec.template)
        let output = try template.render(spec.data, escape: .html, partials: spec.partials ?? [:])
        #expect(output == spec.expected, "\(spec.file): \(spec.name)")
    }
}
