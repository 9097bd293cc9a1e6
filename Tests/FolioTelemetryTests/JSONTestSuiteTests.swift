import Foundation
import FolioTestSupport
import Testing
@testable import FolioTelemetry

/// `JSONNode` against JSONTestSuite's parsing cases (vendored in
/// `Tests/Fixtures/JSONTestSuite`, with its licence and source): every `y_` file parses,
/// every `n_` file is refused, and an `i_` file (either is allowed) never crashes.
struct JSONTestSuiteTests {
    static let folder = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/JSONTestSuite/test_parsing")

    static func cases(_ prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    static func parses(_ name: String) throws -> Bool {
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        do {
            _ = try JSONNode.parse(data)
            return true
        } catch is JSONNode.SyntaxError {
            return false
        }
    }

    @Test func acceptsEveryValidDocument() throws {
        let cases = try Self.cases("y_")
        #expect(cases.count == 95)
        let refused = try cases.filter { try !Self.parses($0) }
        #expect(refused.isEmpty, "refused: \(refused)")
    }

    @Test func refusesEveryInvalidDocument() throws {
        let cases = try Self.cases("n_")
        #expect(cases.count == 188)
        let accepted = try cases.filter { try Self.parses($0) }
        #expect(accepted.isEmpty, "accepted: \(accepted)")
    }

    @Test func implementationDefinedDocumentsEndEitherWay() throws {
        let cases = try Self.cases("i_")
        #expect(cases.count == 35)
        for name in cases { _ = try Self.parses(name) }
    }
}
