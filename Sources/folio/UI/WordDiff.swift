import Foundation

/// A side-by-side diff for the Prompts page: lines matched by longest common subsequence,
/// and within a changed pair of lines the words that differ marked `<del>` (left) and `<ins>`
/// (right). The results are HTML with every text escaped.
enum WordDiff {
    /// The rows: (left, right), either side empty where a line was added or removed.
    static func lines(_ before: [String], _ after: [String]) -> [(String, String)] {
        var rows: [(String, String)] = []
        var removed: [String] = []
        var added: [String] = []
        func flush() {
            for index in 0..<max(removed.count, added.count) {
                let left = index < removed.count ? removed[index] : nil
                let right = index < added.count ? added[index] : nil
                if let left, let right {
                    rows.append(words(left, right))
                } else {
                    rows.append((left.map { "<del>\(HTML.escape($0))</del>" } ?? "", right.map { "<ins>\(HTML.escape($0))</ins>" } ?? ""))
                }
            }
            removed = []
            added = []
        }
        for step in script(before, after) {
            switch step {
            case .same(let line):
                flush()
                rows.append((HTML.escape(line), HTML.escape(line)))
            case .removed(let line): removed.append(line)
            case .added(let line): added.append(line)
            }
        }
        flush()
        return rows
    }

    /// One changed line pair, word by word (whitespace kept as its own tokens).
    static func words(_ left: String, _ right: String) -> (String, String) {
        var before = "", after = ""
        for step in script(tokens(left), tokens(right)) {
            switch step {
            case .same(let word):
                before += HTML.escape(word)
                after += HTML.escape(word)
            case .removed(let word): before += "<del>\(HTML.escape(word))</del>"
            case .added(let word): after += "<ins>\(HTML.escape(word))</ins>"
            }
        }
        return (before, after)
    }

    static func tokens(_ line: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inSpace: Bool?
        for character in line {
            let space = character.isWhitespace
            if inSpace != nil, inSpace != space {
                result.append(current)
                current = ""
            }
            current.append(character)
            inSpace = space
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    enum Step {
        case same(String), removed(String), added(String)
    }

    /// The edit script by longest common subsequence (prompt files are short: the table is
    /// at most a few hundred lines square; longer inputs fall back to remove-all, add-all).
    static func script(_ a: [String], _ b: [String]) -> [Step] {
        guard a.count * b.count <= 4_000_000 else { return a.map(Step.removed) + b.map(Step.added) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var steps: [Step] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                steps.append(.same(a[i]))
                i += 1
                j += 1
            } else if j < b.count, i == a.count || table[i][j + 1] >= table[i + 1][j] {
                steps.append(.added(b[j]))
                j += 1
            } else {
                steps.append(.removed(a[i]))
                i += 1
            }
        }
        return steps
    }
}
