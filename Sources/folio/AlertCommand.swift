import ArgumentParser
import Foundation
import FolioCore
import FolioModel
import FolioTelemetry

struct AlertCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Turn metric thresholds over exported traces into an exit code, for cron jobs and CI.",
        discussion: """
            Each --rule is '<metric> <op> <value>': metrics are spans, error_rate, misclassification_rate,
            latency_p50, latency_p95, latency_p99 (ms), ttft_p95 (ms), input_tokens_mean,
            output_tokens_mean, cost_mean, cost_total (USD); ops are > >= < <= == !=; rates take
            a fraction or a percentage (0.05 or 5%). Exits 1 and prints each rule that fires, 0
            when none fires, 2 for a malformed rule, and 3 (inconclusive) when a rule cannot be
            evaluated: no call has the metric, or misclassification_rate without --label-attr.
            --allow-missing skips such rules instead. --window keeps the calls that started
            within that long before the newest call read. Calls take their prompt, version and
            label from the nearest ancestor span that has them.

            Example:
              folio alert traces/ --prompt support_ticket_triage --rule 'misclassification_rate > 5%' --rule 'latency_p95 > 2000' --window 1h
            """
    )

    @Argument(help: "Trace files or folders.")
    var files: [String]

    @Option(name: .customLong("rule"), help: "A rule: '<metric> <op> <value>' (repeatable).")
    var rules: [String]

    @Option(help: "Only spans of this prompt.")
    var prompt: String?

    @Option(help: "Only spans of this prompt version.")
    var version: String?

    @Option(help: "Only the spans that started this long before the newest one (30m, 1h, 7d).")
    var window: String?

    @Option(name: .customLong("label-attr"), help: "The span attribute that holds the expected label (on the call or an ancestor).")
    var labelAttribute: String?

    @Flag(name: .customLong("allow-missing"), help: "Skip a rule that cannot be evaluated instead of ending inconclusive (exit 3).")
    var allowMissing = false

    struct Rule {
        let text: String
        let metric: String
        let op: String
        let threshold: Double
    }

    static let metrics: [String: @Sendable (SpanMetrics) -> Double?] = [
        "spans": { Double($0.spans) }, "error_rate": { $0.errorRate }, "misclassification_rate": { $0.misclassificationRate },
        "latency_p50": { $0.latencyP50 }, "latency_p95": { $0.latencyP95 }, "latency_p99": { $0.latencyP99 },
        "ttft_p95": { $0.timeToFirstChunkP95 }, "input_tokens_mean": { $0.meanInputTokens },
        "output_tokens_mean": { $0.meanOutputTokens }, "cost_mean": { $0.meanCost }, "cost_total": { $0.totalCost },
    ]

    static func parse(_ text: String) throws -> Rule {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3 else { throw ValidationError("rule '\(text)' is not '<metric> <op> <value>'") }
        guard metrics[parts[0]] != nil else {
            throw ValidationError("unknown metric '\(parts[0])' in rule '\(text)': use \(metrics.keys.sorted().joined(separator: ", "))")
        }
        guard [">", ">=", "<", "<=", "==", "!="].contains(parts[1]) else { throw ValidationError("unknown operator '\(parts[1])' in rule '\(text)'") }
        let raw = parts[2]
        guard let number = Double(raw.hasSuffix("%") ? String(raw.dropLast()) : raw) else {
            throw ValidationError("'\(raw)' in rule '\(text)' is not a number")
        }
        return Rule(text: text, metric: parts[0], op: parts[1], threshold: raw.hasSuffix("%") ? number / 100 : number)
    }

    func validate() throws {
        guard !rules.isEmpty else { throw ValidationError("give at least one --rule") }
        for rule in rules { _ = try Self.parse(rule) }
        if let window, BuildCommand.seconds(window) == nil { throw ValidationError("--window '\(window)' is not a duration such as 1h") }
    }

    func run(in env: CommandEnvironment) throws {
        let parsed = try rules.map(Self.parse)
        let prices = repositoryPrices(env)
        var calls = try joinedCalls(files, env, inherited: [labelAttribute].compactMap { $0 }, keepEvent: CallSummary.keepsEvent) { CallSummary($0) }
        calls = calls.filter { (prompt == nil || $0.promptName == prompt) && (version == nil || $0.promptVersion == version) }
        if let window, let seconds = BuildCommand.seconds(window), let newest = calls.map(\.payload.start).max() {
            calls = calls.filter { $0.payload.start >= newest.addingTimeInterval(-seconds) }
        }
        var metrics = SpanMetrics()
        for call in calls {
            let summary = call.payload
            let price = summary.model.flatMap { PriceTable.price(of: $0, overrides: prices) }
            metrics.add(SpanSample(summary, events: call.events, expectedLabel: labelAttribute.flatMap { call.attributes[$0]?.text }, price: price))
        }
        var fired = 0
        var unevaluated: [String] = []
        for rule in parsed {
            guard let value = Self.metrics[rule.metric]?(metrics) else {
                let reason =
                    rule.metric == "misclassification_rate" && labelAttribute == nil && metrics.labelledSpans == 0
                    ? "misclassification_rate needs --label-attr (or evaluation events), and there is none"
                    : "no call among \(metrics.spans) has \(rule.metric)"
                unevaluated.append("\(rule.text): \(reason)")
                continue
            }
            let fires: Bool
            switch rule.op {
            case ">": fires = value > rule.threshold
            case ">=": fires = value >= rule.threshold
            case "<": fires = value < rule.threshold
            case "<=": fires = value <= rule.threshold
            case "==": fires = value == rule.threshold
            default: fires = value != rule.threshold
            }
            if fires {
                fired += 1
                env.print("FIRING: \(rule.text) (value \(String(format: "%.4g", value)) over \(metrics.spans) call(s))")
            }
        }
        for line in unevaluated { env.print((allowMissing ? "skipped: " : "INCONCLUSIVE: ") + line) }
        if fired > 0 { throw ExitCode(1) }
        if !unevaluated.isEmpty, !allowMissing {
            env.note("\(unevaluated.count) rule(s) could not be evaluated: pass --allow-missing to skip them")
            throw ExitCode(3)
        }
        env.print("ok: \(parsed.count - (allowMissing ? unevaluated.count : 0)) rule(s) evaluated, none firing over \(metrics.spans) call(s)")
    }
}
