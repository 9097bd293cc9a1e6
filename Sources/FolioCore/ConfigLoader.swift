import FolioModel
import Foundation
import Yams

/// Decodes `folio.yaml` (`schema: folio/config@1`).
enum ConfigLoader {
    static let keys = ["schema", "main_branch", "environments", "allowed_signers", "providers", "judge", "prices", "budget_usd", "traces"]
    static let providerKeys = ["kind", "base_url", "api_key_env", "model", "concurrency", "timeout", "headers", "command", "path"]

    static func load(path: String, text: String) -> (FolioConfig?, [Diagnostic]) {
        let reader = YAMLReader(path: path, text: text)
        var config = FolioConfig()
        if let root = reader.compose(), reader.checkSchema(root, expected: FolioConfig.schema),
            let fields = reader.fields(root, "folio.yaml", allowed: keys)
        {
            if let branch = reader.string(fields["main_branch"], "main_branch") { config.mainBranch = branch }
            if let node = fields["environments"], let environments = reader.stringList(node, "environments") {
                config.environments = environments
                var seen = Set<String>()
                for environment in environments {
                    if !Names.isValidName(environment) {
                        reader.error("'\(environment)' is not a valid environment name: use lowercase letters, digits, '_' and '-'", at: node)
                    }
                    if !seen.insert(environment).inserted {
                        reader.error("environment '\(environment)' is listed twice", at: node)
                    }
                }
            }
            if let signers = reader.string(fields["allowed_signers"], "allowed_signers") { config.allowedSigners = signers }
            if let node = fields["providers"] { config.providers = readProviders(node, reader: reader) }
            if let node = fields["judge"] { config.judge = readJudge(node, providers: config.providers, reader: reader) }
            if let node = fields["prices"] { config.prices = readPrices(node, reader: reader) }
            if let node = fields["traces"] { config.traces = readTraces(node, reader: reader) }
            if let node = fields["budget_usd"], let budget = reader.double(node, "budget_usd") {
                if budget <= 0 { reader.error("budget_usd must be more than 0, found \(budget)", at: node) }
                config.budgetUSD = budget
            }
        }
        let diagnostics = reader.diagnostics
        return (diagnostics.hasErrors ? nil : config, diagnostics)
    }

    /// `traces: traces/` or `traces: { source: clickhouse://…, password_env: NAME }`. A
    /// password written in the URL is refused: it would be in git.
    static func readTraces(_ node: Node, reader: YAMLReader) -> TracesConfig? {
        var traces: TracesConfig?
        if case .scalar = node, let source = reader.string(node, "traces") {
            traces = TracesConfig(source: source)
        } else if let fields = reader.fields(node, "traces", allowed: ["source", "password_env"], required: ["source"]),
            let source = reader.string(fields["source"], "traces source")
        {
            traces = TracesConfig(source: source, passwordEnv: reader.string(fields["password_env"], "traces password_env"))
        }
        if let source = traces?.source, let components = URLComponents(string: source), components.password != nil {
            reader.error("the traces source must not hold a password: remove it from the URL and name the environment variable that holds it with `password_env:`", at: node)
            return nil
        }
        return traces
    }

    static func readProviders(_ node: Node, reader: YAMLReader) -> [String: ProviderConfig] {
        var providers: [String: ProviderConfig] = [:]
        for (name, _, value) in reader.entries(node, "providers") ?? [] {
            let what = "provider '\(name)'"
            if case .mapping(let mapping) = value, let secret = mapping.first(where: { ["api_key", "apikey", "key", "token"].contains($0.key.scalar?.string ?? "") }) {
                reader.error("\(what) must not hold a secret: remove '\(secret.key.scalar?.string ?? "")' and name the environment variable that holds it with `api_key_env:`", at: secret.key)
            }
            guard let fields = reader.fields(value, what, allowed: providerKeys + ["api_key", "apikey", "key", "token"], required: ["kind"]),
                let kindName = reader.string(fields["kind"], "\(what) kind")
            else { continue }
            guard let kind = ProviderConfig.Kind(rawValue: kindName) else {
                let known = ProviderConfig.Kind.allCases.map(\.rawValue)
                reader.error("unknown kind '\(kindName)' for \(what): use one of \(known.joined(separator: ", "))\(Suggestion.didYouMean(kindName, among: known))", at: fields["kind"])
                continue
            }
            var provider = ProviderConfig(kind: kind)
            provider.baseURL = reader.string(fields["base_url"], "\(what) base_url")
            provider.apiKeyEnv = reader.string(fields["api_key_env"], "\(what) api_key_env")
            provider.model = reader.text(fields["model"], "\(what) model")
            provider.concurrency = reader.int(fields["concurrency"], "\(what) concurrency", minimum: 1)
            provider.timeoutSeconds = reader.double(fields["timeout"], "\(what) timeout")
            provider.command = reader.stringList(fields["command"], "\(what) command")
            provider.path = reader.string(fields["path"], "\(what) path")
            if let headers = fields["headers"] {
                provider.headers = Dictionary(
                    uniqueKeysWithValues: (reader.entries(headers, "\(what) headers") ?? []).compactMap { key, _, value in
                        reader.text(value, "header '\(key)'").map { (key, $0) }
                    })
            }
            if kind == .command, provider.command?.isEmpty ?? true {
                reader.error("\(what) of kind 'command' needs `command: [program, args…]`", at: value)
            }
            providers[name] = provider
        }
        return providers
    }

    static func readJudge(_ node: Node, providers: [String: ProviderConfig], reader: YAMLReader) -> JudgeConfig? {
        guard let fields = reader.fields(node, "judge", allowed: ["provider", "model"], required: ["provider"]),
            let provider = reader.string(fields["provider"], "judge.provider")
        else { return nil }
        if providers[provider] == nil {
            reader.error("judge.provider '\(provider)' is not one of the providers in folio.yaml\(Suggestion.didYouMean(provider, among: Array(providers.keys)))", at: fields["provider"])
        }
        return JudgeConfig(provider: provider, model: reader.text(fields["model"], "judge.model"))
    }

    static func readPrices(_ node: Node, reader: YAMLReader) -> [String: ModelPrice] {
        var prices: [String: ModelPrice] = [:]
        for (model, _, value) in reader.entries(node, "prices") ?? [] {
            let what = "the price of '\(model)'"
            guard let fields = reader.fields(value, what, allowed: ["input", "output"], required: ["input", "output"]),
                let input = reader.double(fields["input"], "\(what) input"),
                let output = reader.double(fields["output"], "\(what) output")
            else { continue }
            prices[model] = ModelPrice(input: input, output: output)
        }
        return prices
    }
}
