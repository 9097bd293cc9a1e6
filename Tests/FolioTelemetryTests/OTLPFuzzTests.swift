import Foundation
import FolioTestSupport
import Testing
@testable import FolioTelemetry

/// Random and mutated OTLP JSON through the byte-level JSON parser, the decoder and the
/// GenAI view of each span: records or a failure, never a crash, and no input is slow.
struct OTLPFuzzTests {
    static let seeds = [
        HostileTraceTests.line(span: "00f067aa0ba902b7", start: "1700000000000000000", end: "1700000000500000000"),
        #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"app"}}]},"scopeSpans":[{"spans":[{"traceId":"S/kvNXezTaajzpKdDg5HNg==","spanId":"APBnqgupArc=","parentSpanId":"","name":"chat","kind":3,"startTimeUnixNano":1,"endTimeUnixNano":2.5e9,"status":{"code":2,"message":"x"},"events":[{"name":"gen_ai.evaluation.result","timeUnixNano":"3","attributes":[{"key":"gen_ai.evaluation.score.label","value":{"stringValue":"fail"}}]}],"attributes":[{"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}]"}},{"key":"n","value":{"arrayValue":{"values":[{"intValue":"7"},{"doubleValue":1.5},{"boolValue":true},{"kvlistValue":{"values":[{"key":"k","value":{"bytesValue":"aGk="}}]}}]}}}]}]}]}]}"#,
    ].map { Array($0.utf8) }

    @Test func readingRandomTraceLinesNeverCrashesOrHangs() {
        var fuzzer = Fuzzer(
            seed: 0x07A9,
            tokens: [
                "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u00", "1e999", "-", "0", "null", "true", "\"intValue\"", "\"stringValue\"", "\"spans\"", "\"resourceSpans\"", "99999999999999999999999",
            ])
        let outcome = fuzzer.run(40_000, seeds: Self.seeds) { bytes in
            guard let node = try? JSONNode.parse(Data(bytes)), let (spans, _) = try? OTLPJSON.spans(in: node, origin: Origin(file: "fuzz", line: 1)) else { return }
            for record in spans {
                _ = record.duration
                _ = record.timeProblem
                guard let span = GenAISpan(record) else { continue }
                _ = (span.inputMessages, span.outputMessages, span.promptVariables, span.latencyMs, span.inputTokens, span.outputText)
                var metrics = SpanMetrics()
                metrics.add(span, expectedLabel: "billing", prices: [:])
            }
        }
        #expect(outcome.iterations >= 40_000)
        #expect(outcome.slowest < .seconds(1), "slowest input: \(String(decoding: outcome.slowestInput, as: UTF8.self).debugDescription)")
    }
}
