"""Mustache as Folio renders prompts: the specification's comments, delimiters,
interpolation, inverted, partials and sections modules, standalone lines included, with
HTML escaping off for prompts (on for the specification's own tests).

A port of Folio's Swift engine (FolioTemplate), kept byte-for-byte equal to it by the
conformance suite in the repository's conformance/ folder.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

# Bounds on hostile templates, as the Swift engine has them (same environment variables).
def _limit(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
        return value if value > 0 else default
    except ValueError:
        return default

MAX_NESTING = _limit("FOLIO_MAX_TEMPLATE_NESTING", 100)
MAX_RENDERED_BYTES = _limit("FOLIO_MAX_RENDER_BYTES", 8 << 20)
MAX_PARTIAL_EXPANSIONS = _limit("FOLIO_MAX_PARTIAL_EXPANSIONS", 10_000)
MAX_PARTIAL_DEPTH = 64


class _Slot(str):
    """A variable's name in a flat template (a str, told apart from text by its type)."""


class TemplateSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


class TemplateRenderError(Exception):
    pass


@dataclass(frozen=True)
class Name:
    raw: str
    line: int
    column: int

    @property
    def parts(self) -> List[str]:
        return ["."] if self.raw == "." else self.raw.split(".")


@dataclass
class Text:
    text: str


@dataclass
class Variable:
    name: Name
    escaped: bool


@dataclass
class Section:
    name: Name
    inverted: bool
    children: List[Any] = field(default_factory=list)


@dataclass
class Partial:
    name: str
    indentation: str


Node = Union[Text, Variable, Section, Partial]


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.position = 0
        self.open = "{{"
        self.close = "}}"
        self.counted = (0, 1, 1)  # offset, line, column (in Unicode scalars)

    def line_and_column(self, offset: int) -> Tuple[int, int]:
        start, line, column = self.counted
        segment = self.source[start:offset]
        newlines = segment.count("\n")
        if newlines:
            line += newlines
            column = len(segment) - segment.rfind("\n")
        else:
            column += len(segment)
        self.counted = (offset, line, column)
        return line, column

    def parse(self) -> List[Node]:
        stack: List[Tuple[Optional[Name], bool, List[Node]]] = [(None, False, [])]
        source = self.source
        while self.position < len(source):
            start = source.find(self.open, self.position)
            if start < 0:
                stack[-1][2].append(Text(source[self.position:]))
                break
            kind, content, end, line, column = self._read_tag(start)
            standalone = self._standalone(start, end) if kind != "variable" and kind != "raw" else None
            text_end = standalone[0] if standalone else start
            if text_end > self.position:
                stack[-1][2].append(Text(source[self.position:text_end]))
            self.position = standalone[1] if standalone else end
            name = Name(content, line, column)
            if kind == "comment":
                continue
            if kind == "delimiters":
                self._set_delimiters(content, name)
            elif kind in ("variable", "raw"):
                self._require_name(name)
                stack[-1][2].append(Variable(name, escaped=kind == "variable"))
            elif kind == "partial":
                self._require_name(name)
                indentation = source[standalone[0]:start] if standalone else ""
                stack[-1][2].append(Partial(content, indentation))
            elif kind in ("section", "inverted"):
                self._require_name(name)
                if len(stack) > MAX_NESTING:
                    raise TemplateSyntaxError(f"sections nest more than {MAX_NESTING} deep: flatten the template (or raise FOLIO_MAX_TEMPLATE_NESTING)", line, column)
                stack.append((name, kind == "inverted", []))
            elif kind == "close":
                if len(stack) < 2 or stack[-1][0] is None:
                    raise TemplateSyntaxError(f"'{{{{/{content}}}}}' closes a section that was never opened", line, column)
                open_name, inverted, children = stack[-1]
                if open_name.raw != content:
                    raise TemplateSyntaxError(f"'{{{{/{content}}}}}' does not match the open section '{open_name.raw}' (line {open_name.line})", line, column)
                stack.pop()
                stack[-1][2].append(Section(open_name, inverted, children))
        if len(stack) > 1:
            unclosed = stack[-1][0]
            raise TemplateSyntaxError(f"section '{unclosed.raw}' is never closed: add {{{{/{unclosed.raw}}}}}", unclosed.line, unclosed.column)
        return stack[0][2]

    def _read_tag(self, start: int):
        line, column = self.line_and_column(start)
        cursor = start + len(self.open)
        sigil = self.source[cursor] if cursor < len(self.source) else ""
        closing = self.close
        kinds = {"{": "raw", "&": "raw", "#": "section", "^": "inverted", "/": "close", ">": "partial", "!": "comment", "=": "delimiters"}
        kind = kinds.get(sigil, "variable")
        if sigil == "{":
            closing = "}" + self.close
        elif sigil == "=":
            closing = "=" + self.close
        if kind != "variable":
            cursor += 1
        close_at = self.source.find(closing, cursor)
        if close_at < 0:
            raise TemplateSyntaxError(f"unclosed tag '{self.open}': expected '{closing}'", line, column)
        content = self.source[cursor:close_at].strip(" \t\r\n")
        return kind, content, close_at + len(closing), line, column

    @staticmethod
    def _require_name(name: Name) -> None:
        if not name.raw:
            raise TemplateSyntaxError("empty tag: put a variable name inside it", name.line, name.column)
        if any(c in name.raw for c in " \t\n"):
            raise TemplateSyntaxError(f"'{name.raw}' is not a valid name: names cannot contain spaces", name.line, name.column)

    def _set_delimiters(self, content: str, tag: Name) -> None:
        parts = [p for p in content.replace("\t", " ").split(" ") if p]
        if len(parts) != 2 or "=" in parts[0] or "=" in parts[1]:
            raise TemplateSyntaxError("a delimiter change needs two delimiters, like {{=<% %>=}}", tag.line, tag.column)
        self.open, self.close = parts

    def _standalone(self, tag_start: int, tag_end: int) -> Optional[Tuple[int, int]]:
        source = self.source
        line_start = tag_start
        while line_start > 0 and source[line_start - 1] != "\n":
            if source[line_start - 1] not in " \t":
                return None
            line_start -= 1
        if line_start < self.position:
            return None
        line_end = tag_end
        while line_end < len(source) and source[line_end] in " \t":
            line_end += 1
        if line_end == len(source):
            return line_start, line_end
        if source[line_end] == "\n":
            return line_start, line_end + 1
        if source.startswith("\r\n", line_end):
            return line_start, line_end + 2
        return None


def text_of(value: Any) -> str:
    """A value as Folio prints it: JSON's spelling (true, 1, 2.5), not Python's."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return format_number(float(value))
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def format_number(value: float) -> str:
    if math.isfinite(value) and value == math.floor(value) and abs(value) < 9.0e15:
        return str(int(value))
    return repr(value)


def is_truthy(value: Any) -> bool:
    """Falsy: missing, null, false, an empty list, an empty string."""
    if value is None or value is False:
        return False
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    if isinstance(value, str):
        return value != ""
    return True


class Template:
    def __init__(self, source: str):
        self.source = source
        self.nodes = _Parser(source).parse()
        # Most prompt templates are text and {{name}} tags: those render by filling slots.
        self.flat: Optional[List[Union[str, str]]] = None
        if all(isinstance(node, Text) or (isinstance(node, Variable) and "." not in node.name.raw) for node in self.nodes):
            self.flat = [node.text if isinstance(node, Text) else _Slot(node.name.raw) for node in self.nodes]

    def render_flat(self, context: Dict[str, Any]) -> str:
        """The render of a flat template (no escaping): the same text as `render`."""
        parts = []
        for piece in self.flat:
            if type(piece) is _Slot:
                value = context.get(piece)
                if value is not None:
                    parts.append(value if type(value) is str else text_of(value))
            else:
                parts.append(piece)
        return "".join(parts)

    @staticmethod
    def indented(source: str, indentation: str) -> "Template":
        if not indentation:
            return Template(source)
        # Every line is indented, but no indentation follows a final newline.
        body = source[:-1] if source.endswith("\n") else source
        indented = indentation + body.replace("\n", "\n" + indentation)
        return Template(indented + ("\n" if source.endswith("\n") else ""))

    def references(self) -> List[Tuple[Name, List[Name]]]:
        result: List[Tuple[Name, List[Name]]] = []

        def walk(nodes: List[Node], sections: List[Name]) -> None:
            for node in nodes:
                if isinstance(node, Variable):
                    result.append((node.name, sections))
                elif isinstance(node, Section):
                    result.append((node.name, sections))
                    walk(node.children, sections + [node.name])

        walk(self.nodes, [])
        return result

    def render(self, context: Any, escape: bool = False, partials: Optional[Dict[str, str]] = None, strict_partials: bool = False) -> str:
        renderer = _Renderer(escape, partials or {}, context, strict_partials)
        renderer.render(self.nodes)
        return "".join(renderer.output)


class _Renderer:
    def __init__(self, escape: bool, partials: Dict[str, str], context: Any, strict_partials: bool):
        self.escape = escape
        self.partials = partials
        self.strict_partials = strict_partials
        self.stack: List[Any] = [context]
        self.output: List[str] = []
        self.size = 0
        self.depth = 0
        self.expansions = 0
        self.parsed: Dict[Tuple[str, str], Template] = {}

    def emit(self, text: str) -> None:
        self.output.append(text)
        self.size += len(text.encode("utf-8")) if not text.isascii() else len(text)

    def render(self, nodes: List[Node]) -> None:
        for node in nodes:
            if self.size > MAX_RENDERED_BYTES:
                raise TemplateRenderError(f"the rendered text is larger than {MAX_RENDERED_BYTES} bytes: a section or partial repeats too much (raise FOLIO_MAX_RENDER_BYTES if it is meant to)")
            if isinstance(node, Text):
                self.emit(node.text)
            elif isinstance(node, Variable):
                found, value = self.lookup(node.name)
                if not found:
                    continue
                text = text_of(value)
                if node.escaped and self.escape:
                    text = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
                self.emit(text)
            elif isinstance(node, Section):
                found, value = self.lookup(node.name)
                if node.inverted:
                    if not (found and is_truthy(value)):
                        self.render(node.children)
                    continue
                if not found or not is_truthy(value):
                    continue
                if isinstance(value, (list, tuple)):
                    for item in value:
                        self.stack.append(item)
                        self.render(node.children)
                        self.stack.pop()
                else:
                    self.stack.append(value)
                    self.render(node.children)
                    self.stack.pop()
            elif isinstance(node, Partial):
                self.render_partial(node.name, node.indentation)

    def render_partial(self, name: str, indentation: str) -> None:
        key = (indentation, name)
        template = self.parsed.get(key)
        if template is None:
            source = self.partials.get(name)
            if source is None:
                if not self.strict_partials:
                    return
                raise TemplateRenderError(f"unknown partial '{name}': it is not among the partials this version was published with")
            try:
                template = Template.indented(source, indentation)
            except TemplateSyntaxError as error:
                raise TemplateRenderError(f"partial '{name}' has a syntax error at {error}") from None
            self.parsed[key] = template
        self.expansions += 1
        if self.expansions > MAX_PARTIAL_EXPANSIONS:
            raise TemplateRenderError(f"partials were included more than {MAX_PARTIAL_EXPANSIONS} times: partial '{name}' is part of a chain in which partials include others several times (raise FOLIO_MAX_PARTIAL_EXPANSIONS if it is meant to)")
        if self.depth >= MAX_PARTIAL_DEPTH:
            raise TemplateRenderError(f"partial '{name}' includes itself more than {MAX_PARTIAL_DEPTH} levels deep")
        self.depth += 1
        try:
            self.render(template.nodes)
        finally:
            self.depth -= 1

    def lookup(self, name: Name) -> Tuple[bool, Any]:
        if name.raw == ".":
            return True, self.stack[-1]
        parts = name.parts
        current: Any = None
        found = False
        for context in reversed(self.stack):
            if isinstance(context, dict) and parts[0] in context:
                current = context[parts[0]]
                found = True
                break
        if not found:
            return False, None
        for part in parts[1:]:
            if isinstance(current, dict) and part in current:
                current = current[part]
            else:
                return False, None
        return True, current
