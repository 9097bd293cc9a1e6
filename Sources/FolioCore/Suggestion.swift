/// "Did you mean" suggestions for misspelled keys and names.
enum Suggestion {
    /// `"; did you mean 'x'?"` for the closest candidate within a small edit distance, else "".
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        guard let best = closest(to: word, among: candidates) else { return "" }
        return "; did you mean '\(best)'?"
    }

    static func closest(to word: String, among candidates: [String]) -> String? {
        // An abbreviation of exactly one candidate (`prod` for `production`).
        let extending = candidates.filter { word.count >= 3 && $0.lowercased().hasPrefix(word.lowercased()) && $0.count > word.count }
        if extending.count == 1 { return extending[0] }
        let limit = max(2, word.count / 3)
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
