/// Repository settings (`folio.yaml`, `schema: folio/config@1`).
public struct FolioConfig: Sendable, Equatable, Codable {
    public static let schema = "folio/config@1"
    public static let fileName = "folio.yaml"

    public var mainBranch: String
    public var environments: [String]
    public var allowedSigners: String
    public var providers: [String: ProviderConfig]
    public var judge: JudgeConfig?
    public var prices: [String: ModelPrice]
    /// Evaluation runs stop sending requests (and end inconclusive) once they have spent this much.
    public var budgetUSD: Double?

    public init(
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
        case budgetUSD = "budget_usd"
        case mainBranch = "main_branch"
        case allowedSigners = "allowed_signers"
    }
}

/// A named LLM endpoint.
public struct ProviderConfig: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case openai, anthropic, replay, command
    }

    public var kind: Kind
    public var baseURL: String?
    public var apiKeyEnv: String?
    public var model: String?
    public var concurrency: Int?
    public var timeoutSeconds: Double?
    public var headers: [String: String]?
    public var command: [String]?
    /// The `replay` kind's folder of recorded responses (default `.folio/recordings`).
    public var path: String?

    public init(kind: Kind, baseURL: String? = nil, apiKeyEnv: String? = nil, model: String? = nil, concurrency: Int? = nil, timeoutSeconds: Double? = nil, headers: [String: String]? = nil, command: [String]? = nil, path: String? = nil) {
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
public struct JudgeConfig: Sendable, Equatable, Codable {
    public var provider: String
    public var model: String?

    public init(provider: String, model: String? = nil) {
        self.provider = provider
        self.model = model
    }
}

/// USD per million tokens.
public struct ModelPrice: Sendable, Equatable, Codable {
    public var input: Double
    public var output: Double

    public init(input: Double, output: Double) {
        self.input = input
        self.output = output
    }
}
