import FolioModel
import FolioTemplate
import Yams

/// A golden-set file as read.
package struct LoadedGoldenSet: Sendable {
    package let path: String
    package let goldenSet: GoldenSet?
    package let diagnostics: [Diagnostic]
}

/// Decodes golden sets (`schema: folio/goldenset@1`) and checks each case against the
/// prompt it tests.
enum GoldenSetLoader {
    static let keys = ["schema", "prompt", "description", "defaults", "cases"]
    static let defaultsKeys = ["assert", "threshold", "repeat"]
    static let caseKeys = ["id", "description", "vars", "expected", "assert", "threshold", "repeat", "pass_rule", "source"]
    static let assertionKeys = ["type", "value", "normalize", "threshold", "weight", "path", "schema"]
    /// Words other tools (promptfoo, DeepEval) use for an assertion's fields.
    static let assertionSynonyms = [
        "max": "value", "min": "value", "limit": "value", "ms": "value", "expected": "value",
        "pattern": "value", "rubric": "value", "equals": "value", "score": "threshold", "jsonpath": "path",
    ]
    static let normalizers = ["trim", "lowercase", "collapse-whitespace"]

    /// - Parameter prompts: every prompt name in the repository, with its decoded prompt
    ///   (nil when that file has errors of its own).
    static func load(path: String, text: String, prompts: [String: Prompt?]) -> LoadedGoldenSet {
        let reader = YAMLReader(path: path, text: text)
        var goldenSet: GoldenSet?
        if let root = reader.compose(), reader.checkSchema(root, expected: GoldenSet.schema),
            let fields = reader.fields(root, "the golden set", allowed: keys, required: ["prompt", "cases"]),
            let promptName = reader.string(fields["prompt"], "prompt")
        {
            var prompt: Prompt?
            if let entry = prompts[promptName] {
                prompt = entry
            } else {
                reader.error("unknown prompt '\(promptName)': there is no prompts/\(promptName).yaml\(Suggestion.didYouMean(promptName, among: Array(prompts.keys)))", at: fields["prompt"])
            }
            let defaults = fields["defaults"].flatMap { readDefaults($0, reader: reader) }
            let cases = fields["cases"].flatMap { readCases($0, prompt: prompt, defaults: defaults, reader: reader) } ?? []
            goldenSet = GoldenSet(prompt: promptName, description: reader.text(fields["description"], "description"), defaults: defaults, cases: cases)
        }
        let diagnostics = reader.diagnostics
        return LoadedGoldenSet(path: path, goldenSet: diagnostics.hasErrors ? nil : goldenSet, diagnostics: diagnostics)
    }

    static func readDefaults(_ node: Node, reader: YAMLReader) -> GoldenDefaults? {
        guard let fields = reader.fields(node, "defaults", allowed: defaultsKeys) else { return nil }
        return GoldenDefaults(
            assertions: fields["assert"].flatMap { readAssertions($0, "defaults.assert", reader: reader) },
            threshold: readThreshold(fields["threshold"], "defaults.threshold", reader: reader),
            repeatCount: reader.int(fields["repeat"], "defaults.repeat", minimum: 1)
        )
    }

    static func readCases(_ node: Node, prompt: Prompt?, defaults: GoldenDefaults?, reader: YAMLReader) -> [GoldenCase]? {
        guard let items = reader.sequence(node, "cases") else { return nil }
        var firstLine: [String: Int] = [:]
        var cases: [GoldenCase] = []
        for (index, item) in items.enumerated() {
            let what = "case \(index + 1)"
            guard
                let fields = reader.fields(
                    item, what, allowed: caseKeys, synonyms: ["variables": "vars", "inputs": "vars", "asserts": "assert", "assertions": "assert", "expect": "expected", "name": "id"])
            else { continue }
            guard let idNode = fields["id"] else {
                reader.error("\(what) has no id: add `id:` with a short unique name", at: item)
                continue
            }
            guard let id = reader.text(idNode, "\(what) id") else { continue }
            if let line = firstLine[id] {
                reader.error("duplicate case id '\(id)': it is already used by the case on line \(line)", at: idNode)
            } else {
                firstLine[id] = idNode.mark?.line ?? 0
            }
            let label = "case '\(id)'"
            var goldenCase = GoldenCase(id: id)
            goldenCase.description = reader.text(fields["description"], "\(label) description")
            goldenCase.expected = reader.text(fields["expected"], "\(label) expected")
            goldenCase.assertions = fields["assert"].flatMap { readAssertions($0, "\(label) assert", reader: reader) }
            goldenCase.threshold = readThreshold(fields["threshold"], "\(label) threshold", reader: reader)
            goldenCase.repeatCount = reader.int(fields["repeat"], "\(label) repeat", minimum: 1)
            goldenCase.passRule = fields["pass_rule"].flatMap { readPassRule($0, label, repeatCount: goldenCase.repeatCount ?? defaults?.repeatCount ?? 1, reader: reader) }
            goldenCase.source = fields["source"].flatMap { readSource($0, label, reader: reader) }
            goldenCase.vars = readVars(fields["vars"], label, caseNode: item, prompt: prompt, reader: reader)
            // A case's `assert:` replaces the defaults' (it does not add to them).
            if let expected = goldenCase.expected, let effective = goldenCase.assertions ?? defaults?.assertions,
                !effective.isEmpty, !effective.contains(where: \.readsExpected)
            {
                let whose =
                    goldenCase.assertions != nil
                    ? "its `assert:` (which replaces the defaults' assertions)"
                    : "the defaults' assertions"
                reader.warning(
                    "\(label) has `expected: \(expected.prefix(40))`, but no assertion of \(whose) reads it, so any answer can pass it: add `{ type: equals }` (no `value:` compares with `expected:`) to the case's `assert:`, or drop `expected:`",
                    at: fields["expected"])
            }
            if goldenCase.assertions == nil, defaults?.assertions == nil {
                if goldenCase.expected == nil {
                    reader.warning("\(label) has nothing to check: add `expected:` or `assert:`", at: item)
                } else {
                    reader.warning("\(label) has `expected:` but neither it nor `defaults` has `assert:`; it is compared with `equals`", at: item)
                }
            }
            cases.append(goldenCase)
        }
        return cases
    }

    static func readVars(_ node: Node?, _ label: String, caseNode: Node, prompt: Prompt?, reader: YAMLReader) -> [String: JSONValue] {
        var vars: [String: JSONValue] = [:]
        if let node, node.tagName != .null {
            for (name, keyNode, value) in reader.entries(node, "\(label) vars") ?? [] {
                let json = reader.json(value)
                vars[name] = json
                guard let prompt else { continue }
                guard let variable = prompt.variable(named: name) else {
                    let declared = prompt.variables.map(\.name)
                    reader.error(
                        "\(label) sets unknown variable '\(name)': prompt '\(prompt.name)' declares \(declared.isEmpty ? "no variables" : declared.joined(separator: ", "))\(Suggestion.didYouMean(name, among: declared))",
                        at: keyNode)
                    continue
                }
                if let problem = VariableCheck.problem(with: json, for: variable) {
                    reader.error("\(label): variable '\(name)': \(problem)", at: value)
                }
            }
        }
        for variable in prompt?.variables ?? [] where variable.required && variable.defaultValue == nil && vars[variable.name] == nil {
            reader.error("\(label) lacks the required variable '\(variable.name)' of prompt '\(prompt!.name)'", at: node ?? caseNode)
        }
        return vars
    }

    static func readAssertions(_ node: Node, _ what: String, reader: YAMLReader) -> [Assertion]? {
        guard let items = reader.sequence(node, what) else { return nil }
        return items.enumerated().compactMap { index, item in
            let label = "\(what) item \(index + 1)"
            guard let fields = reader.fields(item, label, allowed: assertionKeys, required: ["type"], synonyms: assertionSynonyms),
                let type = reader.string(fields["type"], "\(label) type")
            else { return nil }
            let base = type.hasPrefix("not-") ? String(type.dropFirst(4)) : type
            guard Assertion.knownTypes.contains(base) else {
                reader.error(
                    "unknown assertion type '\(type)': use one of \(Assertion.knownTypes.joined(separator: ", ")) (or not-<type>)\(Suggestion.didYouMean(base, among: Assertion.knownTypes))",
                    at: fields["type"])
                return nil
            }
            let normalize = reader.stringList(fields["normalize"], "\(label) normalize")
            for step in normalize ?? [] where !normalizers.contains(step) {
                reader.error("unknown normalize step '\(step)': use \(normalizers.joined(separator: ", "))\(Suggestion.didYouMean(step, among: normalizers))", at: fields["normalize"])
            }
            return Assertion(
                type: type,
                value: fields["value"].map(reader.json),
                normalize: normalize,
                threshold: reader.double(fields["threshold"], "\(label) threshold"),
                weight: reader.double(fields["weight"], "\(label) weight"),
                path: reader.string(fields["path"], "\(label) path"),
                schema: fields["schema"].map(reader.json)
            )
        }
    }

    static func readThreshold(_ node: Node?, _ what: String, reader: YAMLReader) -> Double? {
        guard let value = reader.double(node, what) else { return nil }
        if !(0...1).contains(value) { reader.error("\(what) must be between 0 and 1, found \(value)", at: node) }
        return value
    }

    static func readPassRule(_ node: Node, _ label: String, repeatCount: Int, reader: YAMLReader) -> PassRule? {
        guard let fields = reader.fields(node, "\(label) pass_rule", allowed: ["min_passes"], required: ["min_passes"]),
            let minPasses = reader.int(fields["min_passes"], "\(label) pass_rule.min_passes", minimum: 1)
        else { return nil }
        if minPasses > repeatCount {
            reader.error("\(label) pass_rule.min_passes is \(minPasses) but the case runs only \(repeatCount) time(s): set `repeat:` to at least \(minPasses)", at: fields["min_passes"])
        }
        return PassRule(minPasses: minPasses)
    }

    static func readSource(_ node: Node, _ label: String, reader: YAMLReader) -> CaseSource? {
        guard let fields = reader.fields(node, "\(label) source", allowed: ["trace_id", "span_id"]) else { return nil }
        return CaseSource(traceID: reader.text(fields["trace_id"], "\(label) source.trace_id"), spanID: reader.text(fields["span_id"], "\(label) source.span_id"))
    }
}
