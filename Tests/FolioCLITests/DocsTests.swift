import Foundation
import FolioTestSupport
import Testing

/// Every reference page in docs/ runs its examples: the files a page shows (each after a
/// `<!-- file: path -->` line) go into a repository made by `folio init` and lint clean;
/// the commands it shows (in a block after `<!-- run -->`) print what the page says:
/// lines after a `$ command` must each appear in its output, a line `! text` must not, and
/// `[exit N]` is its exit status (0 when not given). nginx snippets pass `nginx -t`.
@Suite struct DocsTests {
    static let docs = Fixtures.packageRoot.appendingPathComponent("docs")
    static let pages = ["assertions.md", "providers.md", "configuration.md", "keys.md", "exit-codes.md", "hosting.md"]

    struct Step {
        var command: String
        var expected: [String] = []
        var absent: [String] = []
        var status: Int32 = 0
    }

    struct Page {
        var files: [(path: String, text: String)] = []
        var steps: [Step] = []
        var nginx: [String] = []
    }

    static func parse(_ markdown: String) -> Page {
        var page = Page()
        let lines = markdown.components(separatedBy: "\n")
        var index = 0
        func block(after start: Int) -> (body: [String], end: Int)? {
            var open = start + 1
            while open < lines.count, !lines[open].hasPrefix("```") { open += 1 }
            guard open < lines.count else { return nil }
            var close = open + 1
            while close < lines.count, !lines[close].hasPrefix("```") { close += 1 }
            return (Array(lines[(open + 1)..<min(close, lines.count)]), close)
        }
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("<!-- file: "), let (body, end) = block(after: index) {
                let path = line.dropFirst("<!-- file: ".count).replacingOccurrences(of: " -->", with: "")
                page.files.append((path, body.joined(separator: "\n") + "\n"))
                index = end
            } else if line == "<!-- run -->", let (body, end) = block(after: index) {
                for text in body {
                    if text.hasPrefix("$ ") {
                        page.steps.append(Step(command: String(text.dropFirst(2))))
                    } else if text.hasPrefix("[exit "), let status = Int32(text.dropFirst(6).dropLast()) {
                        page.steps[page.steps.count - 1].status = status
                    } else if text.hasPrefix("! ") {
                        page.steps[page.steps.count - 1].absent.append(String(text.dropFirst(2)))
                    } else if !text.isEmpty {
                        page.steps[page.steps.count - 1].expected.append(text)
                    }
                }
                index = end
            } else if line == "```nginx", let (body, end) = block(after: index - 1) {
                page.nginx.append(body.joined(separator: "\n"))
                index = end
            }
            index += 1
        }
        return page
    }

    @Test(arguments: pages)
    func theExamplesOfAPageWork(page name: String) throws {
        let page = Self.parse(try String(contentsOf: Self.docs.appendingPathComponent(name), encoding: .utf8))
        #expect(!page.files.isEmpty || !page.steps.isEmpty || !page.nginx.isEmpty, "\(name) has no checked example")
        if !page.files.isEmpty || !page.steps.isEmpty {
            let repository = try TestRepository()
            #expect(try CLI.runProcess("init", in: repository.url).status == 0)
            for file in page.files { try repository.write(file.path, file.text) }
            try repository.commit("the examples of \(name)")
            let lint = try CLI.runProcess("lint", in: repository.url)
            #expect(lint.status == 0 && !lint.stdout.contains("warning") && !lint.stderr.contains("warning"), "\(name): \(lint.stdout)\(lint.stderr)")
            let path = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            for step in page.steps {
                let result = try Command.run("/bin/sh", ["-c", step.command + " 2>&1"], in: repository.url, environment: CLI.environment(["PATH": path, "COLUMNS": "200", "OPENAI_API_KEY": ""]))
                #expect(result.status == step.status, "\(name): `\(step.command)` exited \(result.status):\n\(result.stdout)")
                for text in step.expected { #expect(result.stdout.contains(text), "\(name): `\(step.command)` did not print \(text):\n\(result.stdout)") }
                for text in step.absent { #expect(!result.stdout.contains(text), "\(name): `\(step.command)` printed \(text):\n\(result.stdout)") }
            }
        }
        for snippet in page.nginx {
            guard let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { continue }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-docs-nginx-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = """
                error_log \(folder.path)/error.log;
                pid \(folder.path)/nginx.pid;
                events {}
                http {
                  access_log off;
                  server {
                    listen 127.0.0.1:1;
                    root \(folder.path);
                \(snippet)
                  }
                }
                """
            try Data(config.utf8).write(to: folder.appendingPathComponent("nginx.conf"))
            let result = try Command.run(nginx, ["-t", "-q", "-c", folder.appendingPathComponent("nginx.conf").path, "-p", folder.path])
            #expect(result.status == 0, "\(name): nginx -t: \(result.stderr)")
        }
    }

    @Test func theReadmeLinksEveryPage() throws {
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for page in Self.pages + ["manifest-format.md"] { #expect(readme.contains("docs/\(page)"), "README does not link docs/\(page)") }
    }
}
