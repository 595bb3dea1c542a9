"""What an optimisation study minimises or maximises, and the limits its designs must keep, over metric keys.

An objective is one metric key (``bw_h_spread``) or arithmetic over metric keys and numbers
(``0.7*bw_h_spread + 0.3*on_axis_dev``); a constraint compares two such expressions (``control_h_hz <= 900``).
They come from users, so they are never handed to ``eval``: a tokenizer and a recursive-descent parser accept
names, numbers, ``+ - * /`` and parentheses, and nothing else. The names are checked against the metric keys of
the kind's metric set, so this module knows no solver.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import NoReturn

from engine.config.job import closest
from engine.errors import ConfigError

MAX_LENGTH = 300
MAX_DEPTH = 30
DIRECTIONS = ("minimize", "maximize")
#: A metric's ``better`` as the direction that optimises it.
BETTER = {"lower": "minimize", "higher": "maximize"}
COMPARISONS = ("<=", ">=", "<", ">")

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<op>[-+*/()])|(?P<bad>\S))"
)
Values = Mapping[str, float | None]
Node = Callable[[Values], float]


class _Missing(Exception):
    """A metric the expression needs has no value for this design (null: the data does not reach it)."""


@dataclass(frozen=True)
class Formula:
    """A parsed expression over metric keys; ``names`` are the keys it reads, in order of appearance."""

    text: str
    names: tuple[str, ...]
    node: Node

    def value(self, metrics: Values) -> float | None:
        """The expression for one design's metrics; None when a metric it needs is null or the result not finite."""
        try:
            result = self.node(metrics)
        except (_Missing, ZeroDivisionError, OverflowError):
            return None
        return result if math.isfinite(result) else None

    def missing(self, metrics: Values) -> list[str]:
        """The keys this expression needs that have no value in ``metrics``."""
        return [name for name in self.names if metrics.get(name) is None]


@dataclass(frozen=True)
class Constraint:
    """``left OP right``; its violation is how far a design is outside it (≤ 0 when it holds)."""

    text: str
    left: Formula
    op: str
    right: Formula

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.left.names + self.right.names))

    def violation(self, metrics: Values) -> float | None:
        """left − right for ``<=``/``<`` (right − left for ``>=``/``>``); None when a side cannot be evaluated."""
        left, right = self.left.value(metrics), self.right.value(metrics)
        if left is None or right is None:
            return None
        return left - right if self.op in ("<=", "<") else right - left


def parse_objective(text: object, known: Collection[str], where: str = "objective") -> Formula:
    """An objective over the metric keys in ``known``; refuses anything else with one line naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: give a metric key or an expression over metric keys, e.g. bw_h_spread")
    return _Parser(text, known, where).parse()


def parse_constraint(text: object, known: Collection[str], where: str = "constraint") -> Constraint:
    """``expression OP expression`` with OP one of <=, >=, <, >, e.g. ``control_h_hz <= 900``."""
    if not isinstance(text, str):
        raise ConfigError(f'{where}: give a comparison of metrics like "control_h_hz <= 900"')
    found = [(text.find(op), op) for op in COMPARISONS if op in text]
    if not found:
        raise ConfigError(f"{where}: {text.strip()!r} compares nothing; use <= or >=, e.g. control_h_hz <= 900")
    at, op = min(found, key=lambda pair: (pair[0], -len(pair[1])))
    left, right = text[:at], text[at + len(op) :]
    if any(other in right for other in COMPARISONS):
        raise ConfigError(f"{where}: {text.strip()!r} has more than one comparison")
    if not left.strip() or not right.strip():
        raise ConfigError(f"{where}: {text.strip()!r} needs something on both sides of {op}, e.g. control_h_hz <= 900")
    return Constraint(text.strip(), parse_objective(left, known, where), op, parse_objective(right, known, where))


def default_direction(formula: Formula, better: Mapping[str, str | None], where: str = "direction") -> str:
    """The direction every metric of the objective shares as its ``better``; refused when they do not share one."""
    shared = {BETTER.get(better.get(name) or "") for name in formula.names}
    if len(shared) == 1 and None not in shared:
        return shared.pop()  # type: ignore[return-value]
    unsure = [name for name in formula.names if not better.get(name)]
    reason = f"{unsure[0]} is neither better low nor high" if unsure else "its metrics are better in different ways"
    raise ConfigError(f"{where}: say whether to minimize or maximize {formula.text!r} ({reason})")


def check_direction(direction: object, where: str = "direction") -> str:
    if direction not in DIRECTIONS:
        raise ConfigError(f'{where}: expected "minimize" or "maximize", got {direction!r}')
    return str(direction)


class _Parser:
    """expression := term (('+' | '-') term)*;  term := factor (('*' | '/') factor)*;
    factor := ('+' | '-') factor | number | metric key | '(' expression ')'."""

    def __init__(self, text: str, known: Collection[str], where: str) -> None:
        self.text = text
        self.known = known
        self.where = where
        self.tokens = self._tokenize(text)
        self.index = 0
        self.depth = 0
        self.names: list[str] = []

    def parse(self) -> Formula:
        if len(self.text) > MAX_LENGTH:
            self._fail(f"is {len(self.text)} characters long (limit {MAX_LENGTH})")
        node = self._expression()
        if self.index < len(self.tokens):
            self._fail(f"unexpected {self.tokens[self.index][1]!r}")
        return Formula(self.text.strip(), tuple(dict.fromkeys(self.names)), node)

    def _fail(self, reason: str) -> NoReturn:
        raise ConfigError(f"{self.where}: {self.text.strip()!r} {reason}")

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind is None:
                continue
            if kind == "bad":
                self._fail(f"has {match.group(kind)!r}: only metric keys, numbers, + - * / and parentheses")
            tokens.append((kind, match.group(kind)))
        return tokens

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self, op: str) -> bool:
        if self._peek() == ("op", op):
            self.index += 1
            return True
        return False

    def _expression(self) -> Node:
        node = self._term()
        while (token := self._peek()) in (("op", "+"), ("op", "-")):
            self.index += 1
            node = _binary(token[1], node, self._term())
        return node

    def _term(self) -> Node:
        node = self._factor()
        while (token := self._peek()) in (("op", "*"), ("op", "/")):
            self.index += 1
            node = _binary(token[1], node, self._factor())
        return node

    def _factor(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._fail(f"nests deeper than {MAX_DEPTH} levels")
        try:
            return self._atom()
        finally:
            self.depth -= 1

    def _atom(self) -> Node:
        token = self._peek()
        if token is None:
            self._fail("ends too early")
        kind, text = token
        self.index += 1
        if kind == "num":
            number = float(text)
            if not math.isfinite(number):
                self._fail(f"has a number out of range ({text})")
            return lambda _m: number
        if kind == "name":
            return self._metric(text)
        if text in "+-":
            inner = self._factor()
            return (lambda m: -inner(m)) if text == "-" else inner
        if text == "(":
            node = self._expression()
            if not self._take(")"):
                self._fail("has a '(' without its ')'")
            return node
        self._fail(f"has {text!r} where a metric or a number belongs")

    def _metric(self, name: str) -> Node:
        if name not in self.known:
            hint = closest(name, sorted(self.known)) or f" (metrics: {', '.join(sorted(self.known))})"
            raise ConfigError(f"{self.where}: unknown metric {name!r}{hint}")
        self.names.append(name)

        def read(metrics: Values) -> float:
            value = metrics.get(name)
            if value is None:
                raise _Missing(name)
            return float(value)

        return read


def _binary(op: str, left: Node, right: Node) -> Node:
    if op == "+":
        return lambda m: left(m) + right(m)
    if op == "-":
        return lambda m: left(m) - right(m)
    if op == "*":
        return lambda m: left(m) * right(m)
    return lambda m: left(m) / right(m)
