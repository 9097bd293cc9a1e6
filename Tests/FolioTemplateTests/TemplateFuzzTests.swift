import FolioModel
import FolioTestSupport
import Testing
@testable import FolioTemplate

/// Random and mutated templates: the parser and renderer end in a result or an error,
/// never a crash, and no input is slow.
struct TemplateFuzzTests {
    static let seeds = [
        "Hello {{name}}!", "{{#items}}- {{.}}\n{{/items}}", "{{^empty}}none{{/empty}}", "{{! comment }}x",
        "{{=<% %>=}}<% a %><%={{ }}=%>{{b}}", "  {{#a}}\n  {{> p}}\n  {{/a}}\n", "{{{raw}}} {{&amp}} {{a.b.c}}",
        "You classify tickets.\nType: {{ticket_type}}\n{{#note}}Note: {{note}}{{/note}}",
    ].map { Array($0.utf8) }

    @Test func parsingAndRenderingRandomTemplatesNeverCrashesOrHangs() {
        var fuzzer = Fuzzer(seed: 0x7E3A, tokens: ["{{", "}}", "{{#", "{{/", "{{^", "{{>", "{{!", "{{=", "=}}", "{{{", "}}}", "{{&", ".", "\n", " ", "a", "p", "items"])
        let context = JSONValue.object(["a": .bool(true), "items": .array([.string("x"), .object(["a": .number(1)])]), "name": .string("n")])
        let partials = ["p": "{{#a}}{{> p}}{{/a}}", "a": "x{{> p}}{{> p}}"]
        let outcome = fuzzer.run(40_000, seeds: Self.seeds) { bytes in
            guard let template = try? Template(String(decoding: bytes, as: UTF8.self)) else { return }
            _ = template.references
            _ = template.partialUses
            _ = try? template.render(context, escape: .html, partials: partials)
            _ = try? template.render(context, partials: partials, strictPartials: true)
        }
        #expect(outcome.iterations >= 40_000)
        #expect(outcome.slowest < .seconds(1), "slowest input: \(String(decoding: outcome.slowestInput, as: UTF8.self).debugDescription)")
    }
}
