import FolioModel
import FolioTelemetry
import Foundation

/// The one entry point the trace commands and `folio ui` call: a source named once (trace
/// files or folders, or a ClickHouse URL) opened as a `TraceSource`.
package enum TraceStore {
    /// - Parameters:
    ///   - spec: `traces:` in folio.yaml or `--source`: paths (separated by spaces are not
    ///     split: one path), or `clickhouse://` / `clickhouses://` URLs.
    ///   - environment: where the ClickHouse password is read (`spec.passwordEnv`, else
    ///     `FOLIO_CLICKHOUSE_PASSWORD`).
    ///   - resolve: turns a relative path into the caller's.
    package static func open(
        _ spec: TracesConfig, environment: [String: String], maxLineBytes: Int = TraceReader.defaultMaxLineBytes, resolve: (String) -> String = { $0 }
    ) throws -> any TraceSource {
        if ClickHouseURL.isClickHouse(spec.source) {
            let url = try ClickHouseURL(spec.source, passwordVariable: spec.passwordEnv)
            return ClickHouseTraceSource(client: ClickHouseClient(url: url, environment: environment))
        }
        return FileTraceSource(paths: [resolve(spec.source)], maxLineBytes: maxLineBytes)
    }
}
