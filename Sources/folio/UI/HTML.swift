import Foundation

/// Server-rendered HTML for `folio ui`: every text from a span, a file or a request goes in
/// through `escape` (or `Node.text`), so it stays text; there is no inline script or style
/// (the Content-Security-Policy forbids them), and links are built from fixed paths with
/// escaped query values, never from span text.
enum HTML {
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default:
                // Controls other than tab and line breaks would be invalid HTML: shown as U+FFFD.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" {
                    result += "\u{FFFD}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// A query string from pairs (values percent-encoded; empty values left out).
    static func query(_ pairs: [(String, String?)]) -> String {
        var components = URLComponents()
        components.queryItems = pairs.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : URLQueryItem(name: name, value: $0) } }
        let text = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        return text.isEmpty ? "" : "?" + escape(text)
    }

    /// A path segment, percent-encoded for a URL and escaped for an attribute.
    static func segment(_ text: String) -> String {
        escape(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~@"))) ?? "")
    }

    /// The page around `body`: navigation, the stylesheet and the script (both served from
    /// the binary).
    static func page(title: String, active: String, body: String, notice: String? = nil) -> String {
        let links = [("traces", "/traces", "Traces"), ("prompts", "/prompts", "Prompts"), ("promotions", "/promotions", "Promotions"), ("dashboard", "/dashboard", "Dashboard")]
        let nav = links.map { key, path, label in
            "<a href=\"\(path)\"\(key == active ? " aria-current=\"page\"" : "")>\(label)</a>"
        }.joined()
        let banner = notice.map { "<p class=\"notice\" role=\"status\">\(escape($0))</p>" } ?? ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Folio</title>
            <link rel="stylesheet" href="/assets/ui.css">
            <script src="/assets/ui.js" defer></script>
            </head>
            <body>
            <header><a class="brand" href="/traces">Folio</a><nav aria-label="Pages">\(nav)</nav></header>
            <main id="main">
            <h1>\(escape(title))</h1>
            \(banner)
            \(body)
            </main>
            </body>
            </html>
            """
    }

    /// A table with a header row; cells are HTML already.
    static func table(_ header: [String], _ rows: [[String]], caption: String? = nil) -> String {
        let head = header.map { "<th scope=\"col\">\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        let captionHTML = caption.map { "<caption>\(escape($0))</caption>" } ?? ""
        return "<table>\(captionHTML)<thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// A labelled text input.
    static func field(_ name: String, label: String, value: String? = nil, placeholder: String = "", type: String = "text") -> String {
        "<label>\(escape(label)) <input type=\"\(type)\" name=\"\(escape(name))\" value=\"\(escape(value ?? ""))\" placeholder=\"\(escape(placeholder))\"></label>"
    }

    /// The hidden field every form that writes carries.
    static func csrf(_ token: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(token))\">"
    }
}
