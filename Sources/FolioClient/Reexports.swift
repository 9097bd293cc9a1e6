import FolioModel

/// A variable value for `render(_:values:)` and `RenderedPrompt.variables`: text, numbers,
/// booleans, lists and objects, as in a prompt file. (Defined in FolioModel, which the
/// package shares with the `folio` tool; an app needs only `import FolioClient`.)
public typealias JSONValue = FolioModel.JSONValue

/// The model settings of a prompt file (`provider`, `name`, `temperature`, `max_tokens`,
/// `top_p`, `stop`), as `RenderedPrompt.model`.
public typealias ModelSettings = FolioModel.ModelSettings
