import FolioModel
import Foundation

/// Builds providers from folio.yaml entries, reading API keys from the environment
/// variables the entries name (the key itself is never in folio.yaml).
package struct ProviderFactory: Sendable {
    package let providers: [String: ProviderConfig]
    let environment: [String: String]
    /// The repository root, for relative `path:` and `command:` entries.
    let root: URL
    package let policy: RetryPolicy

    package init(providers: [String: ProviderConfig], environment: [String: String] = ProcessInfo.processInfo.environment, root: URL, policy: RetryPolicy = RetryPolicy()) {
        self.providers = providers
        self.environment = environment
        self.root = root
        self.policy = policy
    }

    package static let defaultConcurrency = 4

    /// The provider named `name`, behind its concurrency cap and retries.
    package func make(_ name: String) throws -> ResilientProvider {
        guard let config = providers[name] else {
            let known = providers.keys.sorted()
            throw ProviderError(
                .configuration, provider: name,
                "no provider named '\(name)' in folio.yaml" + (known.isEmpty ? "" : " (it has \(known.joined(separator: ", ")))"),
                hint: "add it under `providers:` or pass --provider"
            )
        }
        return ResilientProvider(try base(name, config), concurrency: config.concurrency ?? Self.defaultConcurrency, policy: policy)
    }

    func base(_ name: String, _ config: ProviderConfig) throws -> any ChatProvider {
        let timeout = config.timeoutSeconds ?? 60
        switch config.kind {
        case .openai:
            guard let baseURL = config.baseURL else {
                throw ProviderError(.configuration, provider: name, "provider '\(name)' (openai) has no base_url in folio.yaml", hint: "add `base_url: https://api.openai.com/v1` or your server's URL")
            }
            return OpenAIProvider(name: name, baseURL: baseURL, apiKey: try apiKey(name, config), headers: config.headers ?? [:], timeout: timeout)
        case .anthropic:
            return AnthropicProvider(name: name, baseURL: config.baseURL, apiKey: try apiKey(name, config), headers: config.headers ?? [:], timeout: timeout)
        case .replay:
            let path = config.path ?? ".folio/recordings"
            return ReplayProvider(name: name, folder: path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path))
        case .command:
            return CommandProvider(name: name, arguments: config.command ?? [], timeout: timeout)
        }
    }

    /// The key from the environment variable `api_key_env` names; a named but unset
    /// variable is an error that names the variable (never a value).
    func apiKey(_ name: String, _ config: ProviderConfig) throws -> String? {
        guard let variable = config.apiKeyEnv else { return nil }
        guard let value = environment[variable], !value.isEmpty else {
            throw ProviderError(
                .configuration, provider: name, "provider '\(name)' needs an API key in the environment variable \(variable), which is not set",
                hint: "export \(variable)=…, or use another provider with --provider")
        }
        return value
    }
}
