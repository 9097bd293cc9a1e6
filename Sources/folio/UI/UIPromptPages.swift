import FolioCore
import FolioModel
import FolioTelemetry
import FolioTemplate
import Foundation
import Hummingbird
import NIOCore

/// The Prompts pages: every prompt's versions and their status per environment, a version
/// rendered, two versions side by side, the test panel, and Create Prompt from Trace.
extension UIApp {
    func prompts() throws -> String {
        let repo = try repository()
        let workspace = try repo.workingTreeWorkspace()
        let log = try PromotionLog(repository: repo)
        let names = Set(workspace.prompts.values.compactMap { $0.prompt?.name }).union(log.versions.keys).sorted()
        let environments = repo.config.environments
        let rows = try names.map { name -> [String] in
            let versions = try log.versions[name] ?? repo.versions(of: name)
            let latest = versions.last
            let states = environments.map { environment -> String in
                let published = versions.last { log.status(of: name, version: $0.number, in: environment) == .published }
                return published.map { "v\($0.number)" } ?? "-"
            }
            return ["<a href=\"/prompts/\(HTML.segment(name))\">\(HTML.escape(name))</a>", latest.map { "v\($0.number)" } ?? "draft"] + states.map(HTML.escape)
        }
        let body = HTML.table(["Prompt", "Latest"] + environments.map { "Published in \($0)" }, rows)
        return HTML.page(title: "Prompts", active: "prompts", body: names.isEmpty ? "<p>No prompts yet: create one from a trace.</p>" : body)
    }

    func prompt(_ name: String, _ query: UIQuery) throws -> String {
        let repo = try repository()
        let log = try PromotionLog(repository: repo)
        let versions = try log.versions[name] ?? repo.requireVersions(of: name)
        let environments = repo.config.environments
        let table = HTML.table(
            ["Version"] + environments + ["Commit", "Author", "Date", "Subject"],
            versions.reversed().map { version in
                ["<a href=\"/prompts/\(HTML.segment(name))\(HTML.query([("version", String(version.number))]))\">v\(version.number)</a>"]
                    + environments.map { HTML.escape(log.status(of: name, version: version.number, in: $0).rawValue) }
                    + [version.commit.short, HTML.escape(version.author), Dates.day(version.date), HTML.escape(version.subject)]
            })
        let selected = query.value("version").map { "\(name)@\($0)" } ?? (versions.last.map { "\(name)@\($0.number)" } ?? "\(name)@draft")
        let resolved = try repo.resolve(try PromptReference(parsing: selected))
        let compiled = try resolved.compiled()
        var values: [String: String] = [:]
        for variable in compiled.prompt.variables { if let value = query.value("var." + variable.name) { values[variable.name] = value } }
        var rendered = ""
        if !values.isEmpty || compiled.prompt.variables.allSatisfy({ !$0.required }) {
            do {
                let typed = try VariablesFile.parsePairs(values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }, declared: compiled.prompt.variables)
                rendered = try compiled.render(typed, allowUnknown: false).map {
                    "<div class=\"message\"><span class=\"role\">\(HTML.escape($0.role))</span>\n\(HTML.escape($0.content))</div>"
                }.joined()
            } catch let error as PromptRenderError {
                rendered = "<p class=\"problem\">\(HTML.escape(error.message))</p>"
            } catch let error as any UserFacingError {
                rendered = "<p class=\"problem\">\(HTML.escape(error.description))</p>"
            }
        }
        let fields = compiled.prompt.variables.map { HTML.field("var." + $0.name, label: $0.name + ($0.required ? " (required)" : ""), value: values[$0.name]) }
        let renderForm = """
            <h2>\(HTML.escape(resolved.name)) \(HTML.escape(resolved.label)), rendered</h2>
            <form class="filters" method="get" action="/prompts/\(HTML.segment(name))">
            <input type="hidden" name="version" value="\(HTML.escape(query.value("version") ?? ""))">
            \(fields.joined(separator: "\n"))<button type="submit">Render</button></form>\(rendered)
            """
        let diff = try self.diff(name, versions: versions, query: query)
        let sets = try repo.workingTreeWorkspace().goldenSets.filter { $0.goldenSet?.prompt == name }.map(\.path)
        let panel = """
            <h2>Test panel</h2>
            <form method="post" action="/prompts/\(HTML.segment(name))/run" data-stream>
            \(HTML.csrf(session.csrf))
            <label>Golden set <select name="set">\(sets.map { "<option>\(HTML.escape($0))</option>" }.joined())</select></label>
            <fieldset><legend>Or one set of variables (filled in: runs this case instead of the golden set)</legend>
            \(compiled.prompt.variables.map { HTML.field("run.var." + $0.name, label: $0.name, value: nil) }.joined(separator: "\n"))
            \(HTML.field("expect", label: "Expected answer (blank: show the answers)", value: nil))</fieldset>
            \(HTML.field("provider", label: "Provider (from folio.yaml)", value: repo.config.providers.keys.sorted().first))
            \(HTML.field("base", label: "Base version (to compare against)", value: versions.count > 1 ? String(versions[versions.count - 2].number) : nil))
            \(HTML.field("head", label: "Head version (blank: the working tree)", value: versions.last.map { String($0.number) }))
            <button type="submit">Run</button>
            </form>
            <pre id="run-log" aria-live="polite"></pre>
            """
        return HTML.page(title: "Prompt \(name)", active: "prompts", body: table + renderForm + diff + panel)
    }

    /// Two versions (or a version and the working tree) side by side, changed words marked.
    func diff(_ name: String, versions: [PromptVersion], query: UIQuery) throws -> String {
        guard let last = versions.last else { return "" }
        let left = query.value("a") ?? (versions.count > 1 ? String(versions[versions.count - 2].number) : String(last.number))
        let right = query.value("b") ?? "draft"
        let repo = try repository()
        func text(_ selector: String) throws -> String { try repo.resolve(try PromptReference(parsing: "\(name)@\(selector)")).loaded.text }
        let before = try text(left).components(separatedBy: "\n"), after = try text(right).components(separatedBy: "\n")
        let rows = WordDiff.lines(before, after).map { pair in ["<span>\(pair.0)</span>", "<span>\(pair.1)</span>"] }
        let form = """
            <form class="filters" method="get" action="/prompts/\(HTML.segment(name))">
            \(HTML.field("a", label: "Left", value: left)) \(HTML.field("b", label: "Right (a version, or draft)", value: right))
            <button type="submit">Compare</button></form>
            """
        return "<h2>\(HTML.escape(name))@\(HTML.escape(left)) ↔ @\(HTML.escape(right))</h2>" + form + "<div class=\"diff\">" + HTML.table([left, right], rows) + "</div>"
    }

    /// Runs `folio eval --compare` (or one version) for the panel, streaming its output.
    func run(prompt name: String, _ form: UIForm) -> Response {
        var arguments = ["eval"]
        let head = form.value("head").map { "\(name)@\($0)" } ?? "\(name)@draft"
        if let base = form.value("base") { arguments += ["--compare", "\(name)@\(base)", head] } else { arguments += [head] }
        // Variables filled in: one case of them (`--var`); otherwise the golden set, by name
        // (goldensets/<prompt>/<name>.yaml).
        let given = form.items.filter { $0.0.hasPrefix("run.var.") && !$0.1.isEmpty }.map { "\($0.0.dropFirst("run.var.".count))=\($0.1)" }
        if !given.isEmpty {
            arguments += given.flatMap { ["--var", $0] } + (form.value("expect").map { ["--expect", $0] } ?? [])
        } else if let set = form.value("set") {
            arguments += ["--goldenset", URL(fileURLWithPath: set).deletingPathExtension().lastPathComponent]
        }
        if let provider = form.value("provider") { arguments += ["--provider", provider] }
        let program = UIRunner(arguments: arguments, folder: root, variables: variables)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody { writer in
                let (chunks, continuation) = AsyncStream<String>.makeStream()
                let run = Task {
                    do {
                        try await program.stream { continuation.yield($0) }
                    } catch {
                        continuation.yield("\n\(error)\n")
                    }
                    continuation.finish()
                }
                for await chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
                _ = await run.result
                try await writer.finish(nil)
            })
    }

    // MARK: - Create Prompt from Trace

    func newPrompt(_ query: UIQuery) async throws -> String {
        let detail = try await self.detail(query.value("span") ?? "")
        let call = detail.call
        let messages = (call.systemInstructions + call.inputMessages).map {
            "<div class=\"message\" tabindex=\"0\"><span class=\"role\">\(HTML.escape($0.role))</span>\n\(HTML.escape($0.content))</div>"
        }.joined()
        let proposed = detail.variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        let name = query.value("name") ?? detail.promptName ?? ""
        // The settings the draft takes from the span (`model:` in the file).
        let settings = (try? PromptDraft(span: call, name: "draft", values: [:]))?.model ?? []
        let body = """
            <p>From call <a href="/calls/\(call.span.id.hex)">\(call.span.id.hex)</a>. Select text in a message, name it, and make it a variable; recorded variables are proposed below.</p>
            <h2>Model and settings, from the span</h2>
            \(settings.isEmpty ? "<p>The span recorded none.</p>" : HTML.table(["Setting", "Value"], settings.map { [HTML.escape($0.key), HTML.escape($0.value)] }))
            <h2>Messages</h2>
            \(messages)
            <p><label>Variable name <input id="variable-name" placeholder="ticket_text"></label> <button type="button" class="secondary" data-make-variable hidden>Make the selected text this variable</button></p>
            <form method="post" action="/prompts" data-preview="/prompts/preview">
            \(HTML.csrf(session.csrf))
            <input type="hidden" name="span" value="\(call.span.id.hex)">
            \(HTML.field("name", label: "Prompt name", value: name))
            <label>Variables, one name=value per line <textarea id="variables" name="variables">\(HTML.escape(proposed))</textarea></label>
            <label class="inline"><input type="checkbox" name="overwrite" value="1"> Overwrite prompts/&lt;name&gt;.yaml if it exists</label>
            <p><button type="submit">Create prompt</button></p>
            </form>
            <h2>Draft and lint</h2><pre id="lint" aria-live="polite"></pre>
            """
        return HTML.page(title: "Create prompt from trace", active: "prompts", body: body)
    }

    /// The form's name, values and target.
    func draftRequest(_ form: UIForm) async throws -> (detail: CallDetail, name: String, values: [String: String], target: URL) {
        let detail = try await self.detail(form.value("span") ?? "")
        guard let name = form.value("name"), Names.isValidName(name) else {
            throw FolioError(.usage, "name the prompt: lowercase letters, digits, '_' and '-', starting with a letter")
        }
        var values: [String: String] = [:]
        for line in (form.value("variables") ?? "").split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw FolioError(.usage, "'\(line)' is not name=value") }
            values[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1]
        }
        return (detail, name, values, root.appendingPathComponent(PromptRepository.promptPath(name)))
    }

    func previewPrompt(_ form: UIForm) async throws -> String {
        do {
            let request = try await draftRequest(form)
            let (draft, problems) = try PromptDrafts.make(from: request.detail, name: request.name, values: request.values)
            let exists = FileManager.default.fileExists(atPath: request.target.path) ? "\nprompts/\(request.name).yaml exists: creating it needs Overwrite." : ""
            return (problems.isEmpty ? "lint: clean" : "lint:\n" + problems.map(\.description).joined(separator: "\n")) + exists + "\n\n" + draft.yaml
        } catch let error as any UserFacingError {
            return error.description
        }
    }

    func createPrompt(_ form: UIForm) async throws -> String {
        let request = try await draftRequest(form)
        let draft = try PromptDrafts.write(from: request.detail, name: request.name, values: request.values, to: request.target, overwrite: form.value("overwrite") != nil)
        let body = """
            <p class="notice" role="status">Wrote prompts/\(HTML.escape(request.name)).yaml (\(draft.messages.count) message(s), variables: \(HTML.escape(draft.variables.isEmpty ? "none" : draft.variables.joined(separator: ", ")))). It is a draft until it is committed to the main branch.</p>
            <pre>\(HTML.escape(draft.yaml))</pre>
            <p><a href="/prompts/\(HTML.segment(request.name))?version=draft">Open it</a></p>
            """
        return HTML.page(title: "Prompt created", active: "prompts", body: body)
    }
}
