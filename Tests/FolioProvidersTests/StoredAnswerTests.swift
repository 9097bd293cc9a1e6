import FolioModel
import FolioProviders
import Foundation
import Testing

@Suite("Replay, command provider and the response store")
struct StoredAnswerTests {
    static let request = ChatRequest(model: "gpt-4o", messages: [LLMMessage(role: "user", content: "Where is my invoice?")], temperature: 0)

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("folio-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func replayAnswersWhatWasRecordedPerSampleAndNamesTheFixForTheRest() async throws {
        let folder = try temporaryFolder()
        let store = ResponseStore(folder: folder)
        let recorded = ChatResponse(text: "billing", model: "gpt-4o", inputTokens: 12, outputTokens: 1, latency: 0.42)
        try store.save(RequestKey.recording(Self.request, sample: 0), request: Self.request, sample: 0, response: recorded)
        let replay = ReplayProvider(name: "replay", folder: folder)
        #expect(try await replay.complete(Self.request, sample: 0) == recorded)
        await #expect {
            try await replay.complete(Self.request, sample: 1)
        } throws: { error in
            (error as? ProviderError)?.kind == .missingRecording && "\(error)".contains("--record")
        }
    }

    @Test func keysDependOnEveryPartOfTheRequest() {
        var other = Self.request
        other.temperature = 0.5
        #expect(RequestKey.recording(Self.request, sample: 0) != RequestKey.recording(other, sample: 0))
        #expect(RequestKey.recording(Self.request, sample: 0) != RequestKey.recording(Self.request, sample: 1))
        #expect(RequestKey.recording(Self.request, sample: 0) == RequestKey.recording(Self.request, sample: 0))
        let a = OpenAIProvider(name: "a", baseURL: "http://127.0.0.1:1/v1", apiKey: "k1")
        let b = OpenAIProvider(name: "b", baseURL: "http://127.0.0.1:2/v1", apiKey: "k1")
        #expect(RequestKey.cache(Self.request, sample: 0, provider: a) != RequestKey.cache(Self.request, sample: 0, provider: b))
    }

    @Test func theCommandProviderSendsJSONOnStdinAndReadsTheAnswer() async throws {
        let folder = try temporaryFolder()
        let script = folder.appendingPathComponent("model.sh")
        try """
        #!/bin/sh
        input=$(cat)
        case "$input" in
          *invoice*) echo '{"output": "billing", "usage": {"input_tokens": 9, "output_tokens": 1}}' ;;
          *) echo 'general' ;;
        esac
        """.write(to: script, atomically: true, encoding: .utf8)
        let provider = CommandProvider(name: "cmd", arguments: ["sh", script.path])
        let answer = try await provider.complete(Self.request, sample: 0)
        #expect(answer.text == "billing" && answer.inputTokens == 9)
        let plain = try await provider.complete(ChatRequest(model: "m", messages: [LLMMessage(role: "user", content: "hi")]), sample: 0)
        #expect(plain.text == "general" && plain.inputTokens == nil)
        let failing = CommandProvider(name: "cmd", arguments: ["sh", "-c", "echo broken >&2; exit 3"])
        await #expect {
            try await failing.complete(Self.request, sample: 0)
        } throws: { error in
            "\(error)".contains("exited with status 3") && "\(error)".contains("broken")
        }
        // A command that exits without reading a large input: the write fails with EPIPE,
        // and the answer is still the command's exit status, not a crash.
        let large = ChatRequest(model: "m", messages: [LLMMessage(role: "user", content: String(repeating: "x", count: 1 << 20))])
        await #expect {
            try await failing.complete(large, sample: 0)
        } throws: { error in
            "\(error)".contains("exited with status 3")
        }
    }
}
