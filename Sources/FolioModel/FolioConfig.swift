/// Repository settings (`folio.yaml`, `schema: folio/config@1`).
package struct FolioConfig: Sendable, Equatable, Codable {
    package static let schema = "folio/config@1"
    package static let fileName = "folio.yaml"

    package var mainBranch: String
    package var environments: [String]
    package var allowedSigners: String
    package var providers: [String: ProviderConfig]
    package var judge: JudgeConfig?
    package var prices: [String: ModelPrice]
    /// Evaluation runs stop sending requests (and end inconclusive) once they have spent this much.
    package var budgetUSD: Double?
    /// Where the trace commands and `folio ui` read spans when `--source` is not given.
    package var traces: TracesConfig?

    package init(
        mainBranch: String = "main",
        environments: [String] = ["staging", "production"],
        allowedSigners: String = ".folio/allowed_signers",
        providers: [String: ProviderConfig] = [:],
        judge: JudgeConfig? = nil,
        prices: [String: ModelPrice] = [:],
        budgetUSD: Double? = nil
    ) {
        self.mainBranch = mainBranch
        self.environments = environments
        self.allowedSigners = allowedSigners
        self.providers = providers
        self.judge = judge
        self.prices = prices
        self.budgetUSD = budgetUSD
    }

    enum CodingKeys: String, CodingKey {
        case environments, providers, judge, prices
        case traces
        case budgetUSD = "budget_usd"
        case mainBranch = "main_branch"
        case allowedSigners = "allowed_signers"
    }
}

/// `traces:` in folio.yaml: a folder of trace files, or a ClickHouse URL
/// (`clickhouse://user@host:8123/otel?traces_table=otel_traces`) whose password is read from
/// the environment variable `password_env` names (`FOLIO_CLICKHOUSE_PASSWORD` by default).
package struct TracesConfig: Sendable, Equatable, Codable {
    package var source: String
    package var passwordEnv: String?

    package init(source: String, passwordEnv: String? = nil) {
        self.source = source
        self.passwordEnv = passwordEnv
    }

    enum CodingKeys: String, CodingKey {
        case source
        case passwordEnv = "password_env"
    }
}

/// A named LLM endpoint.
package struct ProviderConfig: Sendable, Equatable, Codable {
    package enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case openai, anthropic, replay, command
    }

    package var kind: Kind
    package var baseURL: String?
    package var apiKeyEnv: String?
    package var model: String?
    package var concurrency: Int?
    package var timeoutSeconds: Double?
    package var headers: [String: String]?
    package var command: [String]?
    /// The `replay` kind's folder of recorded responses (default `.folio/recordings`).
    package var path: String?

    package init(
        kind: Kind, baseURL: String? = nil, apiKeyEnv: String? = nil, model: String? = nil, concurrency: Int? = nil, timeoutSeconds: Double? = nil, headers: [String: String]? = nil,
        command: [String]? = nil, path: String? = nil
    ) {
        self.kind = kind
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.model = model
        self.concurrency = concurrency
        self.timeoutSeconds = timeoutSeconds
        self.headers = headers
        self.command = command
        self.path = path
    }

    enum CodingKeys: String, CodingKey {
        case kind, model, concurrency, headers, command, path
        case baseURL = "base_url"
        case apiKeyEnv = "api_key_env"
        case timeoutSeconds = "timeout"
    }
}

/// The provider and model that grade `llm-rubric` assertions.
package struct JudgeConfig: Sendable, Equatable, Codable {
    package var provider: String
    package var model: String?

    package init(provider: String, model: String? = nil) {
        self.provider = provider
        self.model = model
    }
}

/// USD per million tokens.
package struct ModelPrice: Sendable, Equatable, Codable {
    package var input: Double
    package var output: Double

    package init(input: Double, output: Double) {
        self.input = input
        self.output = output
    }
}
