import FolioCore
import FolioModel
import FolioTelemetry
import Foundation

/// Add to Golden Set, and the Promotions page with Promote and Roll back: the CLI's code
/// (`GoldenSetCases.append`, `promote`, `rollback`), signed with the configured key or not at all.
extension UIApp {
    func addToGoldenSet(_ form: UIForm) async throws -> String {
        let spans = form.values("span")
        guard !spans.isEmpty else { throw FolioError(.usage, "select at least one call") }
        guard let set = form.value("set"), set.hasPrefix("goldensets/"), set.hasSuffix(".yaml"), !set.split(separator: "/").contains("..") else {
            throw FolioError(.usage, "name the golden set as goldensets/<prompt>/<name>.yaml")
        }
        var details: [CallDetail] = []
        let inherited = [form.value("expected_attr")].compactMap { $0 }
        for hex in spans {
            guard let id = SpanID(hex: hex), let detail = try await source.call(id, inherited: inherited) else {
                throw FolioError(.usage, "no LLM call with span id \(hex) in \(source.name)")
            }
            details.append(detail)
        }
        let path = root.appendingPathComponent(set)
        guard path.standardizedFileURL.path.hasPrefix(root.standardizedFileURL.path + "/") else { throw FolioError(.usage, "\(set) is outside the repository") }
        let outcome = try GoldenSetCases.append(
            details, to: path, expected: form.value("expected"), expectedAttribute: form.value("expected_attr"), id: nil, prompt: nil)
        var body = "<p class=\"notice\" role=\"status\">\(outcome.created ? "Created" : "Updated") \(HTML.escape(set)): added \(outcome.added) case(s)"
        body += outcome.skipped.isEmpty ? "" : ", skipped \(outcome.skipped.count) already there"
        body += ".</p>"
        if !outcome.skipped.isEmpty { body += "<ul>" + outcome.skipped.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>" }
        if !outcome.warnings.isEmpty { body += "<ul class=\"muted\">" + outcome.warnings.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>" }
        let text = (try? String(contentsOf: path, encoding: .utf8)) ?? ""
        body += "<pre>\(HTML.escape(text))</pre>"
        return HTML.page(title: "Golden set", active: "traces", body: body)
    }

    func promotions(notice: String?) throws -> String {
        let repo = try repository()
        let log = try PromotionLog(repository: repo)
        var body = ""
        if !log.signerProblems.isEmpty { body += "<p class=\"problem\">\(HTML.escape(log.signerProblems.joined(separator: "; ")))</p>" }
        let signer = try? TagSigner.resolve(explicitKey: nil, git: repo.git, environment: variables, in: root)
        let environments = repo.config.environments
        let names = Set((try repo.workingTreeWorkspace()).prompts.values.compactMap { $0.prompt?.name }).union(log.versions.keys).sorted()
        // The log walks every prompt's history only once a promotion exists.
        let versions = try Dictionary(uniqueKeysWithValues: names.map { ($0, try log.versions[$0] ?? repo.versions(of: $0)) })
        if signer == nil {
            body += """
                <p class="problem">No signing key is configured, so this page cannot promote: promotions are signed tags, never unsigned.
                Set FOLIO_SIGNING_KEY, or run <code>git config user.signingkey ~/.ssh/id_ed25519 &amp;&amp; git config gpg.format ssh</code>, and start <code>folio ui</code> again.
                The key must be listed in main's allowed_signers.</p>
                """
        } else {
            let options = names.flatMap { name in (versions[name] ?? []).reversed().map { "<option>\(HTML.escape(name))@\($0.number)</option>" } }.joined()
            body += """
                <form method="post" action="/promotions" class="filters" aria-label="Promote or roll back">
                \(HTML.csrf(session.csrf))
                <label>Prompt version <select name="prompt">\(options)</select></label>
                <label>Environment <select name="environment">\(environments.map { "<option>\(HTML.escape($0))</option>" }.joined())</select></label>
                \(HTML.field("note", label: "Note (why)", placeholder: "Fix billing/technical misroutes"))
                <button type="submit" name="action" value="promote">Promote</button>
                <button type="submit" name="action" value="rollback" class="secondary">Roll back the prompt</button>
                </form>
                """
        }
        for environment in environments {
            let entries = log.promotions.filter { $0.promotion.environment == environment }.sorted { $0.promotion.sequence > $1.promotion.sequence }
            let rows = entries.map { checked -> [String] in
                let promotion = checked.promotion
                let what = promotion.trailers.map { trailer in "\(trailer.prompt)@\(trailer.version)" + (trailer.replaces.map { " (replaces \($0))" } ?? "") }
                return [
                    HTML.escape(promotion.tagName), promotion.tagger.map { HTML.escape("\($0.name) <\($0.email)>") } ?? "-",
                    promotion.tagger.map { HTML.escape(Self.time($0.date)) } ?? "-", HTML.escape(what.joined(separator: ", ")), HTML.escape(promotion.note),
                    checked.isValid
                        ? "<span class=\"good\">\(HTML.escape(checked.signature.description))</span>"
                        : "<span class=\"bad\">\(HTML.escape(checked.problems.joined(separator: "; ")))</span>",
                ]
            }
            body +=
                "<h2>\(HTML.escape(environment))</h2>"
                + (rows.isEmpty ? "<p class=\"muted\">No promotions yet.</p>" : HTML.table(["Tag", "Who", "When (UTC)", "What", "Note", "Signature"], rows))
        }
        return HTML.page(title: "Promotions", active: "promotions", body: body, notice: notice)
    }

    func promote(_ form: UIForm) throws -> String {
        let repo = try repository()
        guard let prompt = form.value("prompt"), let environment = form.value("environment") else { throw FolioError(.usage, "choose a prompt version and an environment") }
        let note = form.value("note") ?? ""
        let signer = try TagSigner.resolve(explicitKey: nil, git: repo.git, environment: variables, in: root)
        let result: PromotionResult
        if form.value("action") == "rollback" {
            result = try repo.rollback(try PromptReference(parsing: prompt).name, in: environment, note: note, signer: signer, variables: variables)
        } else {
            result = try repo.promote([try PromptReference(parsing: prompt)], to: environment, note: note, signer: signer, variables: variables)
        }
        let what = result.trailers.map { "\($0.prompt)@\($0.version)" }.joined(separator: ", ")
        return try promotions(notice: "Recorded \(result.tagName): \(what) in \(environment), signed. `folio build` (or the publish workflow) makes the manifest apps read.")
    }
}
