"""XLSForm's XPath, the subset real forms use, to and from the engine's own expressions.

An imported ``relevant`` or ``constraint`` is parsed here into the tree of
:mod:`flows.questionnaire.expr` and stored as that tree's text (:func:`to_source`), which the
engine parses again; an exported one is printed back as XPath (:func:`to_xpath`). Nothing is
evaluated here and nothing reaches ``eval``.

The subset: ``.``, ``${name}``, numbers, ``'texts'``, ``= != < <= > >=``, ``and``, ``or``,
parentheses, ``not()``, ``selected()``, ``count-selected()``, ``string-length()``, ``regex()``
with a simple pattern, ``true()`` and ``false()``. Anything else (arithmetic, paths, other
functions such as ``today()``) is refused with what was found and where.

Two readings differ between XPath and the engine, and are translated rather than copied: an
empty answer is ``''`` in XPath but ``None`` here, so ``${q} != ''`` becomes
``string-length(q) > 0``; and ``${q}`` alone means "answered" in XPath but "answered and not
'no'" here, so it becomes ``string-length(q) > 0`` too. A choice named ``1`` compared as
``${q} = 1`` is the text ``'1'``, as ODK compares it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from flows.errors import ExpressionError
from flows.questionnaire.expr import (
    CURRENT,
    KEYWORDS,
    BoolOp,
    Call,
    Compare,
    Contains,
    InList,
    Literal,
    Node,
    Not,
    Ref,
    Token,
    make_call,
)
from flows.questionnaire.expr_functions import FUNCTIONS

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?|\.\d+)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<ref>\$\{\s*[A-Za-z_][A-Za-z0-9_.-]*\s*\})
      | (?P<op><=|>=|!=|=|<|>|\(|\)|,|-)
      | (?P<name>[A-Za-z_][A-Za-z0-9_.:-]*)
      | (?P<dot>\.)
    )""",
    re.VERBOSE,
)
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_CONSTANTS = {"true": True, "false": False}


def _tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while source[position:].strip():
        match = _TOKEN.match(source, position)
        if match is None:
            start = len(source) - len(source[position:].lstrip())
            found = source[start]
            what = "arithmetic" if found in "+*/" else "a path" if found in "/[]@" else "the character"
            raise ExpressionError(f"{what} {found!r} at position {start + 1} is not supported")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    return tokens


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NUMBER_TEXT = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Choices:
    """What the reader knows of a form's choice questions."""

    texts: Collection[str] = ()  # questions whose answers are choice ids (texts, even "1")
    names: Mapping[str, Sequence[str]] = field(default_factory=dict)  # a select_one → its choices' names
    acknowledged: Collection[str] = ()  # acknowledge questions: ODK's "OK" is the bot's "ok"


class _XPath:
    def __init__(self, source: str, choices: Choices, columns: bool) -> None:
        self.tokens = _tokenize(source)
        self.index = 0
        self.texts = choices.texts
        self.choices = choices
        self.columns = columns  # choice_filter: bare names are the choice's own columns

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        self.index += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and token.kind in ("op", "name") and token.text in texts

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise ExpressionError(f"expected {text!r} at position {token.position}, found {token.text!r}")

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("the expression is empty")
        node = self.boolean(self.parse_or())
        extra = self.peek()
        if extra is not None and extra.text in ("-", "div", "mod"):
            raise ExpressionError(f"arithmetic {extra.text!r} at position {extra.position} is not supported")
        if extra is not None:
            raise ExpressionError(f"unexpected {extra.text!r} at position {extra.position}")
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self.at("or"):
            self.take()
            operands.append(self.parse_and())
        if len(operands) == 1:
            return operands[0]
        return BoolOp("or", tuple(self.boolean(operand) for operand in operands))

    def parse_and(self) -> Node:
        operands = [self.parse_comparison()]
        while self.at("and"):
            self.take()
            operands.append(self.parse_comparison())
        if len(operands) == 1:
            return operands[0]
        return BoolOp("and", tuple(self.boolean(operand) for operand in operands))

    def parse_comparison(self) -> Node:
        left = self.parse_operand()
        if not self.at(*COMPARISONS):
            return left
        op = self.take().text
        right = self.parse_operand()
        if self.at(*COMPARISONS):
            raise ExpressionError(f"chained comparison at position {self.take().position} is not supported")
        return self.compare(op, left, right)

    def compare(self, op: str, left: Node, right: Node) -> Node:
        for side, other in ((left, right), (right, left)):
            if isinstance(other, Literal) and other.value == "" and op in ("=", "!="):
                # XPath's empty answer is '', the engine's is None: compare lengths instead.
                return Compare(">" if op == "!=" else "=", Call("string-length", (side,)), Literal(0))
        if op in ("=", "!="):
            return Compare(op, self.as_text(left, right), self.as_text(right, left))
        for question, bound, ordered in ((left, right, op), (right, left, _FLIPPED[op])):
            if isinstance(question, Ref) and question.name in self.texts and isinstance(bound, Literal):
                return self.choices_beyond(question, ordered, bound)
        return Compare(op, left, right)

    def choices_beyond(self, question: Ref, op: str, bound: Literal) -> Node:
        """``${edu} >= 3`` over choices named 1 … 12: ``edu in ('3', …, '12')``; compared as texts,
        '10' would come before '3'."""
        names = self.choices.names.get(question.name, ())
        value = bound.value
        number = value if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value) else (
            None if isinstance(value, bool | str) else value)
        if not names or number is None or not all(_NUMBER_TEXT.fullmatch(name) for name in names):
            raise ExpressionError(f"'{op}' on the choices of {question.name!r} is not supported: "
                                  "compare choice codes with = or selected()")
        limit = float(number)
        kept = tuple(Literal(name) for name in names if _ORDERED[op](float(name), limit))
        return InList(question, kept, negated=False) if kept else Literal(False)

    def as_text(self, node: Node, other: Node) -> Node:
        """A number compared with a choice question is the choice id it names; ODK's ``OK`` of an
        acknowledge question is the bot's ``ok``."""
        value = node.value if isinstance(node, Literal) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(other, Ref) and other.name in self.texts:
                return Literal(_number_text(value))
        if value == "OK" and isinstance(other, Ref) and other.name in self.choices.acknowledged:
            return Literal("ok")
        return node

    def boolean(self, node: Node) -> Node:
        """A value where true or false is expected: XPath's "not empty"."""
        if isinstance(node, Ref):
            return Compare(">", Call("string-length", (node,)), Literal(0))
        if isinstance(node, Literal) and isinstance(node.value, str):
            raise ExpressionError(f"the text {node.value!r} cannot be true or false")
        return node

    def parse_operand(self) -> Node:
        token = self.take()
        if token.kind == "op" and token.text == "-":
            number = self.take()
            if number.kind != "number":
                raise ExpressionError(f"arithmetic '-' at position {token.position} is not supported")
            return Literal(-_number(number.text))
        if token.kind == "number":
            return Literal(_number(token.text))
        if token.kind == "string":
            return Literal(token.text[1:-1])
        if token.kind == "ref":
            name = token.text[2:-1].strip()
            return Ref(name)
        if token.kind == "dot":
            return Ref(CURRENT)
        if token.kind == "op" and token.text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if token.kind == "name" and self.at("("):
            return self.call(token)
        if token.kind == "name" and self.columns and token.text.isidentifier():
            return Ref(token.text)
        if token.kind == "name":
            raise ExpressionError(f"{token.text!r} at position {token.position} is not supported; "
                                  "refer to a question as ${name}")
        raise ExpressionError(f"unexpected {token.text!r} at position {token.position}")

    def call(self, token: Token) -> Node:
        name = token.text
        self.expect("(")
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.parse_or())
            while self.at(","):
                self.take()
                args.append(self.parse_or())
        self.expect(")")
        if name in _CONSTANTS and not args:
            return Literal(_CONSTANTS[name])
        if name == "not" and len(args) == 1:
            return Not(self.boolean(args[0]))
        if name == "selected" and len(args) == 2:
            return Contains(args[0], self.as_text(args[1], args[0]))
        if name in FUNCTIONS and len(args) == FUNCTIONS[name]:
            return make_call(name, args)
        known = ("not", "selected", *FUNCTIONS, *(f"{c}" for c in _CONSTANTS))
        if name in known:
            raise ExpressionError(f"{name}() at position {token.position} has the wrong number of arguments")
        raise ExpressionError(f"the function {name}() at position {token.position} is not supported")


_ORDERED: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _number_text(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def from_xpath(source: str, *, texts: Collection[str] = (), choices: Choices | None = None,
               columns: bool = False) -> Node:
    """An XLSForm expression as the engine's tree; :class:`ExpressionError` says what is outside
    the subset. ``texts``: the questions answered by choice ids (or ``choices``, all the reader
    knows of them); ``columns``: a choice_filter, whose bare names are the choices' own columns."""
    return _XPath(source, choices or Choices(texts), columns).parse()


# ---- printing ----


def _quoted(value: str) -> str:
    if "'" in value and '"' in value:
        raise ExpressionError(f"the text {value!r} holds both kinds of quotes")
    return f'"{value}"' if "'" in value else f"'{value}'"


def _literal(value: str | int | float | bool, *, xpath: bool) -> str:
    if isinstance(value, bool):
        word = "true" if value else "false"
        return f"{word}()" if xpath else word
    if isinstance(value, str):
        return _quoted(value)
    return plain_number(value)


def plain_number(value: int | float) -> str:
    """0.00001, never 1e-05: neither XPath nor the engine reads an exponent."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else f"{text}.0"  # still a decimal, as it was read


def to_source(node: Node) -> str:
    """The engine's text for a tree; parsing it gives the same tree back."""
    if isinstance(node, Literal):
        return _literal(node.value, xpath=False)
    if isinstance(node, Ref):
        return node.name if node.name == CURRENT or node.name not in KEYWORDS else f"${{{node.name}}}"
    if isinstance(node, Compare):
        return f"{_operand(node.left)} {node.op} {_operand(node.right)}"
    if isinstance(node, Contains):
        return f"{_operand(node.collection)} contains {_operand(node.item)}"
    if isinstance(node, InList):
        options = ", ".join(to_source(option) for option in node.options)
        return f"{_operand(node.item)} {'not in' if node.negated else 'in'} ({options})"
    if isinstance(node, Not):
        return f"not {_operand(node.operand)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_source(arg) for arg in node.args)})"
    inner = [f"({to_source(op)})" if isinstance(op, BoolOp) else to_source(op) for op in node.operands]
    return f" {node.op} ".join(inner)


def _operand(node: Node) -> str:
    simple = isinstance(node, Literal | Ref | Call)
    return to_source(node) if simple else f"({to_source(node)})"


def to_xpath(node: Node) -> str:
    """The XPath an XLSForm tool reads for an engine tree, with the engine's meaning."""
    return _xpath(node, boolean=True)


def _xpath(node: Node, *, boolean: bool = False) -> str:
    if isinstance(node, Literal):
        return _literal(node.value, xpath=True)
    if isinstance(node, Ref):
        ref = "." if node.name == CURRENT else f"${{{node.name}}}"
        # The engine's bare answer is true when given and not "no" (a yes/no question).
        return f"(string-length({ref}) > 0 and {ref} != 'no')" if boolean else ref
    if isinstance(node, Compare):
        return f"{_xpath(node.left)} {node.op} {_xpath(node.right)}"
    if isinstance(node, Contains):
        return f"selected({_xpath(node.collection)}, {_xpath(node.item)})"
    if isinstance(node, InList):
        item = _xpath(node.item)
        either = " or ".join(f"{item} = {_xpath(option)}" for option in node.options)
        return f"not({either})" if node.negated else f"({either})"
    if isinstance(node, Not):
        return f"not({_xpath(node.operand, boolean=True)})"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_xpath(arg) for arg in node.args)})"
    parts = [f"({_xpath(op, boolean=True)})" if isinstance(op, BoolOp) else _xpath(op, boolean=True)
             for op in node.operands]
    return f" {node.op} ".join(parts)
