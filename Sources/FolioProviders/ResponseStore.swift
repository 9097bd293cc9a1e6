import Crypto
import FolioModel
import Foundation

/// The key of a stored answer: sha256 of the whole request (model, messages, parameters),
/// the sample index and, for the cache, the provider kind and base URL.
package enum RequestKey {
    /// Cache key: the same request to another endpoint is another answer.
    package static func cache(_ request: ChatRequest, sample: Int, provider: any ChatProvider) -> String {
        digest(request, sample: sample, endpoint: "\(provider.kind.rawValue) \(provider.endpoint)")
    }

    /// Recording key: what a replay answers, whichever provider recorded it.
    package static func recording(_ request: ChatRequest, sample: Int) -> String {
        digest(request, sample: sample, endpoint: nil)
    }

    static func digest(_ request: ChatRequest, sample: Int, endpoint: String?) -> String {
        struct Keyed: Encodable {
            let endpoint: String?
            let request: ChatRequest
            let sample: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Keyed(endpoint: endpoint, request: request, sample: sample))) ?? Data()
        return Hex.encode(SHA256.hash(data: data))
    }
}

/// Answers on disk, one JSON file per key (`ab/abcdef….json`), each written to a temp
/// file and renamed so a crash never leaves half an answer. Used for the response cache
/// and for replay recordings; it stores the request beside the answer so a recording
/// can be reviewed in a pull request. Only successful answers are ever stored.
package struct ResponseStore: Sendable {
    package let folder: URL

    package init(folder: URL) {
        self.folder = folder
    }

    struct Entry: Codable {
        let request: ChatRequest
        let sample: Int
        let response: ChatResponse
    }

    func url(_ key: String) -> URL {
        folder.appendingPathComponent(String(key.prefix(2))).appendingPathComponent("\(key).json")
    }

    package func load(_ key: String) -> ChatResponse? {
        guard let data = FileManager.default.contents(atPath: url(key).path) else { return nil }
        return (try? JSONDecoder().decode(Entry.self, from: data))?.response
    }

    package func save(_ key: String, request: ChatRequest, sample: Int, response: ChatResponse) throws {
        let target = url(key)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(Entry(request: request, sample: sample, response: response))
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(key).\(UUID().uuidString).tmp")
        try data.write(to: temporary)
        if rename(temporary.path, target.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
        }
    }
}

/// Answers from recorded responses (`folio eval --record` writes them), so CI can run
/// without keys. A request nobody recorded is an error that says how to record it.
package struct ReplayProvider: ChatProvider {
    package let name: String
    package var kind: ProviderConfig.Kind { .replay }
    package var endpoint: String { store.folder.path }
    let store: ResponseStore

    package init(name: String, folder: URL) {
        self.name = name
        store = ResponseStore(folder: folder)
    }

    package func complete(_ request: ChatRequest, sample: Int) async throws -> ChatResponse {
        let key = RequestKey.recording(request, sample: sample)
        guard let response = store.load(key) else {
            throw ProviderError(
                .missingRecording, provider: name,
                "provider '\(name)' has no recording of this request to \(request.model) (sample \(sample + 1), key \(key.prefix(12))) in \(store.folder.path)",
                hint: "run `folio eval … --record` once with a real provider; the prompt, variables or model changed since the last recording"
            )
        }
        return response
    }
}
