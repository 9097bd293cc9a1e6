import Foundation
import FolioCore
import FolioProcess
import FolioSigning

/// `folio demo`: the triage story in a temporary repository, each step narrated and run
/// as the real command a user would type.
struct Demo {
    let keep: Bool
    let env: CommandEnvironment

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer {
            if keep {
                env.print("\nThe demo repository is kept at \(folder.path)")
            } else {
                try? FileManager.default.removeItem(at: folder)
            }
        }
        let shell = DemoShell(folder: folder, env: env)

        say(
            """
            Folio demo: a support-ticket triage prompt routes each ticket to billing, technical,
            account or general. Its prompt lives in git as YAML; every change is a version.
            Working in \(folder.path)
            """)
        try shell.git("init", "-q", "-b", "main")
        try shell.git("config", "user.name", "Dana Demo")
        try shell.git("config", "user.email", "dana@example.com")
        let key = SSHPrivateKey(comment: "dana@example.com")
        let keyFile = folder.appendingPathComponent(".demo-key")
        try AtomicFile.write(Data(key.pem.utf8), to: keyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        try shell.write("/.demo-key\n/.demo-key.pub\n/dist/\n/check-report/\n/.folio/cache/\n/traces/\n/tickets.jsonl\n/drafts/\n", to: ".git/info/exclude")
        let model = DemoModel(env)
        defer { model.stop() }
        try shell.write(model.config(Scaffold.config), to: "folio.yaml")
        try shell.write(Scaffold.allowedSigners + "dana@example.com \(key.publicKey.line)\n", to: ".folio/allowed_signers")
        try shell.write(WorkedExample.promptV1, to: WorkedExample.promptPath)
        try shell.git("add", ".")
        try shell.git("commit", "-q", "-m", "Add the support ticket triage prompt")

        say("1. Version 1 is committed. Lint checks every file, like a compiler would:")
        try shell.folio("lint")

        say("2. Production runs version 1. A promotion is a signed git tag (a throwaway ed25519\n   key, listed in .folio/allowed_signers, stands in for yours):")
        try shell.folio("promote", "\(WorkedExample.promptName)@1", "--env", "production", "--note", "First release.", "--signing-key", keyFile.path)

        say("   `folio build` turns verified promotions into a signed manifest; `folio serve` (or any\n   static host) hands it to apps. The app below uses only the SDK and the public key:")
        try shell.folio("build", "--env", "production", "--out", "dist", "--signing-key", keyFile.path)
        let publicKeyFile = folder.appendingPathComponent(".demo-key.pub")
        try AtomicFile.write(Data((key.publicKey.line + "\n").utf8), to: publicKeyFile)
        let server = try DemoProcess(["serve", "dist", "--port", "0"], in: folder, env: env, shown: "folio serve dist --port 0")
        defer { server.stop() }
        let manifestURL = "http://127.0.0.1:\(server.port)/production/manifest.json"
        try shell.example(manifestURL, publicKeyFile.path)

        let traffic = model.appModelURL.map { DemoTraffic(shell: shell, modelURL: $0) }
        if let traffic {
            say(
                traffic.python == nil
                    ? "3. Production traffic: the app triages a batch of tickets with version 1 through the model.\n   Its SDK spans (gen_ai.* plus gen_ai.prompt.name/version) go over OTLP/HTTP to `folio collect`:"
                    : "3. Production traffic: two apps triage a batch of tickets with version 1 through the model, and\n   their spans go over OTLP/HTTP to `folio collect`: a Swift app on Folio's SDK, then a Python\n   service on folio_client, openai and the stock OpenTelemetry SDK with the official GenAI\n   instrumentation (protobuf traces, and the answers as log records):"
            )
            try traffic.batch(manifestURL: manifestURL, publicKey: publicKeyFile.path)
            say("   Every span was a 200, yet the report, with the expected team as the label, shows the misrouting:")
            try shell.folio("report", DemoTraffic.tracesFolder, "--label-attr", "app.expected_team")
            if traffic.python != nil {
                say("   The Python service's calls alone (its resource's service.name), joined to its own spans:")
                try shell.folio("report", DemoTraffic.tracesFolder, "--label-attr", "app.expected_team", "--where", "service.name=triage-service")
            }
        } else {
            say("3. (No model to send production traffic to: `make demo` installs a local one. The demo goes on\n   with a golden set written by hand.)")
        }

        say("4. The fix goes on a branch. The failing production spans become golden-set cases, with their\n   variables recovered from the span and the right team as expected:")
        try shell.git("checkout", "-q", "-b", "fix-billing-api")
        let failures = try await traffic?.failures(version: 1) ?? []
        if failures.isEmpty {
            try shell.write(WorkedExample.goldenSet, to: WorkedExample.goldenSetPath)
            env.print("   (wrote \(WorkedExample.goldenSetPath) by hand)")
        } else {
            try shell.write(
                """
                schema: folio/goldenset@1
                prompt: \(WorkedExample.promptName)
                description: Misrouted tickets captured from production traces.
                defaults:
                  assert: [{ type: equals, normalize: [trim, lowercase] }]
                cases: []

                """, to: WorkedExample.goldenSetPath)
            for failure in failures {
                try shell.folio("goldenset", "add", WorkedExample.goldenSetPath, "--from-trace", DemoTraffic.tracesFolder, "--span", failure.spanID, "--expected", failure.expected)
            }
            say("   A prompt that so far lived in app code becomes a file the same way, its values turned into\n   {{variables}} (shown here as a draft; ours is already managed):")
            try shell.folio("prompt", "from-trace", DemoTraffic.tracesFolder, "--span", failures[0].spanID, "--name", "triage_draft", "--out", "drafts/triage_draft.yaml")
        }
        say("   The fix spells out the teams and adds a rule. Before committing, diff the draft:")
        try shell.write(WorkedExample.promptV2, to: WorkedExample.promptPath)
        try shell.folio("diff", WorkedExample.promptName)

        say(
            "5. The fix and its golden set are committed on the branch. Before merging, `folio check`\n   runs the golden set on version 1 (main) and on the fix, side by side on a real model, and\n   gates on new failures (cases that passed before and fail now):"
        )
        try shell.git("add", ".")
        try shell.git("commit", "-q", "-m", "Route billing-API faults to technical")
        try model.check(shell)

        say("   The pull request is merged. Each distinct content of the file on main is a version:")
        try shell.git("checkout", "-q", "main")
        try shell.git("merge", "-q", "--ff-only", "fix-billing-api")
        try shell.folio("lint")
        try shell.folio("versions", WorkedExample.promptName)

        say("6. Render version 2 as the model receives it (no HTML escaping: & stays &):")
        try shell.folio("render", "\(WorkedExample.promptName)@2", "--var", "ticket_text=The billing API returns wrong amounts & times out", "--var", "ticket_type=web")

        say("7. A value the prompt does not allow is refused, naming the prompt, version and variable:")
        try shell.folio("render", "\(WorkedExample.promptName)@2", "--var", "ticket_text=Hi", "--var", "ticket_type=fax", expectFailure: true)

        say("8. Ship version 2 to production, with the reason on record, and read the audit log:")
        try shell.folio("promote", "\(WorkedExample.promptName)@2", "--env", "production", "--note", "Fix billing/technical misclassification from model drift.", "--signing-key", keyFile.path)
        try shell.folio("log", "--env", "production")
        try shell.folio("build", "--env", "production", "--out", "dist", "--signing-key", keyFile.path)
        say("   The running server hands out the new manifest; the app picks it up within its cache\n   TTL, with no deploy:")
        try shell.example(manifestURL, publicKeyFile.path)
        if let traffic {
            say("   A second batch runs on version 2, and the same report, by version, confirms the fix:")
            try traffic.batch(manifestURL: manifestURL, publicKey: publicKeyFile.path)
            try shell.folio("report", DemoTraffic.tracesFolder, "--label-attr", "app.expected_team", "--compare", "version=1,version=2")
        }

        say("9. Rolling back is one more promotion: the log only grows.")
        try shell.folio("rollback", WorkedExample.promptName, "--env", "production", "--note", "Roll back while we check v2 on more tickets.", "--signing-key", keyFile.path)
        try shell.folio("log", "--env", "production", "--prompt", WorkedExample.promptName)
        try shell.folio("versions", WorkedExample.promptName)
        try shell.folio("build", "--env", "production", "--out", "dist", "--signing-key", keyFile.path)
        try shell.example(manifestURL, publicKeyFile.path)

        say("10. Stock git agrees: every promotion verifies with `git tag -v`, and with folio verify:")
        let signers = folder.appendingPathComponent(".folio/allowed_signers").path
        try shell.git("-c", "gpg.ssh.allowedSignersFile=\(signers)", "tag", "-v", "folio/production/3", echo: true)
        try shell.folio("verify")

        say("Done. Next: `folio init` in your own repository.")
    }

    private func say(_ text: String) {
        env.print("\n" + text)
    }
}

/// Runs git and folio in the demo folder, echoing each command. The steps write to the
/// process's own standard output and error, so that narration and steps interleave.
struct DemoShell {
    let folder: URL
    let env: CommandEnvironment

    func write(_ text: String, to path: String) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(text.utf8), to: url)
    }

    func git(_ arguments: String..., echo: Bool = false) throws {
        if echo { env.print("$ git " + arguments.joined(separator: " ")) }
        var environment = env.variables
        for (key, value) in [
            "GIT_AUTHOR_NAME": "Dana Demo", "GIT_AUTHOR_EMAIL": "dana@example.com",
            "GIT_COMMITTER_NAME": "Dana Demo", "GIT_COMMITTER_EMAIL": "dana@example.com",
        ] {
            environment[key] = value
        }
        let status = try run("git", arguments, environment: environment)
        guard status == 0 else {
            throw FolioError(.configuration, "`git \(arguments.joined(separator: " "))` failed in \(folder.path)", hint: "check that the git CLI is installed")
        }
    }

    /// Runs a program: a path, or the name of one built beside folio (the example apps).
    func program(_ name: String, _ arguments: [String], environment: [String: String]? = nil, shown: String) throws {
        let program = name.hasPrefix("/") ? name : URL(fileURLWithPath: Self.executable).deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw FolioError(.configuration, "\(name) is not built next to folio", hint: "run `swift build` (make demo does)")
        }
        env.print("$ " + shown)
        let status = try run(program, arguments, environment: environment ?? env.variables)
        guard status == 0 else { throw FolioError(.configuration, "`\(shown)` exited with \(status)") }
    }

    /// Runs the SDK example app (built beside folio) against the manifest URL.
    func example(_ arguments: String...) throws {
        try program("folio-sdk-example", arguments, shown: "folio-sdk-example \(arguments[0]) <public key>")
    }

    @discardableResult
    func folio(_ arguments: String..., expectFailure: Bool = false, acceptExitCodes: Set<Int32>? = nil) throws -> Int32 {
        env.print("$ folio " + arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "))
        let status = try run(Self.executable, arguments, environment: env.variables)
        if let acceptExitCodes {
            guard acceptExitCodes.contains(status) else { throw FolioError(.configuration, "the demo step `folio \(arguments.joined(separator: " "))` exited with \(status)") }
        } else if expectFailure != (status != 0) {
            throw FolioError(.configuration, "the demo step `folio \(arguments.joined(separator: " "))` exited with \(status)")
        }
        return status
    }

    /// Runs a step with this process's output, so the narration and the step interleave.
    private func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Int32 {
        try ExternalProgram(executable, arguments, in: folder, environment: environment).run(output: .inherit).status
    }

    /// This program's own executable.
    static var executable: String {
        let link = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if FileManager.default.isExecutableFile(atPath: link), link != "/proc/self/exe" { return link }
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}

/// A folio server command (`serve`, `collect`) for the demo, on a free port, stopped at the end.
final class DemoProcess {
    let server: RunningProgram
    let port: Int

    /// `arguments` must include `--port 0`; `shown` is the command as narrated.
    init(_ arguments: [String], in folder: URL, env: CommandEnvironment, shown: String) throws {
        let output: FileHandle
        (server, output) = try ExternalProgram(DemoShell.executable, arguments, in: folder, environment: env.variables).startReadingOutput()
        var text = ""
        while !text.contains("\n") {
            let data = output.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: "http://127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            throw FolioError(.configuration, "`folio \(arguments.joined(separator: " "))` did not start: \(text)")
        }
        self.port = port
        env.print("$ \(shown)    # listening on 127.0.0.1:\(port)")
    }

    /// SIGTERM: a graceful stop (collect writes every accepted batch first).
    func stop() {
        server.stop()
    }
}
