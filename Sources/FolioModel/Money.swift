import Foundation

/// Dollar amounts as every report prints them: two decimals from a dollar up, three
/// significant digits below (`$0.0000069`, `$0.00104`, `$0.31`, `$12.40`), so that a
/// small model's cost never reads as `$0.0000`.
package enum Money {
    package static func text(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        if value == 0 { return "$0.00" }
        if abs(value) >= 1 { return String(format: "$%.2f", value) }
        let digits = min(12, max(2, Int((-log10(abs(value))).rounded(.down)) + 3))
        var text = String(format: "%.\(digits)f", value)
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 { text.removeLast() }
        return "$" + text
    }
}
