import FolioModel
import Testing
@testable import FolioTemplate

struct PromptRendererTests {
    let prompt = Prompt(
        name: "triage",
        variables: [
            PromptVariable(name: "ticket_text", required: true),
            PromptVariable(name: "ticket_type", enumValues: ["email", "chat", "web"], defaultValue: .string("email")),
            PromptVariable(name: "priority", type: .integer),
            PromptVariable(name: "vip", type: .boolean),
            PromptVariable(name: "tags", type: .list),
        ],
        messages: [
            PromptMessage(role: "system", content: "Type: {{ticket_type}}{{#vip}} (VIP){{/vip}}{{#priority}} P{{priority}}{{/priority}}{{#tags}} #{{.}}{{/tags}}"),
            PromptMessage(role: "user", content: "{{ticket_text}}"),
        ]
    )

    @Test func rendersTextWithoutEscapingAndAppliesDefaults() throws {
        let compiled = try CompiledPrompt(prompt, version: "v2")
        let messages = try compiled.render(["ticket_text": .string("Refund <now> & \"fast\"")])
        #expect(
            messages == [
                RenderedMessage(role: "system", content: "Type: email"),
                RenderedMessage(role: "user", content: "Refund <now> & \"fast\""),
            ])
    }

    @Test func substitutesValuesInOnePass() throws {
        let compiled = try CompiledPrompt(prompt, version: "v2")
        let messages = try compiled.render(["ticket_text": .string("{{ticket_type}} {{#vip}}x{{/vip}}")])
        #expect(messages[1].content == "{{ticket_type}} {{#vip}}x{{/vip}}")
    }

    @Test func coercesCommandLineTextToDeclaredTypes() throws {
        let compiled = try CompiledPrompt(prompt, version: "v2")
        let messages = try compiled.render([
            "ticket_text": .string("hi"), "vip": .string("true"), "priority": .string("2"),
            "tags": .array([.string("a"), .string("b")]),
        ])
        #expect(messages[0].content == "Type: email (VIP) P2 #a #b")
    }

    @Test func aMissingRequiredVariableNamesPromptVersionAndVariable() throws {
        let compiled = try CompiledPrompt(prompt, version: "v2")
        let error = #expect(throws: PromptRenderError.self) { try compiled.render([:]) }
        #expect(error?.kind == .missingVariable)
        #expect(error?.message == "prompt 'triage' v2: missing required variable 'ticket_text'")
    }

    @Test func anUnknownVariableIsAnErrorUnlessAllowed() throws {
        let compiled = try CompiledPrompt(prompt, version: "draft")
        let error = #expect(throws: PromptRenderError.self) { try compiled.render(["ticket_text": .string("x"), "tone": .string("calm")]) }
        #expect(error?.message == "prompt 'triage' draft: unknown variable 'tone': it declares ticket_text, ticket_type, priority, vip, tags")
        #expect(try compiled.render(["ticket_text": .string("x"), "tone": .string("calm")], allowUnknown: true).count == 2)
    }

    @Test func enumAndTypeAreChecked() throws {
        let compiled = try CompiledPrompt(prompt, version: "v3")
        let enumError = #expect(throws: PromptRenderError.self) { try compiled.render(["ticket_text": .string("x"), "ticket_type": .string("fax")]) }
        #expect(enumError?.kind == .invalidValue)
        #expect(enumError?.message == "prompt 'triage' v3: variable 'ticket_type': 'fax' is not one of email, chat, web")
        let typeError = #expect(throws: PromptRenderError.self) { try compiled.render(["ticket_text": .string("x"), "priority": .string("high")]) }
        #expect(typeError?.message == "prompt 'triage' v3: variable 'priority': expected type integer, found the text 'high'")
        let fraction = #expect(throws: PromptRenderError.self) { try compiled.render(["ticket_text": .string("x"), "priority": .number(1.5)]) }
        #expect(fraction?.variable == "priority")
    }

    @Test func partialsRenderInTextMode() throws {
        let withPartial = Prompt(name: "p", variables: [PromptVariable(name: "name")], messages: [PromptMessage(role: "system", content: "{{> tone}}\nHello {{name}}")])
        let compiled = try CompiledPrompt(withPartial, version: "v1", partials: ["tone": "Be kind & brief, {{name}}.\n"])
        #expect(try compiled.render(["name": .string("A&B")])[0].content == "Be kind & brief, A&B.\nHello A&B")
    }

    @Test func aTemplateSyntaxErrorNamesThePromptAndPosition() {
        let broken = Prompt(name: "broken", messages: [PromptMessage(role: "user", content: "line\n{{#open}} never closed")])
        let error = #expect(throws: PromptRenderError.self) { try CompiledPrompt(broken, version: "v1") }
        #expect(error?.message == "prompt 'broken' v1: message 1 has a template error at 2:1: section 'open' is never closed: add {{/open}}")
    }
}

struct TemplateAnalysisTests {
    @Test func listsReferencesWithPositionsAndSections() throws {
        let template = try Template("Hi {{name}}\n{{#items}}- {{label}} {{.}}{{/items}}\n{{^empty}}{{user.email}}{{/empty}}{{! note }}{{> footer}}")
        let references = template.references.map { "\($0.name.raw)@\($0.name.line):\($0.name.column) in \($0.enclosingSections.map(\.raw))" }
        #expect(
            references == [
                "name@1:4 in []", "items@2:1 in []", "label@2:13 in [\"items\"]", ".@2:23 in [\"items\"]",
                "empty@3:1 in []", "user.email@3:11 in [\"empty\"]",
            ])
        #expect(template.references[5].name.head == "user")
        #expect(template.partialNames == ["footer"])
    }

    @Test(arguments: [
        ("{{#a}}x", "1:1: section 'a' is never closed: add {{/a}}"),
        ("ok\n  {{/a}}", "2:3: '{{/a}}' closes a section that was never opened"),
        ("{{#a}}{{/b}}", "1:7: '{{/b}}' does not match the open section 'a' (line 1)"),
        ("x {{name", "1:3: unclosed tag '{{': expected '}}'"),
        ("{{}}", "1:1: empty tag: put a variable name inside it"),
        ("{{=<%>=}}", "1:1: a delimiter change needs two delimiters, like {{=<% %>=}}"),
    ])
    func syntaxErrorsCarryTheirPosition(source: String, message: String) {
        let error = #expect(throws: TemplateSyntaxError.self) { try Template(source) }
        #expect(error?.description == message)
    }

    @Test func recursivePartialsStopWithAClearError() throws {
        let template = try Template("{{> loop}}")
        let error = #expect(throws: TemplateRenderError.self) { try template.render(.object([:]), partials: ["loop": "x{{> loop}}"]) }
        #expect(error?.message.contains("includes itself more than 64 levels deep") == true)
    }
}
