import FolioProcess
import Foundation

/// A real model on loopback: llama.cpp's OpenAI-compatible server from PyPI's xllamacpp,
/// started through `Scripts/local-llm/serve.py` on a free port (the demo and the tests use
/// it; `Scripts/local-llm/setup.sh` installs it).
package final class LocalModelServer: Sendable {
    /// Where setup.sh puts the virtual environment and the model.
    package struct Installation: Sendable {
        package let python: URL
        package let launcher: URL
        package let model: URL

        /// `folder` is setup.sh's folder (.build/llm); `launcher` is serve.py.
        package init(folder: URL, launcher: URL) {
            python = folder.appendingPathComponent("venv/bin/python")
            self.launcher = launcher
            model = folder.appendingPathComponent("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
        }

        package var isInstalled: Bool {
            FileManager.default.isExecutableFile(atPath: python.path) && FileManager.default.fileExists(atPath: model.path)
                && FileManager.default.fileExists(atPath: launcher.path)
        }

        /// The model's name as the server reports it.
        package static let modelName = "qwen2.5-coder-0.5b-instruct"
    }

    private let server: RunningProgram
    /// `http://127.0.0.1:PORT`.
    package let baseURL: String

    /// Starts the server and waits until it answers.
    package init(_ installation: Installation, timeout: TimeInterval = 180) throws {
        let temporary = FileManager.default.temporaryDirectory
        let ready = temporary.appendingPathComponent("folio-llm-\(UUID().uuidString).addr")
        let log = temporary.appendingPathComponent("folio-llm-\(UUID().uuidString).log")
        server = try ExternalProgram(installation.python.path, [installation.launcher.path, installation.model.path, "--ready-file", ready.path])
            .start(output: .file(log))
        defer { try? FileManager.default.removeItem(at: ready) }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOf: ready, encoding: .utf8), !text.isEmpty {
                baseURL = text.trimmingCharacters(in: .whitespacesAndNewlines)
                return
            }
            guard server.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        server.stop(signal: SIGKILL)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw LocalModelError(message: "the local model server did not start within \(Int(timeout)) s:\n\(output.suffix(2000))")
    }

    /// SIGKILL: a test runner may block SIGTERM, and children inherit that mask; the
    /// server holds nothing that needs a clean exit.
    package func stop() {
        server.stop(signal: SIGKILL)
    }
}

package struct LocalModelError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}
