"""A prompt version from a manifest, checked and rendered as Folio's Swift SDK does:
declared variables only (unless allowed), required ones present, values of the declared
type (text converted where the intent is clear), enum members, defaults filled in; then
every message rendered without HTML escaping."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional

from ._errors import ConfigurationError, RenderError
from ._mustache import Section, Template, TemplateRenderError, TemplateSyntaxError, format_number, text_of


def coerce(value: Any, kind: str) -> Any:
    """Text becomes the declared type where the intent is clear ("3" for a number, "true"
    for a boolean), so values read from text work."""
    if not isinstance(value, str):
        return value
    if kind in ("integer", "number"):
        try:
            number = float(value)
        except ValueError:
            return value
        return number
    if kind == "boolean":
        lowered = value.lower()
        if lowered in ("true", "yes"):
            return True
        if lowered in ("false", "no"):
            return False
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a mapping"


def problem(value: Any, variable: Mapping[str, Any]) -> Optional[str]:
    """What is wrong with `value` for the declared `variable`, or None if it fits."""
    kind = variable.get("type", "string")
    if kind == "any":
        return None
    value = coerce(value, kind)
    is_bool = isinstance(value, bool)
    is_number = isinstance(value, (int, float)) and not is_bool
    fits = (
        (kind == "string" and (isinstance(value, str) or is_number or is_bool))
        or (kind == "boolean" and is_bool)
        or (kind == "number" and is_number)
        or (kind == "integer" and is_number and float(value) == int(value))
        or (kind == "list" and isinstance(value, (list, tuple)))
        or (kind == "object" and isinstance(value, dict))
    )
    if not fits:
        return f"expected type {kind}, found {_describe(value)}"
    allowed = variable.get("enum")
    if allowed is not None and text_of(value) not in allowed:
        return f"'{text_of(value)}' is not one of {', '.join(allowed)}"
    return None


def _normalize(value: Any) -> Any:
    """Numbers as Folio holds them (doubles), so 3 and 3.0 render alike."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_normalize(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _normalize(item) for key, item in value.items()}
    return str(value)


_NO_DEFAULT = object()


@dataclass(frozen=True)
class PromptFile:
    """One `folio/prompt-version@1` entry, with its templates parsed once."""
    name: str
    version: int
    entry: Mapping[str, Any]
    templates: List[Template]
    declared: Dict[str, Mapping[str, Any]]
    #: Declared string variables: None where any text fits, else the enum's members. A
    #: text value that fits needs no further checks.
    texts: Dict[str, Optional[frozenset]]
    #: For each declared variable, in order: its name, its default (normalized) or
    #: _NO_DEFAULT, and whether it is required.
    fills: tuple
    roles: List[str]
    partials: Dict[str, str]

    @staticmethod
    def compile(entry: Mapping[str, Any]) -> "PromptFile":
        name, version = entry["name"], int(entry["version"])
        templates = []
        for index, message in enumerate(entry.get("messages", [])):
            try:
                templates.append(Template(message["content"]))
            except TemplateSyntaxError as error:
                raise RenderError(f"prompt '{name}' v{version}: message {index + 1} has a template error at {error}",
                                  "template", name, version, None) from None
        variables = list(entry.get("variables", []))
        declared = {variable["name"]: variable for variable in variables}
        texts = {name: (None if variable.get("enum") is None else frozenset(member for member in variable["enum"] if isinstance(member, str)))
                 for name, variable in declared.items() if variable.get("type", "string") == "string"}
        fills = tuple((variable["name"], _normalize(variable["default"]) if "default" in variable else _NO_DEFAULT,
                       bool(variable.get("required", False))) for variable in variables)
        roles = [message["role"] for message in entry.get("messages", [])]
        return PromptFile(name, version, entry, templates, declared, texts, fills, roles, dict(entry.get("partials", {})))

    @staticmethod
    def from_messages(name: str, messages: Any) -> "PromptFile":
        """A prompt given by the app as messages (`[{"role", "content"}]`, templates with
        `{{variables}}`), as Langfuse takes a fallback: version 0, each variable a template
        uses outside a section declared as a required string, each section name as an
        optional value of any type."""
        if not isinstance(messages, (list, tuple)) or not all(
                isinstance(message, Mapping) and isinstance(message.get("role"), str) and isinstance(message.get("content"), str) for message in messages):
            raise ConfigurationError(f"the fallback for '{name}' must be a list of {{\"role\": …, \"content\": …}} messages")
        variables: Dict[str, Dict[str, Any]] = {}
        for index, message in enumerate(messages):
            try:
                template = Template(message["content"])
            except TemplateSyntaxError as error:
                raise ConfigurationError(f"the fallback for '{name}': message {index + 1} has a template error at {error}") from None
            for node, sections in template.references():
                top = node.parts[0]
                if top == "." or sections:
                    continue
                if top not in variables:
                    variables[top] = {"name": top, "type": "string", "required": True}
            for node in template.nodes:
                if isinstance(node, Section) and node.name.parts[0] not in variables:
                    variables[node.name.parts[0]] = {"name": node.name.parts[0], "type": "any"}
        entry = {"name": name, "version": 0, "variables": list(variables.values()),
                 "messages": [{"role": message["role"], "content": message["content"]} for message in messages]}
        return PromptFile.compile(entry)

    @property
    def label(self) -> str:
        return f"v{self.version}"

    @property
    def variables(self) -> List[Mapping[str, Any]]:
        return list(self.entry.get("variables", []))

    def _failure(self, kind: str, variable: Optional[str], detail: str) -> RenderError:
        return RenderError(f"prompt '{self.name}' {self.label}: {detail}", kind, self.name, self.version, variable)

    def resolve(self, values: Mapping[str, Any], allow_unknown: bool = False) -> Dict[str, Any]:
        declared = self.declared
        texts = self.texts
        # The common case: text for declared string variables, each a member of the enum
        # where there is one. Defaults and the required check as below.
        for name, value in values.items():
            if type(value) is not str or name not in texts:
                break
            members = texts[name]
            if members is not None and value not in members:
                break
        else:
            context = dict(values)
            if len(context) < len(declared):
                for name, default, required in self.fills:
                    if name in context:
                        continue
                    if default is not _NO_DEFAULT:
                        context[name] = default
                    elif required:
                        raise self._failure("missing_variable", name, f"missing required variable '{name}'")
            return context
        unknown = sorted(name for name in values if name not in declared)
        if unknown and not allow_unknown:
            names = [variable["name"] for variable in self.variables]
            hint = f"it declares {', '.join(names)}" if names else "it declares no variables"
            raise self._failure("unknown_variable", unknown[0], f"unknown variable '{unknown[0]}': {hint}")
        context: Dict[str, Any] = {name: value for name, value in values.items() if name not in declared} if allow_unknown else {}
        for name in sorted(name for name in values if name in declared):
            variable = declared[name]
            coerced = coerce(values[name], variable.get("type", "string"))
            issue = problem(coerced, variable)
            if issue is not None:
                raise self._failure("invalid_value", name, f"variable '{name}': {issue}")
            context[name] = coerced
        for variable in self.variables:
            name = variable["name"]
            if name in values:
                continue
            if "default" in variable:
                context[name] = variable["default"]
            elif variable.get("required", False):
                raise self._failure("missing_variable", name, f"missing required variable '{name}'")
        return {name: _normalize(value) for name, value in context.items()}

    def render(self, values: Mapping[str, Any], allow_unknown: bool = False) -> List[Dict[str, str]]:
        context = self.resolve(values, allow_unknown)
        messages = []
        for role, template in zip(self.roles, self.templates):
            if template.flat is not None:
                content = template.render_flat(context)
            else:
                try:
                    content = template.render(context, escape=False, partials=self.partials, strict_partials=True)
                except TemplateRenderError as error:
                    raise self._failure("template", None, str(error)) from None
            messages.append({"role": role, "content": content})
        return messages


__all__ = ["PromptFile", "coerce", "problem", "format_number"]
