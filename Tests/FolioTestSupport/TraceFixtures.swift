import Foundation

/// OTLP JSON lines for trace tests.
public enum TraceFixtures {
    public static func span(
        trace: String = "4bf92f3577b34da6a3ce929d0e0e4736", span: String = "00f067aa0ba902b7", attributes: String, status: String = "", start: String = "\"1790000000000000000\"",
        end: String = "\"1790000001500000000\""
    ) -> String {
        """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"support-app"}}]},"scopeSpans":[{"scope":{"name":"folio"},"spans":[{"traceId":"\(trace)","spanId":"\(span)","name":"chat gpt-4o","kind":3,"startTimeUnixNano":\(start),"endTimeUnixNano":\(end),\(status)"attributes":[\(attributes)]}]}]}]}
        """
    }

    /// A triage span of a prompt version with the given output.
    /// `day` shifts the span by whole days (for daily buckets).
    public static func triage(span: String, version: Int, ticket: String, output: String, model: String = "gpt-4o", expected: String? = nil, day: Int = 0) -> String {
        let label = expected.map { ",{\"key\":\"app.expected_team\",\"value\":{\"stringValue\":\"\($0)\"}}" } ?? ""
        let input = "[{\\\"role\\\":\\\"user\\\",\\\"parts\\\":[{\\\"type\\\":\\\"text\\\",\\\"content\\\":\\\"\(ticket)\\\"}]}]"
        let outputJSON = "[{\\\"role\\\":\\\"assistant\\\",\\\"parts\\\":[{\\\"type\\\":\\\"text\\\",\\\"content\\\":\\\"\(output)\\\"}]}]"
        let start = Int64(1_790_000_000) + Int64(day) * 86_400
        return Self.span(
            span: span,
            attributes: """
                {"key":"gen_ai.request.model","value":{"stringValue":"\(model)"}},{"key":"gen_ai.prompt.name","value":{"stringValue":"support_ticket_triage"}},{"key":"gen_ai.prompt.version","value":{"intValue":"\(version)"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"100"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"1"}},{"key":"gen_ai.input.messages","value":{"stringValue":"\(input)"}},{"key":"gen_ai.output.messages","value":{"stringValue":"\(outputJSON)"}}\(label)
                """, start: "\"\(start)000000000\"", end: "\"\(start)500000000\"")
    }
}
