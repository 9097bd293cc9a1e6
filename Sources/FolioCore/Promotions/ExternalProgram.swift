import Foundation
import Synchronization

/// Runs a helper program (ssh-keygen, gpg, git) found on PATH.
enum ExternalProgram {

    /// With `interactive`, standard input and error stay the terminal's, so the program
    /// can ask for a passphrase.
    static func run(_ program: String, _ arguments: [String], input: Data? = nil, interactive: Bool = false, in folder: URL? = nil) throws -> (status: Int32, output: Data, error: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        if let folder { process.currentDirectoryURL = folder }
        let output = Pipe(), error = Pipe(), stdin = Pipe()
        process.standardOutput = output
        if !interactive {
            process.standardError = error
            process.standardInput = stdin
        }
        do {
            try process.run()
        } catch {
            throw FolioError(.configuration, "cannot run \(program): \(error.localizedDescription)")
        }
        let collected = Mutex(Data())  // standard error, read on another thread so a chatty program cannot block on a full pipe
        let group = DispatchGroup()
        if !interactive {
            // A program that exits without reading its input must neither trap on EPIPE nor
            // end this process with SIGPIPE.
            signal(SIGPIPE, SIG_IGN)
            if let input { try? stdin.fileHandleForWriting.write(contentsOf: input) }
            try? stdin.fileHandleForWriting.close()
            group.enter()
            DispatchQueue.global().async {
                let data = error.fileHandleForReading.readDataToEndOfFile()
                collected.withLock { $0 = data }
                group.leave()
            }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, data, collected.withLock { $0 })
    }
}
