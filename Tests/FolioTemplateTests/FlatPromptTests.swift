import FolioModel
import Testing
@testable import FolioTemplate

/// The slot-filling fast path must render exactly what the general path renders, and
/// leave every error to it.
struct FlatPromptTests {
    let prompt = Prompt(
        name: "triage",
        variables: [
            PromptVariable(name: "ticket_text", required: true),
            PromptVariable(name: "ticket_type", enumValues: ["email", "chat", "web"], defaultValue: .string("email")),
            PromptVariable(name: "tier"),
        ],
        messages: [
            PromptMessage(role: "system", content: "Type: {{ticket_type}}, tier: {{tier}}. {{{ticket_text}}}"),
            PromptMessage(role: "user", content: "{{ticket_text}}{{! a comment }}"),
        ]
    )

    func flatTexts(_ compiled: CompiledPrompt, _ values: [String: String]) throws -> [String] {
        try compiled.renderTexts(strings: values)
    }

    @Test func matchesTheGeneralPath() throws {
        let compiled = try CompiledPrompt(prompt, version: "v3")
        #expect(compiled.flat != nil)
        for values in [["ticket_text": "Refund & {{tier}}"], ["ticket_text": "x", "ticket_type": "web", "tier": "gold"], ["ticket_text": ""]] {
            let general = try compiled.render(values.mapValues(JSONValue.string)).map(\.content)
            #expect(try flatTexts(compiled, values) == general, "\(values)")
        }
    }

    @Test func errorsComeFromTheGeneralPath() throws {
        let compiled = try CompiledPrompt(prompt, version: "v3")
        for (values, message) in [
            ([String: String](), "prompt 'triage' v3: missing required variable 'ticket_text'"),
            (["ticket_text": "x", "mood": "calm"], "prompt 'triage' v3: unknown variable 'mood': it declares ticket_text, ticket_type, tier"),
            (["ticket_text": "x", "ticket_type": "fax"], "prompt 'triage' v3: variable 'ticket_type': 'fax' is not one of email, chat, web"),
        ] {
            #expect(throws: PromptRenderError.self) { try flatTexts(compiled, values) }
            do {
                _ = try flatTexts(compiled, values)
            } catch {
                #expect((error as? PromptRenderError)?.message == message)
            }
        }
    }

    @Test func sectionsPartialsAndTypedVariablesTakeTheGeneralPath() throws {
        var withSection = prompt
        withSection.messages[0].content = "{{#tier}}Tier {{tier}}{{/tier}}"
        #expect(try CompiledPrompt(withSection, version: "v1").flat == nil)
        var typed = prompt
        typed.variables.append(PromptVariable(name: "priority", type: .integer))
        #expect(try CompiledPrompt(typed, version: "v1").flat == nil)
        let compiled = try CompiledPrompt(withSection, version: "v1")
        #expect(try flatTexts(compiled, ["ticket_text": "x", "tier": "gold"])[0] == "Tier gold")
    }
}
