import FolioModel
import FolioTemplate

/// A prompt file as read from disk or git: the prompt when it decoded, the parsed
/// templates, and where each piece sits in the file for later diagnostics.
package struct LoadedPrompt: Sendable {
    package let path: String
    package let text: String
    package let prompt: Prompt?
    package let diagnostics: [Diagnostic]
    /// The variables that decoded, even when the file has other errors.
    let variables: [PromptVariable]
    /// One entry per message: its parsed template (nil on a syntax error) and location.
    let messages: [MessageSource]
    /// The file position of each declared variable's key.
    let variablePositions: [String: FilePosition]
    /// Where `model.provider`'s value is, when the file names a provider.
    var providerPosition: FilePosition? = nil

    struct MessageSource: Sendable {
        let template: Template?
        let location: TemplateLocation
    }
}

/// A 1-based line and column in a file.
struct FilePosition: Sendable, Equatable {
    let line: Int
    let column: Int
}

/// Maps a position inside a template string back to the YAML file that holds it.
struct TemplateLocation: Sendable {
    /// Where the scalar starts (its indicator or quote for block and quoted scalars).
    let start: FilePosition
    /// Lines before the template's first line: 1 for `|` and `>` block scalars.
    let lineOffset: Int
    /// Column of the template's first character on the first line.
    let firstColumn: Int
    /// Indentation of continuation lines (block scalars); 1-based column of their text.
    let blockColumn: Int

    func position(line: Int, column: Int) -> FilePosition {
        let fileLine = start.line + lineOffset + line - 1
        if line == 1 { return FilePosition(line: fileLine, column: firstColumn + column - 1) }
        return FilePosition(line: fileLine, column: blockColumn + column - 1)
    }
}

extension LoadedPrompt {
    /// Loads a prompt file's text (for callers outside FolioCore, such as the manifest builder).
    package static func load(path: String, text: String, name: String) -> LoadedPrompt {
        PromptLoader.load(path: path, text: text, expectedName: name)
    }
}
