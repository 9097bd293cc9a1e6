import FolioCore
import FolioFakeLLM
import FolioTestSupport
import Foundation
import Testing

/// The audit log, secrets and terminal output under adversarial use, each through the
/// commands (racing promoters through the real binary, one process each): a partial that does not parse, a tag outside the
/// sequence range, keys that straddle a cut or come back in an answer, a branch that
/// re-points a provider, and escape sequences in traces and tags.
@Suite(.serialized)
struct HardeningTests {
    func folio(_ fixture: PromotionFixture, _ arguments: String...) async throws -> CommandResult {
        await CLI.run(arguments + ["--signing-key", fixture.key("alice")], in: fixture.repo.url)
    }

    @Test func racingPromotersEachRecordWhatThePreviousSequencePublished() async throws {
        let fixture = try PromotionFixture(versions: 16)
        #expect(try await folio(fixture, "promote", "triage@1", "--env", "production", "--note", "first").status == 0)
        #expect(try await folio(fixture, "promote", "triage@2", "--env", "production", "--note", "second").status == 0)
        // 16 promoters at once, each a different version (3…16 and two repeats of 1 and 2).
        let versions = Array(3...16) + [1, 2]
        let key = fixture.key("alice")
        let url = fixture.repo.url
        let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for version in versions {
                group.addTask {
                    try await CLI.runProcessAsync(["promote", "triage@\(version)", "--env", "production", "--note", "race \(version)", "--signing-key", key], in: url)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // A promoter may find its version already published by the time it reads the log;
        // every other one lands.
        for result in results where result.status != 0 {
            #expect(result.stderr.contains("is already published in production"), "\(result.stderr)")
        }
        let log = await CLI.run(["log", "--env", "production", "--format", "json"], in: url)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let bySequence = Dictionary(uniqueKeysWithValues: entries.map { ($0["sequence"] as! Int, $0) })
        #expect(bySequence.count == 2 + results.filter { $0.status == 0 }.count)
        var published: Int?
        for sequence in bySequence.keys.sorted() {
            let prompt = try #require((bySequence[sequence]!["prompts"] as? [[String: Any]])?.first)
            #expect(
                prompt["replaces"] as? Int == published,
                "folio/production/\(sequence) says it replaces \(String(describing: prompt["replaces"])), but /\(sequence - 1) published \(String(describing: published))")
            #expect(sequence == 1 || bySequence[sequence - 1] != nil, "a gap before \(sequence)")
            published = prompt["version"] as? Int
        }
        #expect(await CLI.run(["verify"], in: url).status == 0)
    }

    @Test func aVersionWhosePartialDoesNotParseIsNeitherPromotedNorBuilt() async throws {
        let fixture = try PromotionFixture()
        let prompt = Fixtures.prompt("triage", system: "{{> tone}} Type: {{ticket_type}}")
        try fixture.repo.commit(
            "Add a partial",
            files: [
                "prompts/triage.yaml": prompt,
                "prompts/partials/tone.yaml": "schema: folio/partial@1\nname: tone\ncontent: \"Be kind.\"\n",
            ])
        #expect(try await folio(fixture, "promote", "triage", "--env", "production", "--note", "good").status == 0)
        try fixture.repo.commit("Break the partial", files: ["prompts/partials/tone.yaml": "schema: folio/partial@1\nname: tone\ncontent: \"{{#a}} unclosed\"\n"])
        try fixture.repo.commit("Change the prompt", files: ["prompts/triage.yaml": prompt.replacingOccurrences(of: "Type:", with: "Kind:")])
        let promoted = try await folio(fixture, "promote", "triage", "--env", "production", "--note", "broken")
        #expect(promoted.status == 1, "\(promoted.stderr)")
        #expect(promoted.stderr.contains("does not pass lint, so it cannot be promoted"))
        #expect(promoted.stderr.contains("partial 'tone' has errors, so prompt 'triage' cannot render: prompts/partials/tone.yaml:3:"))
        #expect(try fixture.repo.git("tag", "--list", "folio/production/*").split(separator: "\n").count == 1)

        // A tag signed another way (stock git) that promotes it does not get it published either.
        let dist = fixture.repo.url.appendingPathComponent("dist")
        let blob = try fixture.blob("triage", at: "HEAD")
        try fixture.repo.git(
            ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("alice"))", "tag", "-s", "folio/production/2", "-F", "-", "main"],
            input: "promote triage v4 to production\n\nby hand\n\nFolio-Prompt: triage@4 blob=\(blob) replaces=3\n")
        let built = try await folio(fixture, "build", "--env", "production", "--out", dist.path)
        #expect(built.status == 1, "\(built.stdout)\(built.stderr)")
        #expect(built.stderr.contains("the build stops: triage v4 does not pass lint"))
        #expect(built.stderr.contains("prompts/partials/tone.yaml:3:"))
        #expect(!FileManager.default.fileExists(atPath: dist.appendingPathComponent("production/manifest.json").path))
    }

    @Test func aTagOutsideTheSequenceRangeIsABadTagEverywhere() async throws {
        let fixture = try PromotionFixture()
        #expect(try await folio(fixture, "promote", "triage@1", "--env", "production", "--note", "v1").status == 0)
        _ = try fixture.repo.git("tag", "folio/production/999999999999999999", "HEAD")
        let promoted = try await folio(fixture, "promote", "triage@2", "--env", "production", "--note", "v2")
        #expect(promoted.status == 2, "\(promoted.stderr)")
        #expect(promoted.stderr.contains("tag folio/production/999999999999999999 is not a valid promotion tag: '999999999999999999' is not a sequence number: promotions are numbered 1 to 999999999"))
        let verified = await CLI.run(["verify"], in: fixture.repo.url)
        #expect(verified.status == 1)
        #expect(verified.stdout.contains("BAD  folio/production/999999999999999999: '999999999999999999' is not a sequence number"))
        let built = try await folio(fixture, "build", "--env", "production", "--out", fixture.repo.url.appendingPathComponent("dist").path)
        #expect(built.status == 1)
        #expect(built.stderr.contains("folio/production/999999999999999999: '999999999999999999' is not a sequence number"))
        #expect(!FileManager.default.fileExists(atPath: fixture.repo.url.appendingPathComponent("dist/production/manifest.json").path))
    }

    @Test func aCommittedSymlinkIsALintErrorAndItsTargetIsNeverShown() async throws {
        let repo = try TestRepository()
        let secret = repo.url.deletingLastPathComponent().appendingPathComponent("secret-\(UUID()).env")
        try Data("OPENAI_API_KEY=sk-live-ABCDEFGHIJKLMNOPQ\n".utf8).write(to: secret)
        try repo.commit("init", files: ["folio.yaml": Fixtures.config, "prompts/triage.yaml": Fixtures.prompt("triage")])
        try FileManager.default.createSymbolicLink(at: repo.url.appendingPathComponent("prompts/leak.yaml"), withDestinationURL: secret)
        _ = try repo.git("add", "prompts/leak.yaml")
        _ = try repo.git("commit", "-qm", "leak")
        let lint = await CLI.run("lint", in: repo.url)
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("prompts/leak.yaml:1:1: error: prompts/leak.yaml is a symbolic link"), "\(lint.stdout)")
        #expect(!(lint.stdout + lint.stderr).contains("sk-live"))
        let passwd = try TestRepository()
        try passwd.commit("init", files: ["folio.yaml": Fixtures.config])
        try FileManager.default.createDirectory(at: passwd.url.appendingPathComponent("goldensets"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: passwd.url.appendingPathComponent("goldensets/x.yaml").path, withDestinationPath: "/etc/passwd")
        let other = await CLI.run("lint", in: passwd.url)
        #expect(other.status == 1)
        #expect(!(other.stdout + other.stderr).contains("root:"))
    }

    @Test func dataFromTracesAndTagsReachesTheTerminalEscaped() async throws {
        let fixture = try PromotionFixture()
        let note = "fix \u{1B}]0;owned\u{07}\u{1B}[2J done"
        #expect(try await folio(fixture, "promote", "triage@1", "--env", "production", "--note", note).status == 0)
        let log = await CLI.run(["log"], in: fixture.repo.url)
        #expect(!log.stdout.contains("\u{1B}") && !log.stdout.contains("\u{07}"))
        #expect(log.stdout.contains("fix \\u{1B}]0;owned\\u{7}\\u{1B}[2J done"), "\(log.stdout)")

        let trace = fixture.repo.url.appendingPathComponent("spans.jsonl")
        let line =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"chat \u001b[31mred","startTimeUnixNano":"1","endTimeUnixNano":"99999999999999999999999999","attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"gpt\u001b[2J"}},{"key":"gen_ai.output.messages","value":{"stringValue":"bill\u001b]52;c;ZWNobw==\u0007ing"}}]}]}]}]}"#
        try Data((line + "\n").utf8).write(to: trace)
        for arguments in [["traces", "list", trace.path], ["traces", "show", trace.path, "00f067aa0ba902b7"], ["report", trace.path]] {
            let result = await CLI.run(arguments, in: fixture.repo.url)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"), "\(arguments): \(result.stdout)")
            #expect(result.stderr.contains("its latency is n/a"), "\(arguments)")
        }
        let show = await CLI.run(["traces", "show", trace.path, "00f067aa0ba902b7"], in: fixture.repo.url)
        #expect(show.stdout.contains("latency: n/a"))
        #expect(show.stdout.contains("bill\\u{1B}]52;c;ZWNobw==\\u{7}ing"))
    }
}

/// Secrets in provider failures and answers, and the providers a pull request may use.
@Suite(.serialized)
struct ProviderSecretTests {
    static let key = "sk-straddle-0123456789abcdefghij"

    func repository(_ baseURL: String) throws -> TestRepository {
        let repo = try TestRepository()
        let config = """
            schema: folio/config@1
            providers:
              openai: { kind: openai, base_url: "\(baseURL)", api_key_env: FAKE_LLM_KEY }
            """
        try repo.commit("Add triage", files: ["folio.yaml": config, WorkedExample.promptPath: WorkedExample.promptV1, WorkedExample.goldenSetPath: WorkedExample.goldenSet])
        try repo.write(".gitignore", ".folio/\nout*/\n")
        return repo
    }

    /// Every file under `folder`, as text.
    func texts(_ folder: URL) -> [String: String] {
        var result: [String: String] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: folder.path) ?? FileManager.default.enumerator(atPath: "/nonexistent")! {
            if let text = try? String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8) { result[path] = text }
        }
        return result
    }

    /// The longest run of the key's first characters found in `text`.
    func leaked(_ text: String) -> Int {
        var longest = 0
        for length in stride(from: Self.key.count, through: 1, by: -1) where text.contains(Self.key.prefix(length)) {
            longest = length
            break
        }
        return longest
    }

    @Test func aKeyThatStraddlesTheCutOrComesBackInAnAnswerIsRedacted() async throws {
        let server = try await FakeLLMServer.start { _, _ in "Sure: your key is \(ProviderSecretTests.key), and the team is billing" }
        defer { Task { await server.stop() } }
        let repo = try repository(server.baseURL)
        let body = String(repeating: "E", count: 300 - Self.key.count + 1) + Self.key
        server.script(.status(401, body: body))
        let failed = await CLI.run(["eval", "support_ticket_triage", "--no-cache", "--out", "out-401"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(failed.status != 0)
        for (name, text) in texts(repo.url.appendingPathComponent("out-401")) {
            #expect(leaked(text) < Redaction_minimumPrefix, "\(name) holds \(leaked(text)) characters of the key")
        }
        #expect(leaked(failed.stdout + failed.stderr) < Redaction_minimumPrefix)

        let answered = await CLI.run(["eval", "support_ticket_triage", "--record", "--out", "out-answer"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(answered.stdout.contains("[redacted]") || texts(repo.url.appendingPathComponent("out-answer")).values.contains { $0.contains("[redacted]") })
        for folder in ["out-answer", ".folio/cache", ".folio/recordings"] {
            let files = texts(repo.url.appendingPathComponent(folder))
            #expect(!files.isEmpty, "\(folder) is empty")
            for (name, text) in files {
                #expect(leaked(text) < Redaction_minimumPrefix, "\(folder)/\(name) holds \(leaked(text)) characters of the key")
            }
        }
    }

    @Test func aBranchThatRepointsAProviderIsNotTrustedWithTheKeys() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let thief = try await FakeLLMServer.start()
        defer { Task { await thief.stop() } }
        let repo = try repository(server.baseURL)
        _ = try repo.git("checkout", "-q", "-b", "exfiltrate")
        let config = """
            schema: folio/config@1
            providers:
              openai: { kind: openai, base_url: "\(thief.baseURL)", api_key_env: FAKE_LLM_KEY }
            """
        try repo.commit("Tweak the prompt", files: ["folio.yaml": config, WorkedExample.promptPath: WorkedExample.promptV2])
        let refused = await CLI.run(["check", "--base", "main"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("this change adds or alters provider 'openai' in folio.yaml"))
        #expect(refused.stderr.contains("--trust-head-providers"))
        #expect(thief.requestCount == 0)

        let trusted = await CLI.run(["check", "--base", "main", "--trust-head-providers", "--format", "markdown"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(trusted.stdout.contains("**Note:** evaluated with the head revision's provider configuration (--trust-head-providers)"))
        #expect(thief.requestCount > 0)

        // A change that leaves providers alone uses the base's, whatever the working tree says.
        _ = try repo.git("checkout", "-q", "main")
        _ = try repo.git("checkout", "-q", "-b", "honest")
        try repo.commit("Only the prompt", files: [WorkedExample.promptPath: WorkedExample.promptV2])
        let before = thief.requestCount
        let honest = await CLI.run(["check", "--base", "main"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(honest.status == 0, "\(honest.stderr)")
        #expect(thief.requestCount == before)
    }
}

/// `Redaction.minimumPrefix`, without importing FolioProviders into the CLI tests.
let Redaction_minimumPrefix = 9
