import FolioModel
import Testing
@testable import FolioCore

/// Every diagnostic lint promises, each with a fixture and its exact message and position.
struct LintDiagnosticsTests {
    static let goodPrompt = """
        schema: folio/prompt@1
        name: triage
        variables:
          ticket_text: { type: string, required: true }
          ticket_type: { type: string, enum: [email, chat], default: email }
        messages:
          - role: system
            content: |
              Type: {{ticket_type}}
          - role: user
            content: "{{ticket_text}}"

        """

    func lint(config: String = "schema: folio/config@1\n", prompts: [String: String] = [:], partials: [String: String] = [:], goldenSets: [String: String] = [:]) -> [String] {
        var files = Workspace.Files()
        files.config = config
        files.prompts = Dictionary(uniqueKeysWithValues: prompts.map { ("prompts/\($0.key).yaml", $0.value) })
        files.partials = Dictionary(uniqueKeysWithValues: partials.map { ("prompts/partials/\($0.key).yaml", $0.value) })
        files.goldenSets = goldenSets
        return Workspace(files: files).diagnostics.map(\.description)
    }

    @Test func aValidRepositoryHasNoDiagnostics() {
        #expect(lint(prompts: ["triage": Self.goodPrompt]) == [])
    }

    @Test func malformedYAML() {
        #expect(
            lint(prompts: ["broken": "schema: folio/prompt@1\nname: broken\nmessages: [\n"]) == [
                "prompts/broken.yaml:4:1: error: malformed YAML: while parsing a flow node (line 4): did not find expected node content"
            ])
        #expect(lint(prompts: ["tabs": "schema: folio/prompt@1\nname: tabs\n\tmessages: []\n"]).first?.hasPrefix("prompts/tabs.yaml:3:1: error: malformed YAML:") == true)
    }

    @Test func anEmptyFile() {
        #expect(lint(prompts: ["empty": ""]) == ["prompts/empty.yaml:1:1: error: the file is empty: it needs at least a `schema:` line"])
    }

    @Test func unknownAndMissingSchema() {
        #expect(
            lint(prompts: ["a": "schema: folio/promt@1\nname: a\n"]) == [
                "prompts/a.yaml:1:9: error: unknown schema 'folio/promt@1': expected 'folio/prompt@1'"
            ])
        #expect(
            lint(prompts: ["a": "schema: folio/prompt@2\nname: a\n"]) == [
                "prompts/a.yaml:1:9: error: unsupported schema version 'folio/prompt@2': this Folio reads 'folio/prompt@1'; upgrade Folio or rewrite the file"
            ])
        #expect(
            lint(prompts: ["a": "name: a\n"]) == [
                "prompts/a.yaml:1:1: error: missing the required key 'schema': add `schema: folio/prompt@1` as the first line"
            ])
    }

    @Test func unknownKeysGetASuggestion() {
        let text = Self.goodPrompt.replacingOccurrences(of: "variables:", with: "descripton: typo\nvariables:")
        #expect(
            lint(prompts: ["triage": text]) == [
                "prompts/triage.yaml:3:1: error: unknown key 'descripton' in the prompt; did you mean 'description'?"
            ])
        #expect(
            lint(config: "schema: folio/config@1\nenvironmets: [staging]\n") == [
                "folio.yaml:2:1: error: unknown key 'environmets' in folio.yaml; did you mean 'environments'?"
            ])
    }

    @Test func wrongTypesAndMissingKeys() {
        let text = """
            schema: folio/prompt@1
            name: a
            model: { temperature: hot, max_tokens: 0 }
            variables: [x, y]

            """
        #expect(
            lint(prompts: ["a": text]) == [
                "prompts/a.yaml:1:1: error: the prompt is missing the required key 'messages'",
                "prompts/a.yaml:3:23: error: model.temperature must be a number, found the text 'hot'",
                "prompts/a.yaml:3:40: error: model.max_tokens must be at least 1, found 0",
                "prompts/a.yaml:4:12: error: variables must be a mapping, found a list",
            ])
    }

    @Test func theNameMustMatchTheFileAndThePattern() {
        #expect(
            lint(prompts: ["triage": Self.goodPrompt.replacingOccurrences(of: "name: triage", with: "name: triage2")]) == [
                "prompts/triage.yaml:2:7: error: the name 'triage2' does not match the file name 'triage.yaml': rename one so they agree"
            ])
        #expect(
            lint(prompts: ["Triage": Self.goodPrompt.replacingOccurrences(of: "name: triage", with: "name: Triage")]) == [
                "prompts/Triage.yaml:2:7: error: the name 'Triage' is not valid: use lowercase letters, digits, '_' and '-', starting with a letter or digit"
            ])
    }

    @Test func undeclaredAndUnusedVariables() {
        let text = """
            schema: folio/prompt@1
            name: a
            variables:
              used: { type: string }
              items: { type: list }
              spare: { type: string }
            messages:
              - role: user
                content: "{{used}} {{customer}} {{#items}}{{label}}{{/items}}"

            """
        #expect(
            lint(prompts: ["a": text]) == [
                "prompts/a.yaml:6:3: warning: variable 'spare' is declared but never used in a message",
                "prompts/a.yaml:9:24: error: message 1 uses undeclared variable 'customer': declare it under `variables:`",
            ])
    }

    @Test func positionsInsideBlockScalars() {
        let text = """
            schema: folio/prompt@1
            name: a
            messages:
              - role: system
                content: |
                  First line.
                    Indented {{nope}} here.
                  {{#open}}

            """
        #expect(
            lint(prompts: ["a": text]) == [
                "prompts/a.yaml:8:7: error: template syntax error in message 1: section 'open' is never closed: add {{/open}}"
            ])
        let valid = text.replacingOccurrences(of: "  {{#open}}\n", with: "")
        #expect(
            lint(prompts: ["a": valid]) == [
                "prompts/a.yaml:7:18: error: message 1 uses undeclared variable 'nope': declare it under `variables:`"
            ])
    }

    @Test func enumDefaultsMustBeInTheEnum() {
        #expect(
            lint(prompts: ["triage": Self.goodPrompt.replacingOccurrences(of: "default: email", with: "default: fax")]) == [
                "prompts/triage.yaml:5:62: error: the default of variable 'ticket_type': 'fax' is not one of email, chat"
            ])
    }

    @Test func rolesAndOutputs() {
        let text = Self.goodPrompt
            .replacingOccurrences(of: "role: system", with: "role: sytem")
            .appending("output: { type: label }\n")
        #expect(
            lint(prompts: ["triage": text]) == [
                "prompts/triage.yaml:7:11: error: unknown role 'sytem' in message 1: use system, user or assistant; did you mean 'system'?",
                "prompts/triage.yaml:12:9: error: output type 'label' needs a non-empty `labels:` list",
            ])
    }

    @Test func partialsMustExistAndTheirVariablesBeDeclared() {
        let text = Self.goodPrompt.replacingOccurrences(of: "\"{{ticket_text}}\"", with: "\"{{ticket_text}} {{> tone}} {{> missing}}\"")
        let partial = "schema: folio/partial@1\nname: tone\ncontent: \"Be {{mood}}.\"\n"
        #expect(
            lint(prompts: ["triage": text], partials: ["tone": partial]) == [
                "prompts/triage.yaml:11:14: error: partial 'tone' uses 'mood', which prompt 'triage' does not declare: declare it under `variables:`",
                "prompts/triage.yaml:11:14: error: unknown partial 'missing': there is no prompts/partials/missing.yaml",
            ])
    }

    @Test func goldenSetCases() {
        let set = """
            schema: folio/goldenset@1
            prompt: triage
            defaults:
              assert: [{ type: equals, normalize: [trim, lowercase] }]
            cases:
              - id: one
                vars: { ticket_text: "refund", ticket_typ: email }
                expected: billing
              - id: one
                vars: { ticket_text: "x", ticket_type: fax }
              - vars: { ticket_text: "y" }
              - id: three
                vars: { ticket_type: chat }
                assert: [{ type: not-containz, value: x }]

            """
        #expect(
            lint(prompts: ["triage": Self.goodPrompt], goldenSets: ["goldensets/triage/set.yaml": set]) == [
                "goldensets/triage/set.yaml:7:36: error: case 'one' sets unknown variable 'ticket_typ': prompt 'triage' declares ticket_text, ticket_type; did you mean 'ticket_type'?",
                "goldensets/triage/set.yaml:9:9: error: duplicate case id 'one': it is already used by the case on line 6",
                "goldensets/triage/set.yaml:10:44: error: case 'one': variable 'ticket_type': 'fax' is not one of email, chat",
                "goldensets/triage/set.yaml:11:5: error: case 3 has no id: add `id:` with a short unique name",
                "goldensets/triage/set.yaml:13:11: error: case 'three' lacks the required variable 'ticket_text' of prompt 'triage'",
                "goldensets/triage/set.yaml:14:22: error: unknown assertion type 'not-containz': use one of equals, contains, icontains, regex, starts-with, one-of, is-json, json-path, similar, llm-rubric, latency, cost, tokens (or not-<type>); did you mean 'contains'?",
            ])
    }

    @Test func anExpectedThatNoAssertionReadsIsAWarning() {
        // A case's `assert:` replaces the defaults: here its latency check never reads
        // `expected`, so "general" would pass. Other words tools use get a suggestion.
        let set = """
            schema: folio/goldenset@1
            prompt: triage
            defaults:
              assert: [{ type: equals, normalize: [trim, lowercase] }]
            cases:
              - id: replaced
                vars: { ticket_text: "refund" }
                expected: billing
                assert: [{ type: latency, max: 2000 }]
              - id: kept
                vars: { ticket_text: "refund" }
                expected: billing
                assert: [{ type: latency, value: 2000 }, { type: icontains }]
              - id: defaults
                vars: { ticket_text: "refund" }
                expected: billing

            """
        #expect(
            lint(prompts: ["triage": Self.goodPrompt], goldenSets: ["goldensets/triage/set.yaml": set]) == [
                "goldensets/triage/set.yaml:8:15: warning: case 'replaced' has `expected: billing`, but no assertion of its `assert:` (which replaces the defaults' assertions) reads it, so any answer can pass it: add `{ type: equals }` (no `value:` compares with `expected:`) to the case's `assert:`, or drop `expected:`",
                "goldensets/triage/set.yaml:9:31: error: unknown key 'max' in case 'replaced' assert item 1; did you mean 'value'?",
            ])
        let defaultsOnly = set.replacingOccurrences(of: "assert: [{ type: equals, normalize: [trim, lowercase] }]", with: "assert: [{ type: is-json }]")
        #expect(
            lint(prompts: ["triage": Self.goodPrompt], goldenSets: ["goldensets/triage/set.yaml": defaultsOnly]).last
                == "goldensets/triage/set.yaml:16:15: warning: case 'defaults' has `expected: billing`, but no assertion of the defaults' assertions reads it, so any answer can pass it: add `{ type: equals }` (no `value:` compares with `expected:`) to the case's `assert:`, or drop `expected:`"
        )
        let unknown = set.replacingOccurrences(of: "max: 2000", with: "frobnicate: 1")
        #expect(
            lint(prompts: ["triage": Self.goodPrompt], goldenSets: ["goldensets/triage/set.yaml": unknown]).contains(
                "goldensets/triage/set.yaml:9:31: error: unknown key 'frobnicate' in case 'replaced' assert item 1; the keys here are type, value, normalize, threshold, weight, path, schema"))
    }

    @Test func aModelProviderMustExist() {
        let config = "schema: folio/config@1\nproviders:\n  local: { kind: openai, base_url: \"http://127.0.0.1:8081/v1\" }\n"
        let prompt = Self.goodPrompt.replacingOccurrences(of: "variables:", with: "model: { provider: openia, name: gpt-4o }\nvariables:")
        #expect(
            lint(config: config, prompts: ["triage": prompt]) == [
                "prompts/triage.yaml:3:20: error: model.provider 'openia' is not a provider: folio.yaml has local, and the built-in kinds are openai, anthropic, replay, command; did you mean 'openai'?"
            ])
        for known in ["local", "openai", "anthropic"] {
            #expect(lint(config: config, prompts: ["triage": prompt.replacingOccurrences(of: "openia", with: known)]) == [])
        }
    }

    @Test func anUnquotedTemplateIsExplained() {
        let prompt = Self.goodPrompt.replacingOccurrences(of: "content: \"{{ticket_text}}\"", with: "content: {{ticket_text}}")
        #expect(
            lint(prompts: ["triage": prompt]).contains(
                "prompts/triage.yaml:11:14: error: message 2 content starts with '{{', which YAML reads as a mapping: a value starting with '{{' must be quoted, as in \"{{ticket_text}}\""))
    }

    @Test func aGoldenSetForAnUnknownPrompt() {
        let set = "schema: folio/goldenset@1\nprompt: tirage\ncases: []\n"
        #expect(
            lint(prompts: ["triage": Self.goodPrompt], goldenSets: ["goldensets/x/set.yaml": set]) == [
                "goldensets/x/set.yaml:2:9: error: unknown prompt 'tirage': there is no prompts/tirage.yaml; did you mean 'triage'?"
            ])
    }

    @Test func configProblems() {
        let config = """
            schema: folio/config@1
            environments: [staging, Prod, staging]
            providers:
              openai: { kind: opneai }
              local: { kind: openai, api_key: sk-do-not-print }
            judge: { provider: opena }

            """
        let diagnostics = lint(config: config)
        #expect(
            diagnostics == [
                "folio.yaml:2:15: error: 'Prod' is not a valid environment name: use lowercase letters, digits, '_' and '-'",
                "folio.yaml:2:15: error: environment 'staging' is listed twice",
                "folio.yaml:4:19: error: unknown kind 'opneai' for provider 'openai': use one of openai, anthropic, replay, command; did you mean 'openai'?",
                "folio.yaml:5:26: error: provider 'local' must not hold a secret: remove 'api_key' and name the environment variable that holds it with `api_key_env:`",
                "folio.yaml:6:20: error: judge.provider 'opena' is not one of the providers in folio.yaml",
            ])
        #expect(!diagnostics.joined().contains("sk-do-not-print"))
    }

    @Test func everyProblemOfAFileIsReportedInOneRun() {
        let text = """
            schema: folio/prompt@1
            name: Bad
            descripton: x
            variables:
              a: { type: sting }
            messages:
              - role: user
                content: "{{b}}"

            """
        #expect(lint(prompts: ["bad": text]).count == 4)
    }
}
