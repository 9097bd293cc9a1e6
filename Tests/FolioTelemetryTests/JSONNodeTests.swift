import Foundation
import Testing
@testable import FolioTelemetry

struct JSONNodeTests {
    @Test func parsesWhatFoundationParses() throws {
        let text = #"{"a": [1, -2.5e3, "x\"y\\z\n\u00e9\ud83d\ude00", true, false, null, {}], "big": 9007199254740993, "b": {"c": []}}"#
        let node = try JSONNode.parse(text)
        #expect(node["a"]?.array?.count == 7)
        #expect(node["a"]?.array?[0] == .int(1))
        #expect(node["a"]?.array?[1] == .double(-2500))
        #expect(node["a"]?.array?[2] == .string("x\"y\\z\né😀"))
        #expect(node["big"] == .int(9_007_199_254_740_993))
        #expect(node["b"]?["c"] == .array([]))
        #expect(node["missing"] == nil)
    }

    @Test func rejectsBrokenJSONWithAnOffset() {
        for broken in ["{\"a\": }", "[1, 2", "{\"a\" 1}", "\"open", "{\"a\": 1} x", "tru", "{\"a\": \"tab\there\"}"] {
            #expect(throws: JSONNode.SyntaxError.self, "\(broken)") { try JSONNode.parse(broken) }
        }
    }

    @Test func daysAndSparklines() {
        #expect(TraceReport.day(Date(timeIntervalSince1970: 1_790_000_000)) == "2026-09-21")
        #expect(TraceReport.day(Date(timeIntervalSince1970: 0)) == "1970-01-01")
        #expect(TraceReport.day(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29")
        #expect(Sparkline.render([0, 0.25, nil, 1]) == "▁▃ █")
        #expect(Sparkline.render([nil, nil]) == "  ")
        #expect(SpanMetrics.normalized("  Billing.\n") == "billing")
        #expect(SpanMetrics.normalized("«Technical»") == "technical")
    }
}
