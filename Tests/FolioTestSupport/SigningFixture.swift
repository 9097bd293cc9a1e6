import Foundation

/// A Folio repository with ed25519 keys made by ssh-keygen and an allowed_signers file
/// committed on main, for promotion tests.
public final class PromotionFixture: @unchecked Sendable {
    public let repo: TestRepository
    public let keys: URL

    /// - Parameter signers: extra allowed_signers lines, after alice's.
    public init(prompts: [String] = ["triage"], versions: Int = 2, signerOptions: String = "", extraSigners: [String] = []) throws {
        keys = FileManager.default.temporaryDirectory.appendingPathComponent("folio-keys-\(UUID())")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        repo = try TestRepository()
        try makeKey("alice")
        try makeKey("mallory")
        try makeKey("bob")
        var signers = "# test signers\nalice@example.com \(signerOptions) \(try publicKey("alice"))\n"
        for line in extraSigners { signers += line + "\n" }
        var files = ["folio.yaml": Fixtures.config, ".folio/allowed_signers": signers]
        for prompt in prompts { files["prompts/\(prompt).yaml"] = Fixtures.prompt(prompt, system: "\(prompt) v1 {{ticket_type}}") }
        try repo.commit("v1", files: files)
        for version in stride(from: 2, through: versions, by: 1) {
            var changed: [String: String] = [:]
            for prompt in prompts { changed["prompts/\(prompt).yaml"] = Fixtures.prompt(prompt, system: "\(prompt) v\(version) {{ticket_type}}") }
            try repo.commit("v\(version)", files: changed)
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: keys)
    }

    public func key(_ name: String) -> String { keys.appendingPathComponent(name).path }

    public func publicKey(_ name: String) throws -> String {
        try String(contentsOf: keys.appendingPathComponent("\(name).pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func makeKey(_ name: String) throws {
        let result = try Command.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "\(name)@example.com", "-f", key(name)])
        guard result.status == 0 else { throw CommandFailure(command: "ssh-keygen", result: result) }
    }

    /// Writes the allowed_signers file to a temporary path for `git tag -v`.
    public func allowedSignersFile() throws -> String {
        let path = keys.appendingPathComponent("allowed_signers").path
        try Data(try String(contentsOf: repo.url.appendingPathComponent(".folio/allowed_signers"), encoding: .utf8).utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The blob id of a prompt at version N on main (N-th commit).
    public func blob(_ prompt: String, at revision: String) throws -> String {
        try repo.git("rev-parse", "\(revision):prompts/\(prompt).yaml")
    }
}
