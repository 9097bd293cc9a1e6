import Foundation

/// The real small model (Qwen2.5-Coder-0.5B-Instruct) served by llama.cpp's own server
/// from PyPI's xllamacpp, as `Scripts/local-llm/setup.sh` installs it under .build/llm.
public final class LocalModel: @unchecked Sendable {
    public static let folder = ProcessInfo.processInfo.environment["FOLIO_LLM_DIR"].map { URL(fileURLWithPath: $0) }
        ?? Fixtures.packageRoot.appendingPathComponent(".build/llm")
    public static let python = folder.appendingPathComponent("venv/bin/python")
    public static let model = folder.appendingPathComponent("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
    public static let launcher = Fixtures.packageRoot.appendingPathComponent("Scripts/local-llm/serve.py")

    /// True when setup.sh has run; `make test` sets FOLIO_REQUIRE_LLM=1 so a missing model
    /// fails there instead of being skipped.
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: python.path) && FileManager.default.fileExists(atPath: model.path)
    }

    public static var isRequired: Bool { ProcessInfo.processInfo.environment["FOLIO_REQUIRE_LLM"] == "1" }

    private let process: Process
    /// `http://127.0.0.1:PORT`.
    public let baseURL: String

    /// Starts the server on a free loopback port and waits until it answers.
    public init(timeout: TimeInterval = 180) throws {
        let ready = FileManager.default.temporaryDirectory.appendingPathComponent("folio-llm-\(UUID().uuidString).addr")
        process = Process()
        process.executableURL = Self.python
        process.arguments = [Self.launcher.path, Self.model.path, "--ready-file", ready.path]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("folio-llm-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOf: ready, encoding: .utf8), !text.isEmpty {
                baseURL = text.trimmingCharacters(in: .whitespacesAndNewlines)
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        kill(process.processIdentifier, SIGKILL)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw LocalModelError(message: "the local model server did not start within \(Int(timeout)) s:\n\(output.suffix(2000))")
    }

    /// SIGKILL: the test runner blocks SIGTERM, and children inherit that mask.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

public struct LocalModelError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
