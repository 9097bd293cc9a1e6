import FolioModel
import FolioTemplate

/// Cross-checks a prompt's templates against its declared variables and the partials
/// of the repository: undeclared variables, unknown partials, unused declarations.
enum TemplateChecks {
    static func check(_ loaded: LoadedPrompt, partials: [String: LoadedPartial]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let declared = Dictionary(loaded.variables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var used = Set<String>()
        let name = loaded.prompt?.name ?? "this prompt"

        for (index, message) in loaded.messages.enumerated() {
            guard let template = message.template else { continue }
            for reference in template.references {
                used.insert(reference.name.head)
                guard !isResolvable(reference, declared: declared) else { continue }
                let position = message.location.position(line: reference.name.line, column: reference.name.column)
                diagnostics.append(
                    Diagnostic(
                        path: loaded.path, line: position.line, column: position.column,
                        message:
                            "message \(index + 1) uses undeclared variable '\(reference.name.head)': declare it under `variables:`\(Suggestion.didYouMean(reference.name.head, among: Array(declared.keys)))"
                    ))
            }
            var visited = Set<String>()
            for partialName in template.partialNames {
                checkPartial(
                    partialName, prompt: name, declared: declared, partials: partials, at: message.location.start,
                    path: loaded.path, used: &used, visited: &visited, diagnostics: &diagnostics)
            }
            var counted: [String: Int] = [:]
            let expansions = expansionCount(template.partialUses, partials: partials, counted: &counted, chain: [])
            if expansions > Limits.partialExpansions {
                diagnostics.append(
                    Diagnostic(
                        path: loaded.path, line: message.location.start.line, column: message.location.start.column,
                        message:
                            "message \(index + 1) would include partials \(expansions > 1_000_000_000 ? "over a billion" : String(expansions)) times, more than the \(Limits.partialExpansions) a render allows: partials that include another more than once multiply; include each once"
                    ))
            }
        }
        for variable in loaded.variables where !used.contains(variable.name) {
            let position = loaded.variablePositions[variable.name] ?? FilePosition(line: 0, column: 0)
            diagnostics.append(
                Diagnostic(
                    path: loaded.path, line: position.line, column: position.column, severity: .warning,
                    message: "variable '\(variable.name)' is declared but never used in a message"
                ))
        }
        return diagnostics
    }

    private static func checkPartial(
        _ partialName: String, prompt: String, declared: [String: PromptVariable], partials: [String: LoadedPartial],
        at position: FilePosition, path: String, used: inout Set<String>, visited: inout Set<String>, diagnostics: inout [Diagnostic]
    ) {
        guard visited.insert(partialName).inserted else { return }
        guard let partial = partials[partialName] else {
            diagnostics.append(
                Diagnostic(
                    path: path, line: position.line, column: position.column,
                    message: "unknown partial '\(partialName)': there is no prompts/partials/\(partialName).yaml\(Suggestion.didYouMean(partialName, among: Array(partials.keys)))"
                ))
            return
        }
        guard partial.partial != nil, let template = partial.template else {
            let first = partial.diagnostics.first { $0.severity == .error }
            diagnostics.append(
                Diagnostic(
                    path: path, line: position.line, column: position.column,
                    message: "partial '\(partialName)' has errors, so prompt '\(prompt)' cannot render: \(first?.description ?? partial.path)"
                ))
            return
        }
        for reference in template.references {
            used.insert(reference.name.head)
            if !isResolvable(reference, declared: declared) {
                diagnostics.append(
                    Diagnostic(
                        path: path, line: position.line, column: position.column,
                        message: "partial '\(partialName)' uses '\(reference.name.head)', which prompt '\(prompt)' does not declare: declare it under `variables:`"
                    ))
            }
        }
        for nested in template.partialNames {
            checkPartial(
                nested, prompt: prompt, declared: declared, partials: partials, at: position, path: path,
                used: &used, visited: &visited, diagnostics: &diagnostics)
        }
    }

    /// How many partials a render includes for these partial tags, counting the partials
    /// each includes (repeats multiply). A partial that includes itself, directly or not,
    /// counts once there: recursion is bounded by the data and the renderer's depth limit.
    /// Saturates rather than overflowing.
    private static func expansionCount(_ uses: [String], partials: [String: LoadedPartial], counted: inout [String: Int], chain: Set<String>) -> Int {
        var total = 0
        for name in uses {
            var below = 0
            if let known = counted[name] {
                below = known
            } else if !chain.contains(name), let template = partials[name]?.template {
                below = expansionCount(template.partialUses, partials: partials, counted: &counted, chain: chain.union([name]))
                counted[name] = below
            }
            let (sum, overflow) = total.addingReportingOverflow(1 &+ below)
            total = overflow || sum < 0 ? Int.max : sum
        }
        return total
    }

    /// A name resolves if it is declared, is the implicit iterator, or sits inside a
    /// section over a list or object (whose items may carry it).
    private static func isResolvable(_ reference: VariableReference, declared: [String: PromptVariable]) -> Bool {
        if reference.name.raw == "." || declared[reference.name.head] != nil { return true }
        return reference.enclosingSections.contains { section in
            guard let variable = declared[section.head] else { return true }  // reported on its own
            return variable.type == .list || variable.type == .object
        }
    }
}
