import FolioModel
import FolioProcess
import Foundation

/// The escape hatch: runs a program with the request as JSON on stdin
/// (`{"model","messages","temperature","max_tokens","sample"}`) and reads the answer from
/// stdout: `{"output": "…", "usage": {"input_tokens": n, "output_tokens": n}}` (or
/// `text`/`content` for the output), or plain text.
package struct CommandProvider: ChatProvider {
    package let name: String
    package var kind: ProviderConfig.Kind { .command }
    package var endpoint: String { arguments.joined(separator: " ") }
    let arguments: [String]
    let timeout: Double

    package init(name: String, arguments: [String], timeout: Double = 60) {
        self.name = name
        self.arguments = arguments
        self.timeout = timeout
    }

    package func complete(_ request: ChatRequest, sample: Int) async throws -> ChatResponse {
        var object: [String: JSONValue] = [
            "model": .string(request.model), "sample": .number(Double(sample)), "messages": JSONBody.messages(request.messages),
        ]
        if let temperature = request.temperature { object["temperature"] = .number(temperature) }
        if let maxTokens = request.maxTokens { object["max_tokens"] = .number(Double(maxTokens)) }
        let clock = ContinuousClock()
        let start = clock.now
        let (status, output, errors) = try await run(input: JSONValue.object(object).encoded)
        let latency = (clock.now - start).inSeconds
        guard status == 0 else {
            let detail = String(decoding: errors.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ProviderError(.client, provider: name, "provider '\(name)': `\(endpoint)` exited with status \(status)" + (detail.isEmpty ? "" : ": \(detail)"))
        }
        if let answer = JSONBody.object(output) {
            guard let text = (answer["output"] ?? answer["text"] ?? answer["content"])?.stringValue else {
                throw ProviderError(.malformed, provider: name, "provider '\(name)': `\(endpoint)` printed JSON without an \"output\" string")
            }
            let usage = answer["usage"]
            return ChatResponse(
                text: text, model: answer["model"]?.stringValue,
                inputTokens: usage?["input_tokens"]?.integerValue, outputTokens: usage?["output_tokens"]?.integerValue,
                latency: latency
            )
        }
        return ChatResponse(text: String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), latency: latency)
    }

    /// Runs the program without blocking a thread of the cooperative pool; a deadline
    /// ends it.
    private func run(input: Data) async throws -> (Int32, Data, Data) {
        guard let program = arguments.first else {
            throw ProviderError(.configuration, provider: name, "provider '\(name)': `command:` is empty", hint: "give the program and its arguments as a list in folio.yaml")
        }
        let result: ExternalProgram.Result
        do {
            result = try await ExternalProgram(program, Array(arguments.dropFirst())).run(input: input, timeout: .seconds(timeout))
        } catch let error as ExternalProgramError {
            throw ProviderError(.configuration, provider: name, "provider '\(name)': cannot run `\(endpoint)`: \(error.reason)", hint: "check `command:` in folio.yaml")
        }
        if result.timedOut {
            throw ProviderError(.timeout, provider: name, "provider '\(name)': `\(endpoint)` did not answer within \(HTTPTransport.seconds(timeout))")
        }
        return (result.status, result.output, result.error)
    }
}
