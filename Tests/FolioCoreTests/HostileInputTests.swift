import FolioModel
import FolioTemplate
import Foundation
import Testing
@testable import FolioCore

/// Hostile files finish quickly with an error naming the limit, never a hang or gigabytes:
/// YAML aliases that expand to billions of nodes, sections nested thousands deep, hundreds
/// of thousands of tags, partials that include each other twice over, bytes that are not
/// UTF-8 and symbolic links out of the repository.
struct HostileInputTests {
    /// Nine levels of nine aliases each: 9^9 (387 million) strings once expanded.
    static let laughs: String = {
        var lines = ["lol0: &lol0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
        for level in 1...8 {
            lines.append("lol\(level): &lol\(level) [" + Array(repeating: "*lol\(level - 1)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n")
    }()

    func lint(prompts: [String: String] = [:], partials: [String: String] = [:]) -> [String] {
        var files = Workspace.Files()
        files.config = "schema: folio/config@1\n"
        files.prompts = Dictionary(uniqueKeysWithValues: prompts.map { ("prompts/\($0.key).yaml", $0.value) })
        files.partials = Dictionary(uniqueKeysWithValues: partials.map { ("prompts/partials/\($0.key).yaml", $0.value) })
        return Workspace(files: files).diagnostics.map(\.description)
    }

    func seconds(_ work: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try work()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test func aBillionLaughsInAVariableDefaultStopsAtTheNodeLimit() {
        let prompt = """
            schema: folio/prompt@1
            name: laughs
            \(Self.laughs.split(separator: "\n").map { "x-\($0)" }.joined(separator: "\n"))
            """
        // The anchors sit under unknown keys here; put them where a default would be read.
        let inDefault = """
            schema: folio/prompt@1
            name: laughs
            variables:
              items:
                type: list
                default:
            \(Self.laughs.split(separator: "\n").enumerated().map { "      - \($0.element.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces))" }.joined(separator: "\n"))
            messages:
              - role: user
                content: "{{#items}}x{{/items}}"
            """
        for text in [prompt, inDefault] {
            var diagnostics: [String] = []
            let elapsed = seconds { diagnostics = lint(prompts: ["laughs": text]) }
            #expect(diagnostics.contains { $0.contains("expands to more than \(Limits.yamlNodes) YAML nodes") }, "\(diagnostics)")
            #expect(elapsed < 10, "took \(elapsed) s")
        }
    }

    @Test func aBillionLaughsInAVariablesFileIsRefused() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("laughs-\(UUID()).yaml")
        try Data((Self.laughs + "\nticket_text: *lol8\n").utf8).write(to: url)
        #expect {
            try VariablesFile.load(url.path)
        } throws: { error in
            "\(error)".contains("expands to more than \(Limits.yamlNodes) YAML nodes")
        }
    }

    @Test func deeplyNestedSectionsStopAtTheNestingLimit() throws {
        let depth = 16_000
        let source = (0..<depth).map { "{{#s\($0)}}" }.joined() + (0..<depth).reversed().map { "{{/s\($0)}}" }.joined()
        var failure: TemplateSyntaxError?
        let elapsed = seconds {
            do { _ = try Template(source) } catch { failure = error as? TemplateSyntaxError }
        }
        #expect(failure?.message.contains("sections nest more than \(Limits.templateNesting) deep") == true, "\(String(describing: failure))")
        #expect(elapsed < 5, "took \(elapsed) s")
        // Up to the limit is fine.
        let deep = (0..<Limits.templateNesting).map { "{{#s\($0)}}" }.joined() + "x" + (0..<Limits.templateNesting).reversed().map { "{{/s\($0)}}" }.joined()
        #expect(throws: Never.self) { try Template(deep) }
    }

    @Test func manyTagsParseInLinearTime() throws {
        // On one line and on many: positions are counted once, not from the start per tag.
        for separator in ["", "\n"] {
            let source = (0..<200_000).map { _ in "{{a}}" }.joined(separator: separator)
            var template: Template?
            let elapsed = try seconds { template = try Template(source) }
            #expect(template?.references.count == 200_000)
            #expect(template?.references.last?.name.line == (separator.isEmpty ? 1 : 200_000))
            #expect(template?.references.last?.name.column == (separator.isEmpty ? 999_996 : 1))
            #expect(elapsed < 10, "took \(elapsed) s")
        }
    }

    @Test func partialsThatMultiplyAreReportedByLintAndStoppedByRender() throws {
        // p0 includes p1 twice, p1 includes p2 twice, … : 2^24 inclusions.
        var partials: [String: String] = [:]
        for level in 0..<24 {
            partials["p\(level)"] = "schema: folio/partial@1\nname: p\(level)\ncontent: \"x{{> p\(level + 1)}}{{> p\(level + 1)}}\"\n"
        }
        partials["p24"] = "schema: folio/partial@1\nname: p24\ncontent: \"x\"\n"
        let prompt = "schema: folio/prompt@1\nname: fan\nmessages:\n  - role: user\n    content: \"{{> p0}}\"\n"
        let diagnostics = lint(prompts: ["fan": prompt], partials: partials)
        #expect(diagnostics.contains { $0.hasPrefix("prompts/fan.yaml:5:14: error: message 1 would include partials 33554431 times, more than the \(Limits.partialExpansions)") }, "\(diagnostics)")

        let sources = Dictionary(
            uniqueKeysWithValues: (0...24).map { level in
                ("p\(level)", level == 24 ? "x" : "x{{> p\(level + 1)}}{{> p\(level + 1)}}")
            })
        var failure: TemplateRenderError?
        let elapsed = seconds {
            do { _ = try Template("{{> p0}}").render(.object([:]), partials: sources) } catch { failure = error as? TemplateRenderError }
        }
        #expect(failure?.message.contains("partials were included more than \(Limits.partialExpansions) times") == true, "\(String(describing: failure))")
        #expect(elapsed < 5)
    }

    @Test func renderedTextIsCapped() throws {
        let big = String(repeating: "x", count: 1 << 20)
        let items = JSONValue.array(Array(repeating: .string(big), count: 20))
        #expect {
            try Template("{{#items}}{{.}}{{/items}}").render(.object(["items": items]))
        } throws: { error in
            "\(error)".contains("larger than \(Limits.renderedBytes) bytes")
        }
    }

    @Test func aPromptRenderRefusesAnUnknownPartial() throws {
        let prompt = Prompt(name: "p", messages: [PromptMessage(role: "user", content: "a{{> missing}}b")])
        let compiled = try CompiledPrompt(prompt, version: "v1", partials: [:])
        #expect {
            try compiled.render([:])
        } throws: { error in
            "\(error)".contains("unknown partial 'missing'") && "\(error)".contains("prompt 'p' v1")
        }
        // The specification's own rule (a missing partial is empty) still holds for plain templates.
        #expect(try Template("a{{> missing}}b").render(.object([:])) == "ab")
    }

    @Test func aPromptWhosePartialDoesNotParseFailsLint() {
        let prompt = "schema: folio/prompt@1\nname: uses\nmessages:\n  - role: user\n    content: \"{{> broken}}\"\n"
        let broken = "schema: folio/partial@1\nname: broken\ncontent: \"{{#a}} unclosed\"\n"
        let diagnostics = lint(prompts: ["uses": prompt], partials: ["broken": broken])
        #expect(diagnostics.contains { $0.hasPrefix("prompts/uses.yaml:5:14: error: partial 'broken' has errors, so prompt 'uses' cannot render: prompts/partials/broken.yaml:3:") }, "\(diagnostics)")
        #expect(PromptRepository.publishProblems(name: "uses", text: prompt, partialFiles: ["prompts/partials/broken.yaml": broken]).count == 1)
    }

    @Test func bytesThatAreNotUTF8AreAnErrorWithTheirPosition() {
        var bytes = Array("schema: folio/prompt@1\nname: x\ndescription: caf".utf8)
        bytes += [0xE9, 0x20]  // Latin-1 é
        bytes += Array(" ok\n".utf8)
        var files = Workspace.Files()
        #expect(files.decode(Data(bytes), path: "prompts/x.yaml") == nil)
        #expect(files.problems.map(\.description) == ["prompts/x.yaml:3:17: error: byte 0xE9 is not UTF-8 text: save the file as UTF-8"])
        #expect(UTF8Text.firstInvalidByte(Array("héllo €𝄞".utf8)) == nil)
        #expect(UTF8Text.firstInvalidByte([0x61, 0xC0, 0x80]) == 1)  // overlong
        #expect(UTF8Text.firstInvalidByte([0xED, 0xA0, 0x80]) == 0)  // a surrogate
        #expect(UTF8Text.firstInvalidByte([0x61, 0xF0, 0x9F]) == 1)  // cut short
    }

    @Test func symbolicLinksInTheRepositoryAreReportedAndNeverRead() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("folio-links-\(UUID())")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("prompts"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("goldensets/x"), withIntermediateDirectories: true)
        let secret = root.appendingPathComponent("secret.env")
        try Data("OPENAI_API_KEY=sk-live-ABCDEFGHIJKLMNOPQ\n".utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("prompts/leak.yaml"), withDestinationURL: secret)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("goldensets/x/leak.yaml"), withDestinationURL: secret)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("goldensets/elsewhere"), withDestinationURL: root)
        let diagnostics = Workspace(files: try .workingTree(at: root)).diagnostics.map(\.description)
        #expect(
            diagnostics.contains(
                "prompts/leak.yaml:1:1: error: prompts/leak.yaml is a symbolic link: Folio never follows links in a prompt repository (one could point anywhere); commit the file itself"),
            "\(diagnostics)")
        #expect(diagnostics.contains { $0.hasPrefix("goldensets/x/leak.yaml:1:1: error: goldensets/x/leak.yaml is a symbolic link") })
        #expect(diagnostics.contains { $0.hasPrefix("goldensets/elsewhere:1:1: error: goldensets/elsewhere is a symbolic link") })
        #expect(!diagnostics.joined().contains("sk-live"))
    }
}
