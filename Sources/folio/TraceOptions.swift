import ArgumentParser
import Foundation
import FolioClickHouse
import FolioCore
import FolioModel
import FolioTelemetry

/// Where spans come from, and which calls: the options every trace command shares.
struct TraceOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where the spans are: trace files or folders, or a ClickHouse URL in the OpenTelemetry Collector's schema (clickhouse://user@host:8123/otel?traces_table=otel_traces&logs_table=otel_logs; clickhouses:// for TLS). Default: traces: in folio.yaml.",
            valueName: "source"))
    var source: String?

    @Option(help: "Only calls of this prompt (on the call or an ancestor span; every dialect's spelling).")
    var prompt: String?

    @Option(help: "Only calls of this prompt version.")
    var version: String?

    @Option(help: "Only calls from this service (the resource's service.name).")
    var service: String?

    @Option(name: .customLong("where"), help: "Only calls whose attribute (theirs, an ancestor's, or their resource's such as service.name) equals a value: <attr>=<value> (repeatable).")
    var conditions: [String] = []

    @Option(help: "Only calls that started at or after this time (ISO 8601, a date, or an age like 24h or 7d).")
    var since: String?

    @Option(help: "Only calls that started before this time (same forms as --since).")
    var until: String?

    @Flag(help: "Only calls that ended in an error.")
    var errors = false

    @Option(name: .customLong("max-line-mb"), help: "Skip (with a warning) trace file lines longer than this many MiB.")
    var maxLineMB: Int = TraceReader.defaultMaxLineBytes >> 20

    var maxLineBytes: Int { maxLineMB << 20 }

    func validate() throws {
        guard (1...4096).contains(maxLineMB) else { throw ValidationError("--max-line-mb must be 1 to 4096") }
        for condition in conditions where !condition.contains("=") {
            throw ValidationError("--where '\(condition)' is not <attr>=<value>")
        }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, Self.time(value, now: Date()) == nil {
                throw ValidationError("\(name) '\(value)' is not a time: use 2026-11-29, 2026-11-29T10:00:00Z, or an age like 24h")
            }
        }
    }

    /// The filter, with ages (`24h`) counted back from `now`.
    func filter(now: Date = Date()) -> TraceFilter {
        TraceFilter(
            prompt: prompt, version: version, service: service, since: since.flatMap { Self.time($0, now: now) }, until: until.flatMap { Self.time($0, now: now) },
            errorsOnly: errors,
            conditions: conditions.map { condition in
                let parts = condition.split(separator: "=", maxSplits: 1).map(String.init)
                return TraceFilter.Condition(key: parts[0], value: parts.count > 1 ? parts[1] : "")
            })
    }

    static func time(_ text: String, now: Date) -> Date? {
        if let age = BuildCommand.seconds(text) { return now.addingTimeInterval(-age) }
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return full.date(from: text) ?? plain.date(from: text) ?? day.date(from: text)
    }

    /// The source: `paths` (the command's arguments), else `--source`, else `traces:` in
    /// the repository's folio.yaml. Relative paths are taken from `env`'s folder.
    func open(paths: [String] = [], _ env: CommandEnvironment) throws -> any TraceSource {
        try Self.open(paths: paths, source: source, maxLineBytes: maxLineBytes, env)
    }

    /// The same for a command with its own options (`folio ui`).
    static func open(paths: [String], source: String?, maxLineBytes: Int = TraceReader.defaultMaxLineBytes, _ env: CommandEnvironment) throws -> any TraceSource {
        if !paths.isEmpty, source != nil {
            throw ValidationError("give the traces as arguments or with --source, not both")
        }
        var spec = source.map { TracesConfig(source: $0) }
        if !paths.isEmpty {
            return FileTraceSource(paths: paths.map(env.path), maxLineBytes: maxLineBytes)
        }
        if spec == nil, let repository = try? PromptRepository(discovering: env.workingDirectory.path) {
            spec = repository.config.traces
        }
        guard let spec else {
            throw FolioError(.usage, "no traces given", hint: "pass trace files or folders, --source <folder or clickhouse:// URL>, or set `traces:` in folio.yaml")
        }
        return try TraceStore.open(spec, environment: env.variables, maxLineBytes: maxLineBytes) { env.path($0) }
    }
}

/// Reports what a source read on standard error: its warnings (the first 20) and counts.
func noteRead(_ notes: ReadNotes, _ env: CommandEnvironment) {
    for problem in notes.problems.prefix(20) { env.note("warning: \(Terminal.escaped(problem))") }
    env.note(notes.summary)
}

/// The price overrides of the Folio repository around the working folder, if any.
func repositoryPrices(_ env: CommandEnvironment) -> [String: ModelPrice] {
    (try? PromptRepository(discovering: env.workingDirectory.path))?.config.prices ?? [:]
}
