import FolioModel
import Foundation
import Synchronization

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

    /// Runs the program without blocking a thread of the cooperative pool: the exit is
    /// awaited through the termination handler; a deadline kills it.
    private func run(input: Data) async throws -> (Int32, Data, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let outputs = OutputCollector()
        stdout.fileHandleForReading.readabilityHandler = { outputs.append(out: $0.availableData) }
        stderr.fileHandleForReading.readabilityHandler = { outputs.append(err: $0.availableData) }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(
                    throwing: ProviderError(.configuration, provider: name, "provider '\(name)': cannot run `\(endpoint)`: \(error.localizedDescription)", hint: "check `command:` in folio.yaml"))
                return
            }
            let deadline = timeout
            DispatchQueue.global().asyncAfter(deadline: .now() + deadline) { [weak process] in
                if let process, process.isRunning {
                    outputs.timedOut = true
                    process.terminate()
                }
            }
            // Written from another thread, so a large input to a slow reader blocks no
            // task. A command may exit without reading it (EPIPE): its status and output
            // say what happened, so a failed write is not an error of its own (the
            // non-throwing `write(_:)` traps on EPIPE).
            try? stdin.fileHandleForReading.close()
            // Writing to a pipe whose reader is gone must fail with EPIPE, not end this
            // process with SIGPIPE (as NIO does, for the same reason, on sockets).
            signal(SIGPIPE, SIG_IGN)
            let writer = stdin.fileHandleForWriting
            DispatchQueue.global().async {
                try? writer.write(contentsOf: input)
                try? writer.close()
            }
        }
        stdout.fileHandleForReading.readabilityHandler = nil
        stderr.fileHandleForReading.readabilityHandler = nil
        outputs.append(out: stdout.fileHandleForReading.readDataToEndOfFile())
        outputs.append(err: stderr.fileHandleForReading.readDataToEndOfFile())
        if outputs.timedOut {
            throw ProviderError(.timeout, provider: name, "provider '\(name)': `\(endpoint)` did not answer within \(HTTPTransport.seconds(timeout))")
        }
        return (status, outputs.out, outputs.err)
    }
}

/// The program's output, appended by the pipes' reading handlers on their threads.
private final class OutputCollector: Sendable {
    private struct State {
        var out = Data()
        var err = Data()
        var timedOut = false
    }

    private let state = Mutex(State())

    func append(out data: Data) { state.withLock { $0.out.append(data) } }
    func append(err data: Data) { state.withLock { $0.err.append(data) } }
    var out: Data { state.withLock { $0.out } }
    var err: Data { state.withLock { $0.err } }
    var timedOut: Bool {
        get { state.withLock { $0.timedOut } }
        set { state.withLock { $0.timedOut = newValue } }
    }
}
