import FolioModel
import Foundation

/// What an assertion looks at: the answer and what it cost, plus the model-backed
/// checks (`similar`, `llm-rubric`) as functions so the checker stays testable.
struct AssertionInput: Sendable {
    var output: String
    var expected: String?
    var latencyMs: Double
    var costUSD: Double?
    var totalTokens: Int?
    /// Cosine similarity of two texts' embeddings.
    var similarity: (@Sendable (String, String) async throws -> Double)?
    /// A judge's verdict on an answer against a rubric.
    var judge: (@Sendable (_ rubric: String, _ output: String) async throws -> (pass: Bool, reason: String))?
    /// Why there is no judge although folio.yaml names one.
    var judgeProblem: String?
}

/// Scores answers. Each assertion passes or fails with a reason; `not-` inverts it.
enum AssertionChecker {
    /// The built-in check for a case with `expected` but no assertions anywhere.
    static let fallback = Assertion(type: "equals", normalize: ["trim"])

    static func check(_ assertion: Assertion, _ input: AssertionInput) async -> AssertionOutcome {
        var outcome = await checkBase(assertion, input)
        if assertion.isNegated {
            outcome.passed.toggle()
            outcome.reason = outcome.passed ? nil : "expected not: \(outcome.reason ?? assertion.baseType)"
        }
        outcome.type = assertion.type
        if outcome.passed, !assertion.isNegated, !["similar", "latency", "cost", "tokens", "llm-rubric"].contains(assertion.baseType) { outcome.reason = nil }
        return outcome
    }

    private static func checkBase(_ assertion: Assertion, _ input: AssertionInput) async -> AssertionOutcome {
        let steps = assertion.normalize ?? []
        let output = normalize(input.output, steps)
        let value = assertion.value?.scalarText ?? input.expected
        func result(_ passed: Bool, _ reason: String?, score: Double? = nil) -> AssertionOutcome {
            AssertionOutcome(type: assertion.type, passed: passed, score: score ?? (passed ? 1 : 0), reason: reason)
        }
        func needValue() -> AssertionOutcome { result(false, "\(assertion.baseType) needs `value:` (or the case's `expected:`)") }
        switch assertion.baseType {
        case "equals":
            guard let value else { return needValue() }
            let wanted = normalize(value, steps)
            return result(output == wanted, "expected \(quote(wanted)), got \(quote(output))")
        case "contains", "icontains":
            guard let value else { return needValue() }
            let ignoreCase = assertion.baseType == "icontains"
            let found = ignoreCase ? output.lowercased().contains(normalize(value, steps).lowercased()) : output.contains(normalize(value, steps))
            return result(found, "\(quote(output)) does not contain \(quote(value))")
        case "starts-with":
            guard let value else { return needValue() }
            return result(output.hasPrefix(normalize(value, steps)), "\(quote(output)) does not start with \(quote(value))")
        case "regex":
            guard let value else { return needValue() }
            guard let regex = try? NSRegularExpression(pattern: value) else { return result(false, "\(quote(value)) is not a valid regular expression") }
            let found = regex.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil
            return result(found, "\(quote(output)) does not match /\(value)/")
        case "one-of":
            let options: [String]
            if case .array(let items)? = assertion.value { options = items.compactMap(\.scalarText) } else { options = value.map { [$0] } ?? [] }
            guard !options.isEmpty else { return needValue() }
            let wanted = options.map { normalize($0, steps) }
            return result(wanted.contains(output), "\(quote(output)) is not one of \(wanted.map(quote).joined(separator: ", "))")
        case "is-json":
            guard let json = JSONChecks.parse(input.output) else { return result(false, "the answer is not JSON: \(quote(input.output))") }
            if let schema = assertion.schema, let problem = JSONChecks.validate(json, against: schema) {
                return result(false, "the JSON does not match the schema: \(problem)")
            }
            return result(true, nil)
        case "json-path":
            return jsonPath(assertion, input, steps: steps, result: result)
        case "similar":
            guard let value else { return needValue() }
            guard let similarity = input.similarity else { return result(false, "no embeddings provider: `similar` needs an openai-kind provider (the judge's, or the prompt's)") }
            do {
                let score = try await similarity(input.output, value)
                let threshold = assertion.threshold ?? 0.8
                return result(score >= threshold, String(format: "similarity %.3f (threshold %.2f)", score, threshold), score: score)
            } catch {
                return result(false, "embeddings failed: \(error)")
            }
        case "llm-rubric":
            guard let rubric = value else { return needValue() }
            guard let judge = input.judge else { return result(false, input.judgeProblem.map { "the judge is unavailable: \($0)" } ?? "no judge: set `judge: {provider, model}` in folio.yaml") }
            do {
                let verdict = try await judge(rubric, input.output)
                return result(verdict.pass, verdict.reason)
            } catch {
                return result(false, "the judge failed: \(error)")
            }
        case "latency":
            guard let limit = assertion.value?.number ?? assertion.threshold else { return result(false, "latency needs `value:` (milliseconds)") }
            return result(input.latencyMs <= limit, String(format: "latency %.0f ms (limit %.0f ms)", input.latencyMs, limit))
        case "cost":
            guard let limit = assertion.value?.number ?? assertion.threshold else { return result(false, "cost needs `value:` (USD)") }
            guard let cost = input.costUSD else { return result(false, "the cost is unknown (no price for this model or no token counts): add it under `prices:` in folio.yaml") }
            return result(cost <= limit, String(format: "cost $%.6f (limit $%.6f)", cost, limit))
        case "tokens":
            guard let limit = assertion.value?.number ?? assertion.threshold else { return result(false, "tokens needs `value:` (a count)") }
            guard let tokens = input.totalTokens else { return result(false, "the provider reported no token usage") }
            return result(Double(tokens) <= limit, "\(tokens) tokens (limit \(Int(limit)))")
        default:
            return result(false, "unknown assertion type '\(assertion.type)'")
        }
    }

    private static func jsonPath(_ assertion: Assertion, _ input: AssertionInput, steps: [String], result: (Bool, String?, Double?) -> AssertionOutcome) -> AssertionOutcome {
        guard let path = assertion.path else { return result(false, "json-path needs `path:` such as $.category", nil) }
        guard let json = JSONChecks.parse(input.output) else { return result(false, "the answer is not JSON: \(quote(input.output))", nil) }
        guard let found = JSONChecks.value(at: path, in: json) else { return result(false, "\(path) is not in the answer", nil) }
        let actual = normalize(found.scalarText ?? found.compactText, steps)
        switch assertion.value {
        case nil:
            guard let expected = input.expected else { return result(true, nil, nil) }
            return result(actual == normalize(expected, steps), "\(path) is \(quote(actual)), expected \(quote(expected))", nil)
        case .object(let operation)?:
            if let needle = operation["contains"]?.scalarText {
                return result(actual.contains(normalize(needle, steps)), "\(path) is \(quote(actual)), which does not contain \(quote(needle))", nil)
            }
            if let wanted = operation["equals"] {
                let text = normalize(wanted.scalarText ?? wanted.compactText, steps)
                return result(actual == text, "\(path) is \(quote(actual)), expected \(quote(text))", nil)
            }
            return result(false, "json-path `value:` takes a value, {equals: …} or {contains: …}", nil)
        case let wanted?:
            let text = normalize(wanted.scalarText ?? wanted.compactText, steps)
            return result(actual == text, "\(path) is \(quote(actual)), expected \(quote(text))", nil)
        }
    }

    static func normalize(_ text: String, _ steps: [String]) -> String {
        var result = text
        for step in steps {
            switch step {
            case "trim": result = result.trimmingCharacters(in: .whitespacesAndNewlines)
            case "lowercase": result = result.lowercased()
            case "collapse-whitespace": result = result.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            default: break
            }
        }
        return result
    }

    static func quote(_ text: String) -> String {
        let short = text.count > 120 ? String(text.prefix(117)) + "…" : text
        return "\"\(short.replacingOccurrences(of: "\n", with: "\\n"))\""
    }
}

extension JSONValue {
    /// The text of a string, number or bool; nil for lists, objects and null.
    var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number: return compactText
        default: return nil
        }
    }

    var number: Double? {
        switch self {
        case .number(let value): return value
        case .string(let text): return Double(text)
        default: return nil
        }
    }

    /// Compact JSON text.
    var compactText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
