/// A field of an LLM call that instrumentations record under names of their own.
package enum CallField: String, CaseIterable, Sendable {
    case promptName, promptVersion, provider, operation, requestModel, responseModel
    case inputTokens, outputTokens, timeToFirstChunk
    case temperature, maxTokens, topP
    /// The prompt's template, when the instrumentation records it.
    case template
    /// The variables as one JSON object (`llm.prompt_template.variables`).
    case variablesObject
    /// Usage as one JSON object (`{"input": n, "output": m}`).
    case usageObject
    /// Request parameters as one JSON object (`{"temperature": 0, "max_tokens": 256}`).
    case parametersObject
}

/// Where an instrumentation records a call's messages.
package enum MessageSource: Sendable, Equatable {
    /// One attribute holding the messages: JSON text, structured values, a Python repr, or
    /// bare text (taken as one message of the default role).
    case messages(String)
    /// Attributes `<prefix>.<i>.<role>` and `<prefix>.<i>.<content>`, i = 0, 1, …
    case flattened(prefix: String, role: String, content: String)
    /// A chat request as JSON (`{"messages": [...]}`), as OpenInference's `input.value` holds.
    case request(String)
    /// A chat response as JSON (`{"choices": [{"message": …}]}`) or plain text.
    case response(String)
}

/// How one instrumentation names what Folio reads. The table of dialects (`Dialect.all`)
/// is the only place attribute names are spelled: a new instrumentation is one entry.
package struct Dialect: Sendable {
    package let name: String
    /// Attribute names per field, most specific first.
    package let fields: [CallField: [String]]
    package let input: [MessageSource]
    package let output: [MessageSource]
    package let system: [MessageSource]
    /// Prefixes of attributes that each hold one variable (`gen_ai.prompt.variable.<name>`).
    package let variablePrefixes: [String]
    /// An attribute value that marks a span as an LLM call even without the usual fields.
    package let callMarkers: [(attribute: String, value: String)]

    init(
        name: String, fields: [CallField: [String]], input: [MessageSource] = [], output: [MessageSource] = [],
        system: [MessageSource] = [], variablePrefixes: [String] = [], callMarkers: [(attribute: String, value: String)] = []
    ) {
        self.name = name
        self.fields = fields
        self.input = input
        self.output = output
        self.system = system
        self.variablePrefixes = variablePrefixes
        self.callMarkers = callMarkers
    }

    /// In order of preference: where two dialects name the same field, the first wins.
    package static let all: [Dialect] = [semanticConventions, openLLMetry, openInference, langfuse]

    /// OpenTelemetry's GenAI semantic conventions, current and earlier (`gen_ai.system`,
    /// `gen_ai.usage.prompt_tokens`, the flattened `gen_ai.prompt.N.*`), and Folio's own
    /// prompt attributes.
    package static let semanticConventions = Dialect(
        name: "OpenTelemetry GenAI",
        fields: [
            .promptName: ["gen_ai.prompt.name"],
            .promptVersion: ["gen_ai.prompt.version"],
            .provider: ["gen_ai.provider.name", "gen_ai.system"],
            .operation: ["gen_ai.operation.name"],
            .requestModel: ["gen_ai.request.model"],
            .responseModel: ["gen_ai.response.model"],
            .inputTokens: ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"],
            .outputTokens: ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"],
            .timeToFirstChunk: ["gen_ai.response.time_to_first_chunk", "gen_ai.server.time_to_first_token"],
            .temperature: ["gen_ai.request.temperature"],
            .maxTokens: ["gen_ai.request.max_tokens"],
            .topP: ["gen_ai.request.top_p"],
        ],
        input: [.messages("gen_ai.input.messages"), .flattened(prefix: "gen_ai.prompt", role: "role", content: "content")],
        output: [.messages("gen_ai.output.messages"), .flattened(prefix: "gen_ai.completion", role: "role", content: "content")],
        system: [.messages("gen_ai.system_instructions")],
        variablePrefixes: ["gen_ai.prompt.variable."]
    )

    /// OpenLLMetry (Traceloop): `llm.*` usage and request type, `traceloop.*` prompts.
    package static let openLLMetry = Dialect(
        name: "OpenLLMetry",
        fields: [
            .promptName: ["traceloop.prompt.key"],
            .promptVersion: ["traceloop.prompt.version"],
            .provider: ["llm.vendor"],
            .operation: ["llm.request.type"],
            .requestModel: ["llm.request.model"],
            .responseModel: ["llm.response.model"],
            .inputTokens: ["llm.usage.prompt_tokens"],
            .outputTokens: ["llm.usage.completion_tokens"],
            .template: ["traceloop.prompt.template"],
        ],
        variablePrefixes: ["traceloop.prompt.template_variables."]
    )

    /// OpenInference (Arize Phoenix): `llm.*` names, flattened messages, and the raw request
    /// and response in `input.value` / `output.value`.
    package static let openInference = Dialect(
        name: "OpenInference",
        fields: [
            .promptVersion: ["llm.prompt_template.version"],
            .provider: ["llm.provider", "llm.system"],
            .requestModel: ["llm.model_name"],
            .responseModel: ["llm.model_name"],
            .inputTokens: ["llm.token_count.prompt"],
            .outputTokens: ["llm.token_count.completion"],
            .template: ["llm.prompt_template.template"],
            .variablesObject: ["llm.prompt_template.variables"],
            .parametersObject: ["llm.invocation_parameters"],
        ],
        input: [.flattened(prefix: "llm.input_messages", role: "message.role", content: "message.content"), .request("input.value")],
        output: [.flattened(prefix: "llm.output_messages", role: "message.role", content: "message.content"), .response("output.value")],
        callMarkers: [("openinference.span.kind", "LLM")]
    )

    /// Langfuse's OpenTelemetry attributes.
    package static let langfuse = Dialect(
        name: "Langfuse",
        fields: [
            .promptName: ["langfuse.observation.prompt.name"],
            .promptVersion: ["langfuse.observation.prompt.version"],
            .requestModel: ["langfuse.observation.model.name"],
            .usageObject: ["langfuse.observation.usage_details"],
            .parametersObject: ["langfuse.observation.model.parameters"],
        ],
        input: [.messages("langfuse.observation.input")],
        output: [.response("langfuse.observation.output")],
        callMarkers: [("langfuse.observation.type", "generation")]
    )

    /// The first attribute that names `field`, in dialect order.
    package static func value(of field: CallField, in attributes: [String: String]) -> String? {
        for dialect in all {
            for name in dialect.fields[field] ?? [] {
                if let value = attributes[name] { return value }
            }
        }
        return nil
    }

    /// Every attribute name the table reads for `field`.
    package static func names(of field: CallField) -> [String] {
        all.flatMap { $0.fields[field] ?? [] }
    }
}
