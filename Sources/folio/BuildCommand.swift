import ArgumentParser
import Foundation
import FolioCore
import FolioManifest
import FolioSigning

struct BuildCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write the signed manifest of each environment and the version files into dist/.",
        discussion: """
            Reads only verified promotions: a bad tag stops the build, naming it. Writes
              dist/<env>/manifest.json, dist/<env>/manifest.json.sig (namespace folio-manifest),
              dist/prompts/<name>/<version>.json, and a .gz copy of each JSON file.
            The same repository state gives the same bytes; --expires adds an expiry time.
            Check a signature with:
              ssh-keygen -Y verify -n folio-manifest -f allowed_signers -I <principal> -s manifest.json.sig < manifest.json

            Examples:
              folio build --env production --out dist/
              folio build --env staging --env production --out dist/ --expires 7d
            """
    )

    @Option(name: .customLong("env"), help: "An environment to build (repeatable).")
    var environments: [String]

    @Option(help: "The output folder.")
    var out: String = "dist"

    @Option(name: .customLong("signing-key"), help: "An OpenSSH private key (overrides FOLIO_SIGNING_KEY and git's user.signingkey).")
    var signingKey: String?

    @Option(help: "How long the manifest may be served: 30m, 12h, 7d.")
    var expires: String?

    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        guard !environments.isEmpty else { throw ValidationError("name at least one --env") }
        if let expires, Self.seconds(expires) == nil {
            throw ValidationError("--expires '\(expires)' is not a duration: use a number and s, m, h or d (e.g. 7d)")
        }
    }

    /// A duration such as `90s`, `15m`, `24h` or `7d`, at most 100 years (so that a time
    /// it reaches can always be written down); nil otherwise.
    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let number = Double(text.dropLast()), number > 0, number.isFinite else { return nil }
        let seconds: Double
        switch unit {
        case "s": seconds = number
        case "m": seconds = number * 60
        case "h": seconds = number * 3600
        case "d": seconds = number * 86400
        default: return nil
        }
        return seconds <= 100 * 365.25 * 86400 ? seconds : nil
    }

    func run(in env: CommandEnvironment) throws {
        let repo = try repository.open(env)
        let signer = try TagSigner.resolve(explicitKey: signingKey, git: repo.git, environment: env.variables, in: env.workingDirectory)
        let builder = ManifestBuilder(repository: repo, signer: signer, lifetime: expires.flatMap(Self.seconds), oneShot: env.ownsProcess)
        let folder = env.url(out)
        let output = try builder.build(environments, into: folder)
        for path in output.manifests.sorted() {
            env.print("wrote \(folder.appendingPathComponent(path).path)")
        }
        env.print("\(output.versionFiles) version file(s), signed with \(signer.description)")
        env.print(
            output.patched
                ? "checked \(output.checkedTags) promotion tag(s) added since the last build"
                : "checked all \(output.checkedTags) promotion tag(s)")
        if let manifest = output.manifests.sorted().first { try explainSignature(repo, folder: folder, manifest: manifest, env) }
    }

    /// Which key signed, what apps pin, and the principal and namespace a verifier needs.
    private func explainSignature(_ repo: PromptRepository, folder: URL, manifest: String, _ env: CommandEnvironment) throws {
        let manifestPath = folder.appendingPathComponent(manifest).path
        guard let armored = FileManager.default.contents(atPath: manifestPath + ".sig").map({ String(decoding: $0, as: UTF8.self) }),
            let key = try? SSHSignature(armored: armored).publicKey
        else { return }
        env.print("the manifest key (apps pin it: FolioClient's publicKeys, folio_client's public_keys): \(key.line)")
        let path = repo.config.allowedSigners
        let text =
            try repo.git.blobID(of: path, inCommit: try repo.git.resolveCommit(try repo.mainRevision()))
            .map { String(decoding: try repo.git.readBlob($0), as: UTF8.self) } ?? ""
        let entries = AllowedSigners(text: text, path: path).entries(for: key, namespace: "folio-manifest")
        if let principal = entries.first?.principals.first(where: { !$0.contains("*") && !$0.contains("?") && !$0.hasPrefix("!") }) {
            env.print("verify: ssh-keygen -Y verify -n folio-manifest -f \(path) -I \(principal) -s \(manifestPath).sig < \(manifestPath)")
        } else if entries.isEmpty {
            env.note(
                "note: no line of \(path) on \(repo.config.mainBranch) allows this key in the folio-manifest namespace, so `ssh-keygen -Y verify -n folio-manifest -f \(path)` refuses the signature (apps that pin the key are not affected): add folio-manifest to that line's namespaces=\"git,folio-manifest\""
            )
        } else {
            env.print("verify: ssh-keygen -Y verify -n folio-manifest -f \(path) -I <an identity matching \(entries[0].principalText)> -s \(manifestPath).sig < \(manifestPath)")
        }
    }
}
