import Foundation
import FolioModel
import FolioTemplate
import Testing
@testable import FolioClient

/// The conformance suite (`conformance/`): the same data the Python SDK runs, so both
/// clients give the same renders, the same errors and the same trust decisions.
struct ConformanceTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("conformance")

    struct RenderCase: Decodable, CustomTestStringConvertible, Sendable {
        struct Failure: Decodable, Sendable {
            let kind: String
            let mentions: [String]
        }

        let name: String
        let prompt: ManifestPrompt
        let variables: [String: JSONValue]
        let allowUnknown: Bool?
        let expected: [RenderedMessage]?
        let error: Failure?

        var testDescription: String { name }

        enum CodingKeys: String, CodingKey {
            case name, prompt, variables, expected, error
            case allowUnknown = "allow_unknown"
        }
    }

    struct TrustCase: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let manifest: String
        let signature: String
        let publicKeys: [String]
        let highestSeen: Int
        let expect: String

        var testDescription: String { name }

        enum CodingKeys: String, CodingKey {
            case name, manifest, signature, expect
            case publicKeys = "public_keys"
            case highestSeen = "highest_seen"
        }
    }

    struct Suite<Case: Decodable>: Decodable {
        let cases: [Case]
    }

    static func load<Case: Decodable>(_ file: String) throws -> [Case] {
        try JSONDecoder.folio.decode(Suite<Case>.self, from: Data(contentsOf: folder.appendingPathComponent(file))).cases
    }

    static func kind(_ kind: PromptRenderError.Kind) -> String {
        switch kind {
        case .missingVariable: return "missing_variable"
        case .unknownVariable: return "unknown_variable"
        case .invalidValue: return "invalid_value"
        case .template: return "template"
        }
    }

    @Test(arguments: try load("render.json") as [RenderCase])
    func render(_ test: RenderCase) throws {
        do {
            let compiled = try CompiledPrompt(test.prompt.prompt, version: "v\(test.prompt.version)", partials: test.prompt.partials)
            let messages = try compiled.render(test.variables, allowUnknown: test.allowUnknown ?? false)
            #expect(test.error == nil, "rendered \(messages) where an error was expected")
            #expect(messages == test.expected)
        } catch {
            let failure = try #require(test.error, "\(error)")
            #expect(Self.kind(error.kind) == failure.kind)
            for text in failure.mentions { #expect(error.message.contains(text), "\(error.message) should mention \(text)") }
        }
    }

    @Test(arguments: try load("trust.json") as [TrustCase])
    func trust(_ test: TrustCase) throws {
        let verifier = try ManifestVerifier(publicKeys: test.publicKeys)
        do {
            let manifest = try verifier.check(Data(test.manifest.utf8), signature: Data(test.signature.utf8), highestSeen: test.highestSeen, now: Date(), source: "the suite")
            #expect(test.expect == "accept", "accepted version \(manifest.version)")
        } catch {
            #expect(ManifestVerifier.refusal(error).rawValue == test.expect, "\(error)")
        }
    }

    @Test func theSuiteIsThere() throws {
        #expect(try (Self.load("render.json") as [RenderCase]).count >= 20)
        #expect(try (Self.load("trust.json") as [TrustCase]).count >= 10)
    }
}
