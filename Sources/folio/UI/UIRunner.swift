import FolioProcess
import Foundation

/// The test panel's run: this `folio` binary with `arguments` in the repository, its output
/// and errors handed over as they come. The same command a user would type, so a run in the
/// browser and in a terminal are one code path.
struct UIRunner: Sendable {
    let arguments: [String]
    let folder: URL
    let variables: [String: String]

    static var executable: String {
        Bundle.main.executableURL?.path ?? CommandLine.arguments[0]
    }

    func stream(_ deliver: @Sendable (String) async throws -> Void) async throws {
        var environment = variables
        environment["COLUMNS"] = "120"
        environment["NO_COLOR"] = "1"
        try await deliver("$ folio \(arguments.joined(separator: " "))\n")
        let (program, output) = try ExternalProgram(Self.executable, arguments, in: folder, environment: environment).startReadingOutput(includingErrors: true)
        let chunks = AsyncStream<Data> { continuation in
            // Reads block: on a thread of their own, never the cooperative pool's.
            Thread.detachNewThread {
                while true {
                    let data = output.availableData
                    if data.isEmpty { break }
                    continuation.yield(data)
                }
                continuation.finish()
            }
        }
        do {
            for await chunk in chunks { try await deliver(String(decoding: chunk, as: UTF8.self)) }
        } catch {
            program.stop()
            throw error
        }
        program.stop()
        try? output.close()
    }
}
