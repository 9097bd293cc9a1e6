import ArgumentParser
import FolioCore
import FolioEval
import FolioProviders
import Foundation
import FolioModel
import Synchronization

/// Options `eval` and `check` share.
struct EvalRunOptions: ParsableArguments {
    @Option(help: "Use this provider from folio.yaml instead of each prompt's model.provider.")
    var provider: String?

    @Option(help: "Run every case N times (overrides `repeat:` in golden sets).")
    var `repeat`: Int?

    @Option(name: .customLong("budget-usd"), help: "Stop sending requests once the run has cost this much (the run ends inconclusive).")
    var budgetUSD: Double?

    @Flag(name: .customLong("no-cache"), help: "Call the provider even when .folio/cache has the answer.")
    var noCache = false

    @Flag(help: "Write every answer to .folio/recordings for the replay provider.")
    var record = false

    func validate() throws {
        if let count = `repeat`, count < 1 { throw ValidationError("--repeat must be 1 or more") }
        if let budget = budgetUSD, budget <= 0 { throw ValidationError("--budget-usd must be more than 0") }
    }

    func setup(_ repository: PromptRepository, _ env: CommandEnvironment, providers: [String: ProviderConfig]? = nil) -> EvalSetup {
        let factory = ProviderFactory(providers: providers ?? repository.config.providers, environment: env.variables, root: repository.root)
        return EvalSetup(repository: repository, factory: factory, providerOverride: provider)
    }

    func evalOptions(_ setup: EvalSetup) throws -> EvalOptions {
        try setup.options(cache: !noCache, record: record, repeatCount: `repeat`, budgetUSD: budgetUSD)
    }
}

extension ReportWriter.Format: ExpressibleByArgument {}

/// Runs jobs with a progress bar on standard error; Ctrl-C ends the run as inconclusive
/// with every finished result kept (when the command owns the process).
enum EvalSession {
    static func run(_ jobs: [EvalJob], options: EvalOptions, _ env: CommandEnvironment) async throws -> EvalReport {
        let total = jobs.reduce(0) { $0 + $1.goldenSet.cases.count * $1.sides.count }
        env.note("Evaluating \(total) case run(s) on " + Set(jobs.flatMap { $0.sides.map { "\($0.info.provider)/\($0.info.model)" } }).sorted().joined(separator: ", ") + "…")
        let progress = ProgressBar(interactive: env.errors.isTerminal, env)
        let task = Task {
            await EvalRunner(options: options).run(jobs) { progress.update($0) }
        }
        guard env.ownsProcess else {
            let report = await task.value
            progress.finish()
            return report
        }
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler {
            env.note("\nInterrupted: finishing the requests in flight and writing what is done…")
            task.cancel()
        }
        interrupt.resume()
        let report = await task.value
        interrupt.cancel()
        signal(SIGINT, SIG_DFL)
        progress.finish()
        return report
    }

    /// 0 pass, 1 failures or regression, 3 inconclusive.
    static func exitCode(_ report: EvalReport) -> Int32 {
        switch report.verdict {
        case .pass: return 0
        case .fail, .regression: return 1
        case .inconclusive: return 3
        }
    }

    static func output(_ report: EvalReport, format: ReportWriter.Format, out: String?, _ env: CommandEnvironment) throws {
        env.write(ReportWriter.render(report, as: format, width: env.width))
        if let out {
            let written = try ReportWriter.writeAll(report, to: env.url(out))
            env.note("Reports: " + written.map(\.path).joined(separator: ", "))
        }
        env.flush()
    }
}

/// A one-line progress bar on a terminal; a line at every quarter otherwise.
final class ProgressBar: Sendable {
    let interactive: Bool
    let env: CommandEnvironment
    /// The last quarter reported (without a terminal); the lock also keeps lines whole.
    private let lastQuarter = Mutex(0)

    init(interactive: Bool, _ env: CommandEnvironment) {
        self.interactive = interactive
        self.env = env
    }

    func update(_ progress: EvalProgress) {
        lastQuarter.withLock { lastQuarter in
            let fraction = progress.total == 0 ? 1 : Double(progress.done) / Double(progress.total)
            let money = Money.text(progress.spentUSD)
            if interactive {
                let filled = Int(fraction * 30)
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 30 - filled)
                env.writeError("\r\(bar) \(progress.done)/\(progress.total) · cache hits \(progress.cacheHits) · \(money)")
            } else {
                let quarter = Int(fraction * 4)
                guard quarter > lastQuarter else { return }
                lastQuarter = quarter
                env.writeError("evaluated \(progress.done)/\(progress.total) (cache hits \(progress.cacheHits), spent \(money))\n")
            }
        }
    }

    func finish() {
        if interactive { env.writeError("\n") }
    }
}
