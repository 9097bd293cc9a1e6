import FolioTestSupport
import Foundation
import Testing

/// The trace commands on the Collector's tables in ClickHouse (the real engine behind the
/// test front): the same answers as from the files, values only ever as query parameters,
/// and a password that stays in its environment variable.
struct ClickHouseSourceTests {
    /// Imports trace files into a fresh database; returns its URL.
    static func imported(_ paths: [String], front: ClickHouseFront? = nil, environment: [String: String] = [:]) async throws -> String {
        let front = try front ?? ClickHouseFront.shared()
        let url = front.url(database: ClickHouseFront.databaseName())
        let result = await CLI.run(["traces", "import"] + paths + ["--to", url, "--create-tables"], in: FileManager.default.temporaryDirectory, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("imported "), "\(result.stdout)")
        return url
    }

    /// What a command printed, without the lines that name where it read.
    static func answer(_ result: CommandResult) -> String {
        result.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !($0.hasPrefix("span ") && $0.contains(" in trace ")) }
            .joined(separator: "\n")
    }

    /// Runs `command` with the files (then `rest`) and with the tables; expects the same
    /// exit code and output.
    static func expectSame(_ command: [String], _ rest: [String], files: [String], source: String, status: Int32 = 0) async {
        let folder = FileManager.default.temporaryDirectory
        let fromFiles = await CLI.run(command + files + rest, in: folder)
        let fromClickHouse = await CLI.run(command + ["--source", source] + rest, in: folder)
        #expect(fromFiles.status == status, "\(command + rest): \(fromFiles.stderr)")
        #expect(fromClickHouse.status == fromFiles.status, "\(command + rest): \(fromClickHouse.stderr)")
        let (left, right) = (answer(fromFiles).split(separator: "\n"), answer(fromClickHouse).split(separator: "\n"))
        let differing = zip(left, right).enumerated().filter { $1.0 != $1.1 }.prefix(3).map { "line \($0): files '\($1.0)' | clickhouse '\($1.1)'" }
        #expect(answer(fromClickHouse) == answer(fromFiles), "\(command + rest): \(left.count) and \(right.count) lines; \(differing.joined(separator: "; "))")
    }

    /// The prompt the fixtures' traffic was rendered from.
    static let triagePrompt = """
        schema: folio/prompt@1
        name: support_ticket_triage
        variables:
          ticket_text: { type: string, required: true }
          ticket_type: { type: string, enum: [email, chat, web], default: email }
        messages:
          - role: system
            content: "You are a support ticket classifier. Answer with one word: billing, technical, account or general.\\nTicket type: {{ticket_type}}"
          - role: user
            content: "{{ticket_text}}"

        """

    @Test(arguments: InstrumentationFixtureTests.variants)
    func everyTraceCommandAnswersAsTheFilesDo(_ variant: String) async throws {
        let folder = InstrumentationFixtureTests.folder(variant)
        let source = try await Self.imported([folder])
        for rest in [
            ["--label-attr", "triage.expected", "--format", "json"], ["--label-attr", "triage.expected", "--compare", "version=1,version=2", "--format", "json"],
            ["--by", "model,triage.expected", "--where", "service.name=triage-service"], ["--label-attr", "triage.expected", "--format", "markdown"],
        ] {
            await Self.expectSame(["report"], rest, files: [folder], source: source)
        }
        await Self.expectSame(
            ["alert"], ["--label-attr", "triage.expected", "--rule", "misclassification_rate > 10%", "--rule", "latency_p95 > 600"], files: [folder], source: source,
            status: 1)
        await Self.expectSame(["traces", "list"], ["--format", "json"], files: [folder], source: source)
        await Self.expectSame(["traces", "list"], ["--limit", "2", "--where", "triage.expected=technical"], files: [folder], source: source)
        await Self.expectSame(["traces", "show"], ["00f067aa0ba90002"], files: [folder], source: source)
        // The files given as arguments, or the store as --source: same draft, same cases.
        let drafts = FileManager.default.temporaryDirectory.appendingPathComponent("folio-drafts-\(UUID())")
        for (name, given) in [("files", [folder]), ("clickhouse", ["--source", source])] {
            let result = await CLI.run(
                ["prompt", "from-trace"] + given + ["--span", "00f067aa0ba90002", "--name", "triage", "--out", drafts.appendingPathComponent("\(name).yaml").path],
                in: drafts.deletingLastPathComponent())
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(
            try String(contentsOf: drafts.appendingPathComponent("files.yaml"), encoding: .utf8)
                == String(contentsOf: drafts.appendingPathComponent("clickhouse.yaml"), encoding: .utf8))
        var sets: [String] = []
        for given in [["--from-trace", folder], ["--source", source]] {
            let repo = try TestRepository()
            try repo.commit("init", files: ["folio.yaml": Fixtures.config, "prompts/support_ticket_triage.yaml": Self.triagePrompt])
            let result = await CLI.run(
                ["goldenset", "add", "goldensets/support_ticket_triage/misroutes.yaml"] + given + ["--where", "triage.expected=technical", "--expected-attr", "triage.expected"],
                in: repo.url)
            #expect(result.status == 0, "\(result.stderr)")
            sets.append(try String(contentsOf: repo.url.appendingPathComponent("goldensets/support_ticket_triage/misroutes.yaml"), encoding: .utf8))
        }
        #expect(sets[0] == sets[1])
        #expect(sets[0].components(separatedBy: "expected: \"technical\"").count == 3, "\(sets[0])")
    }

    /// `' OR 1=1 --` and friends are values like any other: no extra rows, no SQL error.
    @Test func valuesTravelAsParametersNeverAsSQL() async throws {
        let folder = InstrumentationFixtureTests.folder("openai-v2")
        let source = try await Self.imported([folder])
        let hostile = ["' OR 1=1 --", "1' OR '1'='1", "x') OR 1=1 --", "\\' OR 1=1 --", "{p0:String}", "1; DROP TABLE otel_traces", "\t\n"]
        for value in hostile {
            for arguments in [
                ["traces", "list", "--prompt", value, "--format", "json"], ["traces", "list", "--version", value, "--format", "json"],
                ["traces", "list", "--service", value, "--format", "json"], ["traces", "list", "--where", "triage.expected=\(value)", "--format", "json"],
                ["traces", "list", "--where", "\(value)=technical", "--format", "json"],
            ] {
                let result = await CLI.run(arguments + ["--source", source], in: FileManager.default.temporaryDirectory)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                #expect(result.stdout == "[\n\n]\n" || result.stdout == "[]\n", "\(arguments): \(result.stdout)")
                #expect(!result.stderr.contains("Exception"), "\(arguments): \(result.stderr)")
            }
            let report = await CLI.run(
                ["report", "--source", source, "--label-attr", value, "--by", value, "--compare", "version=\(value),prompt=\(value)", "--format", "json"],
                in: FileManager.default.temporaryDirectory)
            #expect(report.status == 0, "\(report.stderr)")
            #expect(!report.stdout.contains("\"spans\" : 6"), "\(value): \(report.stdout)")
        }
        let show = await CLI.run(["traces", "show", "--source", source, "' OR 1=1 --"], in: FileManager.default.temporaryDirectory)
        #expect(show.status == 2)
        #expect(!show.stderr.contains("Exception"), "\(show.stderr)")
        // The table is still there, whole.
        let all = await CLI.run(["traces", "list", "--source", source, "--format", "json"], in: FileManager.default.temporaryDirectory)
        #expect((try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [Any])?.count == 6)
    }

    /// The password comes from the environment variable named for it and appears nowhere:
    /// not in output, not in errors, not accepted in the URL.
    @Test func thePasswordStaysInItsVariable() async throws {
        let password = "s3cret-\(UUID().uuidString.prefix(8))"
        setenv("FOLIO_TEST_CLICKHOUSE_PASSWORD", password, 1)
        let front = try ClickHouseFront(user: "folio", passwordVariable: "FOLIO_TEST_CLICKHOUSE_PASSWORD")
        defer { front.stop() }
        let folder = InstrumentationFixtureTests.folder("seed")
        let database = ClickHouseFront.databaseName()
        let url = front.url(database: database, user: "folio")
        let right = ["FOLIO_CLICKHOUSE_PASSWORD": password]
        let imported = await CLI.run(["traces", "import", folder, "--to", url, "--create-tables"], in: FileManager.default.temporaryDirectory, environment: right)
        #expect(imported.status == 0, "\(imported.stderr)")
        let report = await CLI.run(["report", "--source", url], in: FileManager.default.temporaryDirectory, environment: right)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("support_ticket_triage 1"))

        let wrong = await CLI.run(["report", "--source", url], in: FileManager.default.temporaryDirectory, environment: ["FOLIO_CLICKHOUSE_PASSWORD": "not-it"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("check the user in the URL and the password in the environment variable FOLIO_CLICKHOUSE_PASSWORD"), "\(wrong.stderr)")
        let inURL = url.replacingOccurrences(of: "folio@", with: "folio:\(password)@")
        let refused = await CLI.run(["report", "--source", inURL], in: FileManager.default.temporaryDirectory, environment: right)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("must not hold a password"), "\(refused.stderr)")

        // folio.yaml names the source and the variable; the commands find both.
        let repo = try TestRepository()
        try repo.commit(
            "init", files: ["folio.yaml": Fixtures.config + "traces:\n  source: \(url)\n  password_env: TRIAGE_CLICKHOUSE_PASSWORD\n"])
        let configured = await CLI.run(["traces", "list"], in: repo.url, environment: ["TRIAGE_CLICKHOUSE_PASSWORD": password])
        #expect(configured.status == 0, "\(configured.stderr)")
        #expect(configured.stdout.contains("support_ticket_triage@1"))
        for result in [imported, report, wrong, refused, configured] {
            #expect(!(result.stdout + result.stderr).contains(password))
        }
        #expect(!(wrong.stdout + wrong.stderr).contains("not-it"))
    }
    /// `clickhouses://` through a real TLS server (nginx in front of the test front) whose
    /// certificate no system CA signed: trusted through SSL_CERT_FILE, refused without it,
    /// and a file that is not there named in the error.
    @Test func clickhousesTrustsTheCertificatesInSSLCertFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-tls-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (certificate, key) = (folder.appendingPathComponent("server.pem"), folder.appendingPathComponent("server.key"))
        let made = try await Command.runAsync(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=folio test ClickHouse",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.path, "-out", certificate.path,
            ])
        #expect(made.status == 0, "\(made.stderr)")
        let front = try ClickHouseFront.shared()
        let proxy = try Nginx(tlsProxyTo: URL(string: "http://127.0.0.1:\(front.port)")!, certificate: certificate, key: key)
        defer { proxy.stop() }
        let database = ClickHouseFront.databaseName("tls")
        let plain = front.url(database: database)
        let secure = "clickhouses://default@127.0.0.1:\(proxy.port)/\(database)"
        let trusted = ["SSL_CERT_FILE": certificate.path]

        let imported = await CLI.run(
            ["traces", "import", InstrumentationFixtureTests.folder("seed"), "--to", secure, "--create-tables"], in: folder, environment: trusted)
        #expect(imported.status == 0, "\(imported.stderr)")
        let overTLS = await CLI.run(["report", "--source", secure, "--label-attr", "triage.expected", "--format", "json"], in: folder, environment: trusted)
        let overHTTP = await CLI.run(["report", "--source", plain, "--label-attr", "triage.expected", "--format", "json"], in: folder)
        #expect(overTLS.status == 0, "\(overTLS.stderr)")
        #expect(overTLS.stdout == overHTTP.stdout)
        #expect(overTLS.stdout.contains("support_ticket_triage"))

        let untrusted = await CLI.run(["report", "--source", secure], in: folder)
        #expect(untrusted.status == 2)
        #expect(untrusted.stderr.contains("the TLS handshake with ClickHouse at \(secure)"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("set SSL_CERT_FILE to its PEM file"), "\(untrusted.stderr)")
        let missing = folder.appendingPathComponent("no-such-ca.pem").path
        let unreadable = await CLI.run(["report", "--source", secure], in: folder, environment: ["SSL_CERT_FILE": missing])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("cannot read the certificates to trust for \(secure)"), "\(unreadable.stderr)")
        #expect(unreadable.stderr.contains("in SSL_CERT_FILE (\(missing))"), "\(unreadable.stderr)")
        // Plain HTTP never reads it.
        let ignored = await CLI.run(["report", "--source", plain, "--label-attr", "triage.expected", "--format", "json"], in: folder, environment: ["SSL_CERT_FILE": missing])
        #expect(ignored.stdout == overHTTP.stdout, "\(ignored.stderr)")
    }
}
