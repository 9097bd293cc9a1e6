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
            evaluated: no call has the metric, misclassification_rate without --label-attr, or
            labels without outputs (the message says so). --allow-missing skips such rules
            instead. Rules are evaluated for each prompt version (--group-by, default
            prompt,version), and a firing rule names the group; values print in the rule's unit.
            --window keeps the calls that started within that long before the newest call read.
            Calls take their prompt, version and label from the nearest ancestor span that has them.

            Example:
              folio alert traces/ --prompt support_ticket_triage --rule 'misclassification_rate > 5%' --rule 'latency_p95 > 2000' --window 1h
            """
    )

    @Argument(help: "Trace files or folders (or use --source, or traces: in folio.yaml).")
    var files: [String] = []

    @Option(name: .customLong("rule"), help: "A rule: '<metric> <op> <value>' (repeatable).")
    var rules: [String]

    @OptionGroup var options: TraceOptions

    @Option(help: "Only the calls that started this long before the newest one (30m, 1h, 7d).")
    var window: String?

    @Option(name: .customLong("label-attr"), help: "The span attribute that holds the expected label (on the call or an ancestor).")
    var labelAttribute: String?

    @Option(name: .customLong("group-by"), help: "Evaluate the rules for each group of these keys, comma-separated (prompt, version, model, or an attribute); 'none' for all calls together.")
    var groupBy: String = "prompt,version"

    @Flag(name: .customLong("allow-missing"), help: "Skip a rule that cannot be evaluated instead of ending inconclusive (exit 3).")
    var allowMissing = false

    struct Rule {
        let text: String
        let metric: String
        let op: String
        let threshold: Double
        /// Written as a percentage (`5%`): values are printed the same way.
        let percent: Bool

        /// A value in the rule's unit: a percentage, milliseconds, dollars, or a number.
        func show(_ value: Double) -> String {
            if percent { return String(format: "%.1f%%", value * 100) }
            if metric.hasPrefix("latency_") || metric == "ttft_p95" { return String(format: "%.0f ms", value) }
            if metric.hasPrefix("cost_") { return Money.text(value) }
            if metric == "spans" { return String(Int(value)) }
            return String(format: "%.4g", value)
        }

        func fires(_ value: Double) -> Bool {
            switch op {
            case ">": return value > threshold
            case ">=": return value >= threshold
            case "<": return value < threshold
            case "<=": return value <= threshold
            case "==": return value == threshold
            default: return value != threshold
            }
        }
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
        return Rule(text: text, metric: parts[0], op: parts[1], threshold: raw.hasSuffix("%") ? number / 100 : number, percent: raw.hasSuffix("%"))
    }

    func validate() throws {
        guard !rules.isEmpty else { throw ValidationError("give at least one --rule") }
        for rule in rules { _ = try Self.parse(rule) }
        if let window, BuildCommand.seconds(window) == nil { throw ValidationError("--window '\(window)' is not a duration such as 1h") }
        if groupBy.split(separator: ",").isEmpty { throw ValidationError("--group-by takes keys separated by commas, or none") }
    }

    var groupKeys: [GroupKey] {
        groupBy == "none" ? [] : groupBy.split(separator: ",").map { GroupKey(String($0)) }
    }

    func run(in env: CommandEnvironment) async throws {
        let parsed = try rules.map(Self.parse)
        let source = try options.open(paths: files, env)
        let keys = groupKeys
        let request = ReportRequest(
            filter: options.filter(), groupBy: keys, labelAttribute: labelAttribute,
            window: window.flatMap(BuildCommand.seconds), prices: repositoryPrices(env))
        let result = try await source.report(request)
        noteRead(result.notes, env)
        let groups = result.report.groups
        let names = groups.keys.sorted()
        var fired = 0
        var unevaluated: [String] = []
        var evaluated = 0
        if names.isEmpty {
            for rule in parsed { unevaluated.append("\(rule.text): no call matched") }
        }
        for name in names {
            let metrics = groups[name]!
            let label = keys.isEmpty ? "all calls" : Self.groupLabel(name, keys: keys)
            for rule in parsed {
                guard let value = Self.metrics[rule.metric]?(metrics) else {
                    let reason: String
                    if rule.metric == "misclassification_rate", let cause = metrics.missingOutputCause {
                        reason = cause
                    } else if rule.metric == "misclassification_rate", labelAttribute == nil, metrics.labelledSpans == 0 {
                        reason = "misclassification_rate needs --label-attr (or evaluation events), and there is none"
                    } else {
                        reason = "no call among \(metrics.spans) has \(rule.metric)"
                    }
                    unevaluated.append("\(rule.text) for \(label): \(reason)")
                    continue
                }
                evaluated += 1
                if rule.fires(value) {
                    fired += 1
                    env.print("FIRING: \(rule.text) for \(label) (value \(rule.show(value)) over \(metrics.spans) call(s))")
                }
            }
        }
        for line in unevaluated { env.print((allowMissing ? "skipped: " : "INCONCLUSIVE: ") + line) }
        if fired > 0 { throw ExitCode(1) }
        if !unevaluated.isEmpty, !allowMissing {
            env.note("\(unevaluated.count) rule(s) could not be evaluated: pass --allow-missing to skip them")
            throw ExitCode(3)
        }
        env.print("ok: \(evaluated) rule evaluation(s) over \(names.count) group(s), none firing")
    }

    /// `support_ticket_triage@2` for prompt and version; `key=value` pairs otherwise.
    static func groupLabel(_ name: String, keys: [GroupKey]) -> String {
        let values = name.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if keys == [.prompt, .version], values.count == 2 { return "\(values[0])@\(values[1])" }
        return zip(keys, values).map { "\($0.name)=\($1)" }.joined(separator: " ")
    }
}
