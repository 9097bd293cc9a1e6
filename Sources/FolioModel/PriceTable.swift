/// USD per million tokens for common models; a repository's folio.yaml can override or add.
/// Shared by evaluation (what a run cost) and trace reports (what production costs).
package enum PriceTable {
    package static let builtIn: [String: ModelPrice] = [
        "gpt-4o": ModelPrice(input: 2.50, output: 10.00), "gpt-4o-mini": ModelPrice(input: 0.15, output: 0.60),
        "gpt-4.1": ModelPrice(input: 2.00, output: 8.00), "gpt-4.1-mini": ModelPrice(input: 0.40, output: 1.60),
        "gpt-4.1-nano": ModelPrice(input: 0.10, output: 0.40), "o3-mini": ModelPrice(input: 1.10, output: 4.40),
        "o4-mini": ModelPrice(input: 1.10, output: 4.40), "gpt-3.5-turbo": ModelPrice(input: 0.50, output: 1.50),
        "claude-3-5-sonnet": ModelPrice(input: 3.00, output: 15.00), "claude-3-5-haiku": ModelPrice(input: 0.80, output: 4.00),
        "claude-3-7-sonnet": ModelPrice(input: 3.00, output: 15.00), "claude-sonnet-4": ModelPrice(input: 3.00, output: 15.00),
        "claude-opus-4": ModelPrice(input: 15.00, output: 75.00), "claude-3-haiku": ModelPrice(input: 0.25, output: 1.25),
        "claude-haiku-4-5": ModelPrice(input: 1.00, output: 5.00),
    ]

    /// The price of a model: an exact entry, else the longest known name it starts with
    /// (`gpt-4o-2024-08-06` → `gpt-4o`); nil when unknown (shown as n/a, never $0).
    package static func price(of model: String, overrides: [String: ModelPrice] = [:]) -> ModelPrice? {
        if let exact = overrides[model] ?? builtIn[model] { return exact }
        let known = Set(builtIn.keys).union(overrides.keys)
        return known.filter { model.hasPrefix($0 + "-") }.max { $0.count < $1.count }.flatMap { overrides[$0] ?? builtIn[$0] }
    }

    /// The cost of one call in USD, or nil when the price or a token count is unknown.
    package static func cost(model: String, inputTokens: Int?, outputTokens: Int?, overrides: [String: ModelPrice] = [:]) -> Double? {
        guard let price = price(of: model, overrides: overrides), let inputTokens, let outputTokens else { return nil }
        return (Double(inputTokens) * price.input + Double(outputTokens) * price.output) / 1_000_000
    }
}
