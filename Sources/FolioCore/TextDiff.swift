/// A line-based unified diff, as `diff -u` prints it.
package enum TextDiff {
    private enum Line: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The unified diff of `old` and `new`, or "" when they are equal.
    package static func unified(_ old: String, _ new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let script = editScript(a, b)
        guard script.contains(where: { if case .same = $0 { return false } else { return true } }) else { return "" }
        var output = "--- \(oldName)\n+++ \(newName)\n"
        // Group changes into hunks separated by more than 2 × context unchanged lines.
        var index = 0
        var oldLine = 1, newLine = 1
        var positions: [(old: Int, new: Int)] = []
        for line in script {
            positions.append((oldLine, newLine))
            switch line {
            case .same:
                oldLine += 1
                newLine += 1
            case .removed: oldLine += 1
            case .added: newLine += 1
            }
        }
        while index < script.count {
            guard let firstChange = script[index...].firstIndex(where: { if case .same = $0 { return false } else { return true } }) else { break }
            let start = max(firstChange - context, index)
            var end = firstChange
            var unchangedRun = 0
            var cursor = firstChange
            while cursor < script.count {
                if case .same = script[cursor] {
                    unchangedRun += 1
                    if unchangedRun > 2 * context { break }
                } else {
                    unchangedRun = 0
                    end = cursor
                }
                cursor += 1
            }
            let stop = min(end + context + 1, script.count)
            let hunk = script[start..<stop]
            let oldCount = hunk.filter { if case .added = $0 { return false } else { return true } }.count
            let newCount = hunk.filter { if case .removed = $0 { return false } else { return true } }.count
            let oldStart = oldCount == 0 ? positions[start].old - 1 : positions[start].old
            let newStart = newCount == 0 ? positions[start].new - 1 : positions[start].new
            output += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for line in hunk {
                switch line {
                case .same(let text): output += " \(text)\n"
                case .removed(let text): output += "-\(text)\n"
                case .added(let text): output += "+\(text)\n"
                }
            }
            index = stop
        }
        return output
    }

    private static func lines(_ text: String) -> [String] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// The shortest edit script by longest common subsequence.
    private static func editScript(_ a: [String], _ b: [String]) -> [Line] {
        let n = a.count, m = b.count
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var script: [Line] = []
        var i = 0, j = 0
        while i < n && j < m {
            if a[i] == b[j] {
                script.append(.same(a[i]))
                i += 1
                j += 1
            } else if lengths[i + 1][j] >= lengths[i][j + 1] {
                script.append(.removed(a[i]))
                i += 1
            } else {
                script.append(.added(b[j]))
                j += 1
            }
        }
        while i < n {
            script.append(.removed(a[i]))
            i += 1
        }
        while j < m {
            script.append(.added(b[j]))
            j += 1
        }
        return script
    }
}
