import FolioCore
import FolioModel
import Foundation

/// Writes a report in every format to a folder (`folio check --out`, `folio eval --out`),
/// each file through a temp file and a rename.
package enum ReportWriter {
    package enum Format: String, CaseIterable, Sendable {
        case table, json, markdown, junit, html
    }

    /// `width`: the terminal's, for the table (the other formats ignore it).
    package static func render(_ report: EvalReport, as format: Format, width: Int = TableReport.defaultWidth) -> String {
        switch format {
        case .table: return TableReport.render(report, width: width) + "\n"
        case .json: return json(report)
        case .markdown: return MarkdownReport.render(report)
        case .junit: return JUnitReport.render(report)
        case .html: return HTMLReport.render(report)
        }
    }

    package static func json(_ report: EvalReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// File names in the output folder.
    package static let fileNames: [Format: String] = [
        .json: "report.json", .markdown: "report.md", .junit: "junit.xml", .html: "report.html", .table: "report.txt",
    ]

    @discardableResult
    package static func writeAll(_ report: EvalReport, to folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try Format.allCases.map { format in
            let url = folder.appendingPathComponent(fileNames[format]!)
            try AtomicFile.write(Data(render(report, as: format).utf8), to: url)
            return url
        }
    }
}
