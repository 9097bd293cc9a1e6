@testable import FolioEval
import FolioModel
import Foundation
import Testing

@Suite("Assertions")
struct AssertionTests {
    func check(_ assertion: Assertion, _ output: String, expected: String? = nil, latency: Double = 100, cost: Double? = 0.001, tokens: Int? = 50) async -> AssertionOutcome {
        await AssertionChecker.check(
            assertion,
            AssertionInput(
                output: output, expected: expected, latencyMs: latency, costUSD: cost, totalTokens: tokens,
                similarity: { a, b in a.lowercased() == b.lowercased() ? 1 : 0.2 },
                judge: { rubric, output in (output.contains(rubric), "looked for \(rubric)") }
            ))
    }

    @Test func textChecks() async {
        #expect(await check(Assertion(type: "equals", normalize: ["trim", "lowercase"]), "  Billing\n", expected: "billing").passed)
        #expect(await !check(Assertion(type: "equals"), "Billing", expected: "billing").passed)
        #expect(await check(Assertion(type: "equals", normalize: ["collapse-whitespace"]), "a   b", expected: "a b").passed)
        #expect(await check(Assertion(type: "contains", value: .string("refund")), "a refund please").passed)
        #expect(await check(Assertion(type: "icontains", value: .string("REFUND")), "a refund").passed)
        #expect(await check(Assertion(type: "starts-with", value: .string("bill")), "billing").passed)
        #expect(await check(Assertion(type: "regex", value: .string("^(billing|technical)$")), "technical").passed)
        #expect(await check(Assertion(type: "one-of", value: .array([.string("billing"), .string("technical")])), "billing").passed)
        let failed = await check(Assertion(type: "equals"), "billing", expected: "technical")
        #expect(!failed.passed && failed.reason == "expected \"technical\", got \"billing\"")
    }

    @Test func negationInvertsAndExplains() async {
        let outcome = await check(Assertion(type: "not-contains", value: .string("sorry")), "I am sorry")
        #expect(!outcome.passed && outcome.type == "not-contains" && outcome.reason?.hasPrefix("expected not") == true)
        #expect(await check(Assertion(type: "not-icontains", value: .string("sorry")), "fine").passed)
    }

    @Test func jsonChecks() async {
        let schema: JSONValue = .object([
            "type": .string("object"), "required": .array([.string("category")]),
            "properties": .object(["category": .object(["enum": .array([.string("billing"), .string("technical")])]), "confidence": .object(["type": .string("number"), "maximum": .number(1)])]),
            "additionalProperties": .bool(false),
        ])
        #expect(await check(Assertion(type: "is-json", schema: schema), "```json\n{\"category\": \"billing\", \"confidence\": 0.9}\n```").passed)
        let wrongEnum = await check(Assertion(type: "is-json", schema: schema), "{\"category\": \"sales\"}")
        #expect(!wrongEnum.passed && wrongEnum.reason?.contains("$.category") == true)
        #expect(await !check(Assertion(type: "is-json", schema: schema), "{\"category\": \"billing\", \"extra\": 1}").passed)
        #expect(await !check(Assertion(type: "is-json"), "billing").passed)
        #expect(await check(Assertion(type: "json-path", value: .string("billing"), path: "$.routing.team"), "{\"routing\": {\"team\": \"billing\"}}").passed)
        #expect(await check(Assertion(type: "json-path", path: "$.teams[1]"), "{\"teams\": [\"a\", \"billing\"]}", expected: "billing").passed)
        #expect(await check(Assertion(type: "json-path", value: .object(["contains": .string("bill")]), path: "team"), "{\"team\": \"billing\"}").passed)
        let missing = await check(Assertion(type: "json-path", value: .string("x"), path: "$.nope"), "{}")
        #expect(!missing.passed && missing.reason == "$.nope is not in the answer")
    }

    @Test func measuredChecks() async {
        #expect(await check(Assertion(type: "latency", value: .number(500)), "x", latency: 120).passed)
        #expect(await !check(Assertion(type: "latency", value: .number(100)), "x", latency: 120).passed)
        #expect(await check(Assertion(type: "cost", value: .number(0.01)), "x", cost: 0.002).passed)
        let unknownCost = await check(Assertion(type: "cost", value: .number(0.01)), "x", cost: nil)
        #expect(!unknownCost.passed && unknownCost.reason?.contains("unknown") == true)
        #expect(await !check(Assertion(type: "tokens", value: .number(10)), "x", tokens: 50).passed)
    }

    @Test func modelBackedChecks() async {
        let similar = await check(Assertion(type: "similar", value: .string("Billing"), threshold: 0.9), "billing")
        #expect(similar.passed && similar.score == 1)
        #expect(await !check(Assertion(type: "similar", value: .string("other")), "billing").passed)
        let rubric = await check(Assertion(type: "llm-rubric", value: .string("refund")), "we will refund you")
        #expect(rubric.passed && rubric.reason == "looked for refund")
        let noJudge = await AssertionChecker.check(Assertion(type: "llm-rubric", value: .string("x")), AssertionInput(output: "x", latencyMs: 1))
        #expect(!noJudge.passed && noJudge.reason?.contains("judge") == true)
        let keyless = await AssertionChecker.check(
            Assertion(type: "llm-rubric", value: .string("x")),
            AssertionInput(output: "x", latencyMs: 1, judgeProblem: "provider 'openai' needs an API key in the environment variable OPENAI_API_KEY, which is not set"))
        #expect(keyless.reason?.contains("OPENAI_API_KEY") == true)
    }

    @Test func weightsAndThresholds() {
        let assertions = [Assertion(type: "equals", weight: 3), Assertion(type: "contains", weight: 1)]
        let outcomes = [AssertionOutcome(type: "equals", passed: true), AssertionOutcome(type: "contains", passed: false)]
        #expect(Scoring.weightedScore(outcomes, assertions) == 0.75)
    }
}
