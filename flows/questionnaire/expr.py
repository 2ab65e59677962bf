"""A small, safe expression language for ``relevant``, ``constraint`` and ``end_if``.

Close to XLSForm: question references as ``${age}`` or a bare ``age``, ``.`` for the answer
being checked, ``'text'`` and numbers as literals, ``= != < <= > >=``, ``in ('a', 'b')``,
``not in (...)``, ``contains`` (or ``selected(${q}, 'x')``) for multiple choice, ``and``,
``or``, ``not`` and parentheses, and three XLSForm functions: ``count-selected(q)``,
``string-length(.)`` and ``regex(., '^[0-9]{12}$')`` (matched in linear time, see
:mod:`flows.questionnaire.expr_functions`, so that no answer can make it run for long). It is parsed into
a tree and evaluated by walking it; nothing is ever handed to ``eval``.

An unanswered question is ``None``: every comparison with it is false except ``!=``, which is
true (the XLSForm reading of "empty is not 'x'"). Comparing a text with a number is false,
not an error: a villager's answer must never crash the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from flows.errors import ExpressionError
from flows.questionnaire.expr_functions import call_value, check_call

CURRENT = "."


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool


@dataclass(frozen=True)
class Ref:
    name: str  # a question id, or CURRENT


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class InList:
    item: Node
    options: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Contains:
    collection: Node
    item: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    name: str  # one of expr_functions.FUNCTIONS
    args: tuple[Node, ...]


Node = Literal | Ref | Compare | InList | Contains | Not | BoolOp | Call

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<ref>\$\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\})
      | (?P<func>count-selected|string-length|regex)(?=\s*\()
      | (?P<op><=|>=|!=|==|=|<|>|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<dot>\.)
    )""",
    re.VERBOSE,
)
KEYWORDS = frozenset({"and", "or", "not", "in", "contains", "true", "false", "selected"})
COMPARISONS = frozenset({"=", "==", "!=", "<", "<=", ">", ">="})


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            start = len(source) - len(source[position:].lstrip())
            raise ExpressionError(f"unexpected character {source[start]!r} at position {start + 1}")
        kind = match.lastgroup or ""
        text = match.group(kind)
        start = match.start(kind) + 1
        if kind == "name" and text.lower() in KEYWORDS:
            kind, text = "keyword", text.lower()
        tokens.append(Token(kind, text, start))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0

    def peek(self, offset: int = 0) -> Token | None:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        if self.peek() is None:
            raise ExpressionError(f"expected {text!r} but the expression ends")
        token = self.take()
        if token.text != text:
            raise ExpressionError(f"expected {text!r} at position {token.position}, found {token.text!r}")

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and token.kind in ("keyword", "op") and token.text in texts

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("the expression is empty")
        node = self.parse_or()
        extra = self.peek()
        if extra is not None:
            raise ExpressionError(f"unexpected {extra.text!r} at position {extra.position}")
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self.at("or"):
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while self.at("and"):
            self.take()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def parse_not(self) -> Node:
        if self.at("not"):
            self.take()
            return Not(self.parse_not())
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_operand()
        token = self.peek()
        if token is None:
            return left
        if token.kind == "op" and token.text in COMPARISONS:
            self.take()
            op = "=" if token.text == "==" else token.text
            return Compare(op, left, self.parse_operand())
        if self.at("in"):
            self.take()
            return InList(left, self.parse_list(), negated=False)
        if self.at("not") and (following := self.peek(1)) is not None and following.text == "in":
            self.take()
            self.take()
            return InList(left, self.parse_list(), negated=True)
        if self.at("contains"):
            self.take()
            return Contains(left, self.parse_operand())
        return left

    def parse_list(self) -> tuple[Literal, ...]:
        opening = self.take()
        if opening.text not in ("(", "["):
            raise ExpressionError(f"expected a list like ('a', 'b') at position {opening.position}")
        closing = ")" if opening.text == "(" else "]"
        items: list[Literal] = []
        while True:
            item = self.parse_operand()
            if not isinstance(item, Literal):
                raise ExpressionError("a list after 'in' may hold only texts and numbers")
            items.append(item)
            if self.at(","):
                self.take()
                continue
            self.expect(closing)
            return tuple(items)

    def parse_operand(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Literal(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "string":
            return Literal(token.text[1:-1])
        if token.kind == "ref":
            return Ref(token.text[2:-1].strip())
        if token.kind == "name":
            return Ref(token.text)
        if token.kind == "dot":
            return Ref(CURRENT)
        if token.kind == "keyword" and token.text in ("true", "false"):
            return Literal(token.text == "true")
        if token.kind == "keyword" and token.text == "selected":
            # XLSForm's selected(${q}, 'x') is our "q contains 'x'".
            self.expect("(")
            collection = self.parse_operand()
            self.expect(",")
            item = self.parse_operand()
            self.expect(")")
            return Contains(collection, item)
        if token.kind == "func":
            return self.parse_call(token.text)
        if token.text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        raise ExpressionError(f"unexpected {token.text!r} at position {token.position}")

    def parse_call(self, name: str) -> Call:
        self.expect("(")
        args = [self.parse_or()]
        while self.at(","):
            self.take()
            args.append(self.parse_or())
        self.expect(")")
        return make_call(name, args)


def make_call(name: str, args: Sequence[Node]) -> Call:
    """A call of an XLSForm function, checked (:class:`ExpressionError` says what is wrong)."""
    second = args[1] if len(args) > 1 else None
    pattern = second.value if isinstance(second, Literal) and isinstance(second.value, str) else None
    check_call(name, len(args), pattern)
    return Call(name, tuple(args))


@lru_cache(maxsize=1024)
def parse_expression(source: str) -> Node:
    """Parse once; questionnaires are evaluated on every step, so the tree is cached."""
    return _Parser(source).parse()


def references(node: Node) -> set[str]:
    """The question ids an expression reads (``.`` included as CURRENT)."""
    if isinstance(node, Ref):
        return {node.name}
    if isinstance(node, Literal):
        return set()
    if isinstance(node, Compare):
        return references(node.left) | references(node.right)
    if isinstance(node, InList):
        return references(node.item)
    if isinstance(node, Contains):
        return references(node.collection) | references(node.item)
    if isinstance(node, Not):
        return references(node.operand)
    if isinstance(node, Call):
        return set().union(*(references(arg) for arg in node.args))
    return set().union(*(references(operand) for operand in node.operands))


def evaluate(node: Node, answers: Mapping[str, Any], current: Any = None) -> bool:
    """True or false, whatever the answers hold; never raises on odd values."""
    return _truthy(_value(node, answers, current))


def _value(node: Node, answers: Mapping[str, Any], current: Any) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return current if node.name == CURRENT else answers.get(node.name)
    if isinstance(node, Compare):
        return _compare(node.op, _value(node.left, answers, current), _value(node.right, answers, current))
    if isinstance(node, InList):
        item = _value(node.item, answers, current)
        found = item is not None and any(_equal(item, option.value) for option in node.options)
        return found != node.negated if item is not None else node.negated
    if isinstance(node, Contains):
        collection = _value(node.collection, answers, current)
        item = _value(node.item, answers, current)
        if isinstance(collection, list | tuple):
            return any(_equal(element, item) for element in collection)
        return collection is not None and _equal(collection, item)
    if isinstance(node, Not):
        return not _truthy(_value(node.operand, answers, current))
    if isinstance(node, Call):
        return call_value(node.name, [_value(arg, answers, current) for arg in node.args])
    if node.op == "and":
        return all(_truthy(_value(operand, answers, current)) for operand in node.operands)
    return any(_truthy(_value(operand, answers, current)) for operand in node.operands)


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value not in ("", "no")
    if isinstance(value, list | tuple):
        return len(value) > 0
    return bool(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(left: Any, right: Any) -> bool:
    if _is_number(left) and _is_number(right):
        return float(left) == float(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return type(left) is type(right) and left == right


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return left is not None and right is not None and _equal(left, right)
    if op == "!=":
        return left is None or right is None or not _equal(left, right)
    if left is None or right is None:
        return False
    if _is_number(left) and _is_number(right):
        return _ordered(op, float(left), float(right))
    if isinstance(left, str) and isinstance(right, str):
        return _ordered(op, left, right)  # ISO dates compare correctly as text
    return False


_Comparable = TypeVar("_Comparable", float, str)


def _ordered(op: str, a: _Comparable, b: _Comparable) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
