import Foundation

/// Bounds on the work hostile input can cause. Each is far above what a real prompt,
/// golden set or trace comes near, and each can be raised with its environment variable.
///
/// | limit | default | variable |
/// | --- | --- | --- |
/// | YAML nodes of a file, aliases expanded | 1,000,000 | `FOLIO_MAX_YAML_NODES` |
/// | sections nested in a template | 100 | `FOLIO_MAX_TEMPLATE_NESTING` |
/// | bytes of one rendered message | 8 MiB | `FOLIO_MAX_RENDER_BYTES` |
/// | partials included while rendering one message | 10,000 | `FOLIO_MAX_PARTIAL_EXPANSIONS` |
package enum Limits {
    package static let yamlNodes = value("FOLIO_MAX_YAML_NODES", default: 1_000_000)
    package static let templateNesting = value("FOLIO_MAX_TEMPLATE_NESTING", default: 100)
    package static let renderedBytes = value("FOLIO_MAX_RENDER_BYTES", default: 8 << 20)
    package static let partialExpansions = value("FOLIO_MAX_PARTIAL_EXPANSIONS", default: 10_000)

    /// A positive whole number from the environment, else the default.
    static func value(_ variable: String, default fallback: Int) -> Int {
        guard let text = ProcessInfo.processInfo.environment[variable], let number = Int(text), number > 0 else { return fallback }
        return number
    }
}
