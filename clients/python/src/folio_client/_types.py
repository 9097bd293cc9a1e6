"""What the clients hand to the app: a prompt read without rendering it, a rendered prompt
(with the arguments `openai` takes), and which version is served."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, TypedDict, cast

from ._errors import ConfigurationError
from ._prompt import PromptFile

if TYPE_CHECKING:  # the types `openai` declares, for type checkers only: openai is optional
    from openai.types.chat import ChatCompletionMessageParam


class _OpenAIRequired(TypedDict):
    messages: List["ChatCompletionMessageParam"]
    model: str


class OpenAIChatArguments(_OpenAIRequired, total=False):
    """The keyword arguments of `openai`'s `chat.completions.create`, as the prompt file
    sets them: `client.chat.completions.create(**prompt.openai_arguments())`."""
    temperature: float
    max_tokens: int
    top_p: float


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered prompt: `messages` go to a chat API as they are."""
    name: str
    #: The prompt version rendered (0 for fallback messages the app gave).
    version: int
    messages: List[Dict[str, str]]
    #: The model settings of the prompt file (provider, name, temperature, max_tokens, …).
    model: Dict[str, Any]
    #: The variables as given.
    variables: Dict[str, Any] = field(default_factory=dict)
    #: The prompt's declared output: {"type": "text" | "label" | "json", "labels": [...]}.
    output: Dict[str, Any] = field(default_factory=dict)

    @property
    def model_name(self) -> Optional[str]:
        name = self.model.get("name")
        return name if isinstance(name, str) else None

    def openai_arguments(self, *, model: Optional[str] = None) -> OpenAIChatArguments:
        """`messages`, `model` and the settings the prompt file gives (`temperature`,
        `max_tokens`, `top_p`), typed as `openai` types them. `model` overrides the file's."""
        name = model or self.model_name
        if not name:
            raise ConfigurationError(f"prompt '{self.name}' v{self.version} names no model: pass openai_arguments(model=...)")
        arguments = OpenAIChatArguments(messages=cast("List[ChatCompletionMessageParam]", [dict(message) for message in self.messages]), model=name)
        if isinstance(self.model.get("temperature"), (int, float)):
            arguments["temperature"] = float(self.model["temperature"])
        if isinstance(self.model.get("max_tokens"), (int, float)):
            arguments["max_tokens"] = int(self.model["max_tokens"])
        if isinstance(self.model.get("top_p"), (int, float)):
            arguments["top_p"] = float(self.model["top_p"])
        return arguments


@dataclass(frozen=True)
class PromptVersionInfo:
    name: str
    version: int
    #: "published" for the environment's current version, "pinned" for name@N.
    status: str


class PromptTemplate:
    """A prompt as the manifest holds it, not rendered: what `get_prompt` returns (as
    Langfuse's `get_prompt` and MLflow's `load_prompt` do). `render` (Langfuse's `compile`,
    MLflow's `format`) checks and fills the variables."""

    def __init__(self, prompt: PromptFile, is_fallback: bool = False):
        self._prompt = prompt
        #: True when the app's own fallback messages stand in for the manifest.
        self.is_fallback = is_fallback

    @property
    def name(self) -> str:
        return self._prompt.name

    @property
    def version(self) -> int:
        return self._prompt.version

    @property
    def messages(self) -> List[Dict[str, str]]:
        """The message templates, `{{variables}}` and all."""
        return [{"role": message["role"], "content": message["content"]} for message in self._prompt.entry.get("messages", [])]

    @property
    def variables(self) -> List[Mapping[str, Any]]:
        """The declared variables: name, type, required, enum, default."""
        return self._prompt.variables

    @property
    def model(self) -> Dict[str, Any]:
        return dict(self._prompt.entry.get("model") or {})

    @property
    def output(self) -> Dict[str, Any]:
        return dict(self._prompt.entry.get("output") or {})

    @property
    def labels(self) -> List[str]:
        """The labels a `label` output may take (empty for other outputs)."""
        return [label for label in self.output.get("labels", []) if isinstance(label, str)]

    def render(self, variables: Optional[Mapping[str, Any]] = None, /, *, allow_unknown: bool = False, **values: Any) -> RenderedPrompt:
        """The messages with the variables filled in: a mapping, keywords, or both."""
        given: Dict[str, Any] = dict(variables or {})
        given.update(values)
        messages = self._prompt.render(given, allow_unknown)
        return RenderedPrompt(self.name, self.version, messages, self.model, given, self.output)

    def __repr__(self) -> str:
        return f"PromptTemplate({self.name!r}, version={self.version})"
