"""Package templates: the text the centre writes once and every unit receives in its own words.

PR staff write the templates, so the language is small and Indonesian (the README shows the
table ``VARIABLES``)::

    {{ satker }} mengikuti workshop pada {{ waktu("acara") }}.
    {{ blok("kutipan", "Tulis kutipan ketua KPU setempat") }}

* Variables: ``satker``, ``wilayah``, ``provinsi``, ``zona``, ``lembaga``.
* Moments: ``waktu("nama")`` / ``tanggal("nama")`` / ``jam("nama")`` show a named instant of
  the package (``Package.moments``) in the unit's own time zone, in Indonesian.
* Optional local blocks: ``blok("nama", "petunjuk")`` is replaced by the text the unit wrote
  for that block, or by nothing; ``foto("nama", "petunjuk")`` asks the unit for a photo (it is
  attached to the post and renders nothing in the text). An empty block on a line of its own
  leaves no extra blank line.
* ``{% if %}``/``{% elif %}``/``{% else %}`` with ``==``, ``!=``, ``in``, ``and``, ``or``,
  ``not``, ``~`` and the filters ``upper``, ``lower``, ``title``, ``capitalize``, ``trim``.

Everything else (attributes, ``[ ]``, loops, ``set``, macros, includes, arithmetic, other
filters and functions) is refused by a static check of the template's syntax tree before
anything is rendered, so a mistake is reported with its line and column while the package is
still a draft. Rendering then runs in Jinja2's immutable sandbox with no globals, no attribute
or item access at all and ``StrictUndefined`` (defence in depth), and the output is capped at
Facebook's post length. Without loops or variables to accumulate into, a template's output is
bounded by its size times the longest value, so a template cannot exhaust memory or time.

A template is compiled once (and cached by its text) and rendered per unit; rendering for all
553 KPU units takes a few milliseconds (``serentak bench content``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from django.utils import dateformat, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.lexer import Token, TokenStream
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from serentak.core.timefmt import format_local, zone_label

# Facebook refuses longer posts.
MAX_OUTPUT_CHARS = 63_206
# Far above any real post; keeps the parser (which recurses) away from pathological input.
MAX_TEMPLATE_CHARS = 100_000

SAFE_FILTERS = ("upper", "lower", "title", "capitalize", "trim")
MOMENT_FUNCTIONS = ("waktu", "tanggal", "jam")
BLOCK_FUNCTIONS = ("blok", "foto")
FUNCTION_NAMES = (*MOMENT_FUNCTIONS, *BLOCK_FUNCTIONS)


@dataclass(frozen=True)
class TemplateVariable:
    """One line of the help table the editor and the README show to PR staff."""

    name: str
    syntax: str
    description: str | Promise
    example: str


VARIABLES: tuple[TemplateVariable, ...] = (
    TemplateVariable(
        "satker",
        "{{ satker }}",
        gettext_lazy("the unit's display name"),
        "KPU Kabupaten Bombana",
    ),
    TemplateVariable(
        "wilayah",
        "{{ wilayah }}",
        gettext_lazy("the unit's official region name"),
        "Kabupaten Bombana",
    ),
    TemplateVariable(
        "provinsi",
        "{{ provinsi }}",
        gettext_lazy(
            "the region name of the unit's province, without the word Provinsi (a province: "
            "its own name; the centre: its own region name, RI)"
        ),
        "Sulawesi Tenggara",
    ),
    TemplateVariable(
        "zona",
        "{{ zona }}",
        gettext_lazy("the unit's time zone: WIB, WITA or WIT"),
        "WITA",
    ),
    TemplateVariable(
        "lembaga",
        "{{ lembaga }}",
        gettext_lazy("the institution's short name"),
        "KPU",
    ),
    TemplateVariable(
        "waktu",
        '{{ waktu("acara") }}',
        gettext_lazy("date and time of a moment of the package, in the unit's time zone"),
        "Rabu, 10 November 2021 pukul 14.00 WITA",
    ),
    TemplateVariable(
        "tanggal",
        '{{ tanggal("acara") }}',
        gettext_lazy("date of a moment of the package, in the unit's time zone"),
        "Rabu, 10 November 2021",
    ),
    TemplateVariable(
        "jam",
        '{{ jam("acara") }}',
        gettext_lazy("time of a moment of the package, in the unit's time zone"),
        "14.00 WITA",
    ),
    TemplateVariable(
        "blok",
        '{{ blok("kutipan", "Tulis kutipan ketua KPU setempat") }}',
        gettext_lazy(
            "an optional block of text the unit writes (the second text is the hint shown "
            "to the officer); nothing when left empty"
        ),
        "“Kami siap melayani pemilih di Bombana,” kata Ketua KPU Kabupaten Bombana.",
    ),
    TemplateVariable(
        "foto",
        '{{ foto("kegiatan", "Foto kegiatan di kantor satker") }}',
        gettext_lazy("an optional photo the unit adds to the post; it renders nothing in the text"),
        "",
    ),
)
VARIABLE_NAMES = tuple(v.name for v in VARIABLES if v.name not in FUNCTION_NAMES)


@dataclass(frozen=True)
class TemplateProblem:
    """A mistake in a template. ``line`` and ``column`` count from 1; 0 means the whole text."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return _("line %(line)s, column %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class TemplateInvalid(Exception):
    def __init__(self, problems: Sequence[TemplateProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Block:
    """An optional place in the template the unit fills in: text (``blok``) or a photo."""

    name: str
    hint: str
    kind: Literal["text", "photo"] = "text"


@dataclass(frozen=True, slots=True)
class UnitVars:
    """What a template may know about one unit. ``key`` indexes ``render_for_units``' result."""

    key: int | str
    name: str
    region_name: str
    province: str
    timezone: str
    institution: str


class _UnitLike(Protocol):  # a Unit or a UnitRow
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def region_name(self) -> str: ...
    @property
    def timezone(self) -> str: ...


def unit_context(unit: _UnitLike, *, province_name: str | None, institution: str) -> UnitVars:
    """The template variables of ``unit`` (a ``Unit`` or a ``UnitRow``); no queries.

    ``province_name`` is the region name of the unit's depth-2 ancestor (its province), or
    None for the centre and the provinces themselves, which then use their own region name.
    ``institution`` is the short name to show (``Institution.short_name``, "KIP" in Aceh).
    The result is keyed by the unit's primary key when it has one, else by its code.
    """
    key = getattr(unit, "pk", None)
    return UnitVars(
        key=unit.code if key is None else key,
        name=unit.name,
        region_name=unit.region_name,
        province=province_name or unit.region_name,
        timezone=unit.timezone,
        institution=institution,
    )


# --- The sandbox ----------------------------------------------------------------------------


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, closed further: no attribute, item or operator tricks."""

    # The static check already refuses these; intercepting them too means a bug there
    # cannot turn into "x" * 10**9.
    intercepted_binops = frozenset({"*", "**", "/", "//", "%", "-"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def getitem(self, obj: Any, argument: Any) -> Any:
        return self.unsafe_undefined(obj, str(argument))

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self.unsafe_undefined(obj, attribute)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        raise SecurityError(f"the operator {operator!r} is not available")


def _environment() -> _Sandbox:
    env = _Sandbox(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)
    env.globals.clear()  # range, lipsum, dict, cycler, joiner, namespace
    env.filters = {name: env.filters[name] for name in SAFE_FILTERS}
    return env


_ENV = _environment()


# --- Static analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    line: int
    column: int
    kind: str
    value: str
    after_dot: bool  # an attribute name (`satker.x`), not a variable


class _Tokens:
    """Jinja's tokens with their positions: Jinja's nodes only carry a line number.

    The raw tokens' values are the source's text in order (whitespace control may shorten
    a data token, never reorder), so each is found from where the previous one ended.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.all: list[_Token] = []
        self.by_line: dict[int, list[int]] = {}
        self.offsets: dict[int, int] = {}  # id(jinja Token) -> offset, for syntax errors
        self.cursor = 0  # where the lexer stopped, for its own errors
        self.lexer_failed = False
        self.used: set[int] = set()

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def raw(self) -> Iterator[tuple[int, str, str]]:
        previous = ""
        try:
            for lineno, kind, value in _ENV.lexer.tokeniter(self.source, None):
                found = self.source.find(value, self.cursor) if value else -1
                offset = self.cursor if found < 0 else found
                line, column = self.position(offset)
                self.by_line.setdefault(line, []).append(len(self.all))
                self.all.append(_Token(line, column, kind, value, previous == "."))
                if kind != "whitespace":
                    previous = value if kind == "operator" else ""
                self.cursor = offset + len(value)
                yield lineno, kind, value
        except TemplateSyntaxError:
            self.lexer_failed = True
            raise

    def stream(self) -> TokenStream:
        def cooked() -> Iterator[Token]:
            for token in _ENV.lexer.wrap(self.raw()):
                last = self.all[-1]
                self.offsets[id(token)] = self.starts[last.line - 1] + last.column - 1
                yield token

        return TokenStream(cooked(), None, None)

    def opening(self, tag: str) -> tuple[int, int] | None:
        """Where the last ``{% tag %}`` left open starts (for "never closed" errors)."""
        stack: list[tuple[str, int, int]] = []
        begin: _Token | None = None
        for token in self.all:
            if token.kind == "block_begin":
                begin = token
            elif token.kind == "name" and begin is not None:
                if token.value.startswith("end"):
                    for index in range(len(stack) - 1, -1, -1):
                        if stack[index][0] == token.value[3:]:
                            del stack[index:]
                            break
                else:
                    stack.append((token.value, begin.line, begin.column))
                begin = None
            elif token.kind != "whitespace":
                begin = None
        for name, line, column in reversed(stack):
            if name == tag:
                return line, column
        return None

    def column(self, line: int, kind: str | None = None, value: str | None = None) -> int:
        """The column of the first token of ``line`` matching, not already claimed by a node."""
        for index in self.by_line.get(line, ()):
            token = self.all[index]
            if index in self.used or token.kind == "whitespace":
                continue
            if kind is None or (
                token.kind == kind
                and (value is None or token.value == value)
                and not (kind == "name" and token.after_dot)
            ):
                self.used.add(index)
                return token.column
        return 1


class _Parser(Parser):
    def __init__(self, stream: TokenStream) -> None:
        super().__init__(_ENV, "")
        self.stream = stream


# Statement keywords and operators of the features the templates do without.
_FEATURES: dict[type[nodes.Node], tuple[str, str]] = {
    nodes.For: ("name", "for"),
    nodes.Assign: ("name", "set"),
    nodes.AssignBlock: ("name", "set"),
    nodes.Macro: ("name", "macro"),
    nodes.CallBlock: ("name", "call"),
    nodes.Include: ("name", "include"),
    nodes.Extends: ("name", "extends"),
    nodes.Import: ("name", "import"),
    nodes.FromImport: ("name", "from"),
    nodes.With: ("name", "with"),
    nodes.Block: ("name", "block"),
    nodes.Mul: ("operator", "*"),
    nodes.Pow: ("operator", "**"),
    nodes.Div: ("operator", "/"),
    nodes.FloorDiv: ("operator", "//"),
    nodes.Mod: ("operator", "%"),
    nodes.Sub: ("operator", "-"),
    nodes.Neg: ("operator", "-"),
    nodes.Pos: ("operator", "+"),
    nodes.Dict: ("operator", "{"),
    nodes.Slice: ("operator", ":"),
}
_ALLOWED = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Test,
    nodes.Concat,
    nodes.Add,
    nodes.List,
    nodes.Tuple,
    nodes.FilterBlock,
)


@dataclass
class _Analysis:
    template: Any = None  # the compiled jinja2 Template, when there is no problem
    problems: list[TemplateProblem] = field(default_factory=list)
    moments: list[tuple[str, int, int]] = field(default_factory=list)  # name, line, column
    blocks: list[Block] = field(default_factory=list)


class _Checker:
    """Walks the syntax tree: only the small language of the module docstring passes."""

    def __init__(self, tokens: _Tokens) -> None:
        self.locate = tokens
        self.result = _Analysis()

    def problem(self, node: nodes.Node, where: tuple[str, str] | None, message: str) -> None:
        line = node.lineno
        column = self.locate.column(line, *where) if where else self.locate.column(line)
        self.result.problems.append(TemplateProblem(line, column, message))

    def visit(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Name):
            self.name(node)
        elif isinstance(node, nodes.Call):
            self.call(node)
        elif isinstance(node, nodes.Filter):
            self.filter(node)
        elif isinstance(node, nodes.Getattr | nodes.Getitem):
            token = "." if isinstance(node, nodes.Getattr) else "["
            self.problem(
                node,
                ("operator", token),
                _("Only the listed variables can be used: “.” and “[ ]” are not available."),
            )
        elif isinstance(node, _ALLOWED):
            for child in node.iter_child_nodes():
                self.visit(child)
        else:
            where = _FEATURES.get(type(node))
            label = where[1] if where else type(node).__name__.lower()
            if where and where[0] == "name":
                label = "{% " + label + " %}"
            self.problem(
                node, where, _("“%(feature)s” is not available in templates.") % {"feature": label}
            )

    def name(self, node: nodes.Name) -> None:
        if node.name in VARIABLE_NAMES:
            self.locate.column(node.lineno, "name", node.name)  # consume the token
            return
        if node.name in FUNCTION_NAMES:
            message = _("“%(name)s” needs a name in quotes, e.g. %(example)s.") % {
                "name": node.name,
                "example": _example(node.name),
            }
        else:
            known = [*VARIABLE_NAMES, *FUNCTION_NAMES]
            close = difflib.get_close_matches(node.name, known, n=1, cutoff=0.6)
            if close:
                message = _("Unknown variable “%(name)s”. Did you mean “%(suggestion)s”?") % {
                    "name": node.name,
                    "suggestion": close[0],
                }
            else:
                message = _("Unknown variable “%(name)s”. Available: %(names)s.") % {
                    "name": node.name,
                    "names": ", ".join(known),
                }
        self.problem(node, ("name", node.name), message)

    def call(self, node: nodes.Call) -> None:
        callee = node.node
        if not isinstance(callee, nodes.Name) or callee.name not in FUNCTION_NAMES:
            if isinstance(callee, nodes.Name) and callee.name not in VARIABLE_NAMES:
                self.name(callee)  # an unknown name: say so, with a suggestion
                return
            if isinstance(callee, nodes.Getattr | nodes.Getitem):
                self.visit(callee)  # `satker.upper()`: the dot is the mistake
                return
            self.problem(
                node,
                ("operator", "("),
                _("Only %(functions)s can be called.") % {"functions": ", ".join(FUNCTION_NAMES)},
            )
            return
        function = callee.name
        line, column = node.lineno, self.locate.column(node.lineno, "name", function)
        texts = [a.value for a in node.args if isinstance(a, nodes.Const)]
        wanted = (1, 1) if function in MOMENT_FUNCTIONS else (1, 2)
        if (
            node.kwargs
            or node.dyn_args
            or node.dyn_kwargs
            or len(texts) != len(node.args)
            or not all(isinstance(t, str) for t in texts)
            or not wanted[0] <= len(texts) <= wanted[1]
            or not texts[0].strip()
        ):
            if function in MOMENT_FUNCTIONS:
                message = _("“%(name)s” needs the name of a moment in quotes, e.g. %(example)s.")
            else:
                message = _(
                    "“%(name)s” needs a block name in quotes and an optional hint, "
                    "e.g. %(example)s."
                )
            self.result.problems.append(
                TemplateProblem(
                    line, column, message % {"name": function, "example": _example(function)}
                )
            )
            return
        if function in MOMENT_FUNCTIONS:
            self.result.moments.append((texts[0], line, column))
            return
        kind: Literal["text", "photo"] = "text" if function == "blok" else "photo"
        name, hint = texts[0].strip(), (texts[1].strip() if len(texts) > 1 else "")
        for block in self.result.blocks:
            if block.name == name and block.kind != kind:
                self.result.problems.append(
                    TemplateProblem(
                        line,
                        column,
                        _("“%(name)s” is used both as a text block and as a photo block.")
                        % {"name": name},
                    )
                )
                return
            if block.name == name:
                return
        self.result.blocks.append(Block(name=name, hint=hint, kind=kind))

    def filter(self, node: nodes.Filter) -> None:
        if node.name not in SAFE_FILTERS:
            message = _("The filter “%(name)s” is not available (available: %(names)s).") % {
                "name": node.name,
                "names": ", ".join(SAFE_FILTERS),
            }
            self.problem(node, ("name", node.name), message)
            return
        if node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
            message = _("The filter “%(name)s” takes no arguments.") % {"name": node.name}
            self.problem(node, ("name", node.name), message)
            return
        if node.node is not None:
            self.visit(node.node)
        self.locate.column(node.lineno, "name", node.name)


def _example(function: str) -> str:
    return next(v.syntax for v in VARIABLES if v.name == function)


def _syntax_problem(
    exc: TemplateSyntaxError, tokens: _Tokens, offset: int | None
) -> TemplateProblem:
    detail = exc.message or ""
    unclosed = re.search(r"innermost block that needs to be closed is '(\w+)'", detail)
    unknown_tag = re.match(r"Encountered unknown tag '(\w+)'", detail)
    stray_char = re.match(r"unexpected char (.+) at (\d+)$", detail)
    if stray_char:
        offset = int(stray_char.group(2))
    if unclosed:
        tag = unclosed.group(1)
        message = _("“%(tag)s” is opened but never closed with “%(end)s”.") % {
            "tag": "{% " + tag + " %}",
            "end": "{% end" + tag + " %}",
        }
    elif unknown_tag and unknown_tag.group(1) in (*FUNCTION_NAMES, *VARIABLE_NAMES):
        message = _("“%(name)s” is written between {{ and }}, e.g. %(example)s.") % {
            "name": unknown_tag.group(1),
            "example": _example(unknown_tag.group(1)),
        }
    elif unknown_tag:
        message = _("Unknown tag “%(tag)s”.") % {"tag": "{% " + unknown_tag.group(1) + " %}"}
    elif stray_char and stray_char.group(1) in {"'\"'", '"\'"'}:
        message = _("A quotation mark is not closed.")
    else:
        message = _("Syntax error: %(detail)s.") % {"detail": detail.rstrip(".")}
    if unclosed:
        opened = tokens.opening(unclosed.group(1))
        if opened is not None:
            return TemplateProblem(*opened, message)
    named = re.search(r"named '(\w+)'", detail)  # compile errors: "No test named 'x'"
    if offset is None and named and exc.lineno:
        return TemplateProblem(exc.lineno, tokens.column(exc.lineno, "name", named[1]), message)
    if offset is None:
        return TemplateProblem(exc.lineno or 1, 1, message)
    return TemplateProblem(*tokens.position(min(offset, len(tokens.source))), message)


def _normalise(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n")


def _analyse(body: str) -> _Analysis:
    """Parse, check and compile a template once per language (the messages are translated);
    the result is shared, never mutated."""
    return _analyse_in(body, translation.get_language())


@lru_cache(maxsize=128)
def _analyse_in(body: str, language: str | None) -> _Analysis:
    source = _normalise(body)
    if len(source) > MAX_TEMPLATE_CHARS:
        message = _("The template is longer than %(limit)s characters.") % {
            "limit": _thousands(MAX_TEMPLATE_CHARS)
        }
        return _Analysis(problems=[TemplateProblem(0, 0, message)])
    tokens = _Tokens(source)
    parser: _Parser | None = None
    try:
        parser = _Parser(tokens.stream())
        tree = parser.parse()
    except TemplateSyntaxError as exc:
        offset: int | None = tokens.cursor
        if not tokens.lexer_failed and parser is not None:
            current = parser.stream.current
            offset = tokens.offsets.get(id(current), len(source) if current.type == "eof" else None)
        return _Analysis(problems=[_syntax_problem(exc, tokens, offset)])
    except RecursionError:
        return _Analysis(problems=[TemplateProblem(0, 0, _("The template is nested too deeply."))])
    checker = _Checker(tokens)
    checker.visit(tree)
    analysis = checker.result
    if analysis.problems:
        analysis.problems.sort(key=lambda p: (p.line, p.column))
        return analysis
    try:
        analysis.template = _ENV.from_string(tree)
    except TemplateSyntaxError as exc:  # e.g. an unknown test: `is frobnicated`
        analysis.problems.append(_syntax_problem(exc, tokens, None))
    return analysis


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def template_blocks(body: str) -> list[Block]:
    """The optional blocks of a template, in order of first use ([] if it does not parse)."""
    return list(_analyse(body).blocks)


def template_moments(body: str) -> list[str]:
    """The moment names a template uses, in order of first use."""
    return list(dict.fromkeys(name for name, _line, _column in _analyse(body).moments))


# --- Rendering ------------------------------------------------------------------------------


def _parse_moments(
    moments: Mapping[str, str | dt.datetime],
) -> tuple[dict[str, dt.datetime], list[TemplateProblem]]:
    parsed: dict[str, dt.datetime] = {}
    problems = []
    for name, value in moments.items():
        try:
            instant = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            message = _("The moment “%(name)s” is not a date and time.") % {"name": name}
            problems.append(TemplateProblem(0, 0, message))
            continue
        if instant.tzinfo is None:
            message = _("The moment “%(name)s” has no time zone.") % {"name": name}
            problems.append(TemplateProblem(0, 0, message))
            continue
        parsed[name] = instant
    return parsed, problems


def _moment_problems(analysis: _Analysis, known: Mapping[str, object]) -> list[TemplateProblem]:
    problems = []
    for name, line, column in analysis.moments:
        if name in known:
            continue
        if known:
            message = _("Unknown moment “%(name)s”. This package has: %(names)s.") % {
                "name": name,
                "names": ", ".join(sorted(known)),
            }
        else:
            message = _("Unknown moment “%(name)s”: this package has no moments yet.") % {
                "name": name
            }
        problems.append(TemplateProblem(line, column, message))
    return problems


class _MomentText:
    """The three spoken forms of each moment, per zone: only three zones, so memoised."""

    def __init__(self, moments: Mapping[str, dt.datetime]) -> None:
        self.moments = moments
        self.cache: dict[tuple[str, str, str], str] = {}

    def __call__(self, form: str, name: str, zone: str) -> str:
        key = (form, name, zone)
        text = self.cache.get(key)
        if text is None:
            instant = self.moments[name]
            if form == "waktu":
                text = format_local(instant, zone)
            else:
                local = instant.astimezone(ZoneInfo(zone))  # cached by zoneinfo
                if form == "tanggal":
                    text = dateformat.format(local, "l, j F Y")
                else:
                    clock = dateformat.format(local, pgettext("time format", "H:i"))
                    text = f"{clock} {zone_label(zone, local)}"
            self.cache[key] = text
        return text


def _context(unit: UnitVars, say: _MomentText, blocks: Mapping[str, str]) -> dict[str, Any]:
    zone = unit.timezone

    def waktu(name: str) -> str:
        return say("waktu", name, zone)

    def tanggal(name: str) -> str:
        return say("tanggal", name, zone)

    def jam(name: str) -> str:
        return say("jam", name, zone)

    def blok(name: str, hint: str = "") -> str:
        value = blocks.get(name.strip(), "")
        return value.strip() if isinstance(value, str) else ""

    def foto(name: str, hint: str = "") -> str:
        return ""

    return {
        "satker": unit.name,
        "wilayah": unit.region_name,
        "provinsi": unit.province,
        "zona": zone_label(zone),
        "lembaga": unit.institution,
        "waktu": waktu,
        "tanggal": tanggal,
        "jam": jam,
        "blok": blok,
        "foto": foto,
    }


# Two or more blank lines (blank: nothing but spaces): what an empty block leaves behind.
_GAP = re.compile(r"\n(?:[ \t]*\n){2,}")


def _tidy(text: str) -> str:
    # Anchored on a newline, so the scan is quick; posts never need two blank lines.
    return _GAP.sub("\n\n", text).strip()


def _runtime_problem(exc: BaseException) -> TemplateProblem:
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    message = _("The template cannot be rendered: %(detail)s.") % {"detail": str(exc).rstrip(".")}
    return TemplateProblem(line, 1 if line else 0, message)


def _too_long(unit: UnitVars, length: int) -> TemplateProblem:
    message = _(
        "The text for %(unit)s is %(length)s characters long; Facebook allows %(limit)s."
    ) % {
        "unit": unit.name,
        "length": _thousands(length),
        "limit": _thousands(MAX_OUTPUT_CHARS),
    }
    return TemplateProblem(0, 0, message)


def _render_all(
    analysis: _Analysis,
    units: Sequence[UnitVars],
    moments: Mapping[str, dt.datetime],
    blocks_by_unit: Mapping[int | str, Mapping[str, str]],
    language: str,
) -> dict[int | str, str]:
    render: Callable[[dict[str, Any]], str] = analysis.template.render
    say = _MomentText(moments)
    empty: Mapping[str, str] = {}
    rendered: dict[int | str, str] = {}
    # Posts are written in `language`; problems are told in the reader's (outside the block).
    with translation.override(language):
        for unit in units:
            try:
                text = _tidy(render(_context(unit, say, blocks_by_unit.get(unit.key, empty))))
            except (TemplateError, TypeError, ValueError, LookupError) as exc:
                failure: BaseException | None = exc
                break
            if len(text) > MAX_OUTPUT_CHARS:
                failure = None
                break
            rendered[unit.key] = text
        else:
            return rendered
    if failure is not None:
        raise TemplateInvalid([_runtime_problem(failure)]) from failure
    raise TemplateInvalid([_too_long(unit, len(text))])


# Three units, one per zone, with long names: the trial render of `template_check`.
_TRIAL_UNITS = (
    UnitVars("trial-wib", "KPU Kabupaten Kepulauan Seribu", "Kabupaten Kepulauan Seribu",
             "Daerah Khusus Ibukota Jakarta", "Asia/Jakarta", "KPU"),
    UnitVars("trial-wita", "KPU Kabupaten Kepulauan Siau Tagulandang Biaro",
             "Kabupaten Kepulauan Siau Tagulandang Biaro", "Sulawesi Utara", "Asia/Makassar",
             "KPU"),
    UnitVars("trial-wit", "KPU Kabupaten Pegunungan Bintang", "Kabupaten Pegunungan Bintang",
             "Papua Pegunungan", "Asia/Jayapura", "KPU"),
)  # fmt: skip


def template_check(body: str, *, moments: Mapping[str, str | dt.datetime]) -> list[TemplateProblem]:
    """Every problem of a package template, for the editor to show before the package is sent.

    Syntax errors, unknown variables and functions, refused features and unknown moments come
    with their line and column (from a static check of the syntax tree); then a trial render
    for a unit of each time zone catches what only shows at render time (with its line) and a
    text longer than Facebook allows. An empty list means the package can be sent.
    """
    analysis = _analyse(body)
    parsed, problems = _parse_moments(moments)
    problems = [*analysis.problems, *problems]
    if analysis.template is None:
        return problems
    problems += _moment_problems(analysis, moments)
    if problems:
        return sorted(problems, key=lambda p: (p.line, p.column))
    try:
        _render_all(analysis, _TRIAL_UNITS, parsed, {}, "id")
    except TemplateInvalid as exc:
        return exc.problems
    return []


def render_for_units(
    body: str,
    *,
    units: Sequence[UnitVars],
    moments: Mapping[str, str | dt.datetime],
    blocks_by_unit: Mapping[int | str, Mapping[str, str]] | None = None,
    language: str = "id",
) -> dict[int | str, str]:
    """The template rendered for each unit, keyed by ``UnitVars.key``.

    The template is compiled once and rendered per unit with its variables and its filled
    blocks (``blocks_by_unit[key][block name]``). Dates are written in ``language``
    (Indonesian by default: the posts are Indonesian whatever the sender's interface).
    Raises ``TemplateInvalid`` when ``template_check`` would report a problem, or when one
    unit's text is longer than Facebook allows (its filled blocks may make it so).
    """
    analysis = _analyse(body)
    parsed, problems = _parse_moments(moments)
    problems = [*analysis.problems, *problems]
    if analysis.template is not None:
        problems += _moment_problems(analysis, moments)
    if problems:
        raise TemplateInvalid(problems)
    return _render_all(analysis, units, parsed, blocks_by_unit or {}, language)


__all__ = [
    "MAX_OUTPUT_CHARS",
    "VARIABLES",
    "Block",
    "TemplateInvalid",
    "TemplateProblem",
    "TemplateVariable",
    "UnitVars",
    "render_for_units",
    "template_blocks",
    "template_check",
    "template_moments",
    "unit_context",
]
