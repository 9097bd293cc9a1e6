import Foundation
import Logging
import Synchronization

/// Log lines on standard error, in `StreamLogHandler`'s format (`<time> <level> <label>:
/// <metadata> [<source>] <message>`), with metadata formatted only when a line is written.
///
/// `StreamLogHandler` formats its metadata whenever it is set; Hummingbird sets a request id
/// on its logger for every request, so a server with the access log off still spent about
/// 5% of each request formatting metadata nobody reads.
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Handlers for every label at `level`. swift-log allows one bootstrap per process; a
    /// second command run in the same process keeps the first one's.
    static func bootstrap(level: Logger.Level) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, logLevel: level) } }
    }

    private static let bootstrapped = Mutex(false)

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error { merged["error.message"] = "\(error)" }
        let pretty = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var time = time_t(Foundation.time(nil))
        var parts = tm()
        localtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        let stamp = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        CommandEnvironment.writeStandardError("\(stamp) \(event.level) \(label):\(pretty) [\(event.source)] \(event.message)\n")
    }
}
