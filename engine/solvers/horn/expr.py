"""Safe arithmetic for azimuth-dependent horn parameters, e.g. ``"45 + 10*cos(p)^2"``.

Configs come from users and are validated in the CLI process, so an expression is never handed to
``eval``: a tokenizer and a recursive-descent parser build a tree of closures over plain floats.
The only variable is ``p``, the azimuth around the horn axis in radians. Floats cannot grow without
bound, and constant exponents are capped, so no expression can eat time or memory.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import NoReturn

from engine.errors import ConfigError

MAX_LENGTH = 200
MAX_DEPTH = 40
MAX_EXPONENT = 100.0

FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "sqrt": math.sqrt,
    "abs": abs,
    "exp": math.exp,
    "log": math.log,
}
CONSTANTS = {"pi": math.pi}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<op>\*\*|[-+*/^()])|(?P<bad>\S))"
)

Node = Callable[[float], float]


class Expression:
    """A parsed expression of the azimuth ``p``; calling it evaluates at one azimuth (radians)."""

    def __init__(self, text: str, node: Node, constant: bool, where: str = "") -> None:
        self.text = text
        self.constant = constant
        self._node = node
        self._where = where

    def __call__(self, p: float) -> float:
        try:
            value = self._node(p)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ConfigError(
                f"{_prefix(self._where)}expression '{self.text}' cannot be evaluated at "
                f"p = {p:.4g}: {_math_reason(exc)}"
            ) from None
        if not math.isfinite(value):
            raise ConfigError(f"{_prefix(self._where)}expression '{self.text}' is not finite at p = {p:.4g}")
        return value

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def parse_expression(text: str, where: str = "") -> Expression:
    """Parse ``text`` into an :class:`Expression`; ``where`` (a key path) prefixes every error."""
    if len(text) > MAX_LENGTH:
        raise ConfigError(
            f"{_prefix(where)}expression is {len(text)} characters long (limit {MAX_LENGTH}): '{text[:40]}...'"
        )
    try:
        node, constant = _Parser(text, where).parse()
    except _ConstantError as exc:
        raise ConfigError(f"{_prefix(where)}expression '{text}' cannot be evaluated: {exc}") from None
    return Expression(text, node, constant, where)


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


def _math_reason(exc: Exception) -> str:
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, OverflowError):
        return "the result is too large"
    return "a function got an argument outside its domain"


def _tokenize(text: str, where: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup or ""
        value = match.group(kind)
        column = match.start(kind)
        if kind == "bad":
            raise ConfigError(
                f"{_prefix(where)}expression '{text}' has an unexpected character '{value}' at position {column + 1}"
            )
        if value == "**":
            raise ConfigError(f"{_prefix(where)}expression '{text}': write powers with '^', not '**'")
        tokens.append((kind, value, column))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent over: sum := product (('+'|'-') product)*, product := unary (('*'|'/') unary)*,
    unary := ('-'|'+') unary | power, power := atom ('^' unary)?, atom := number | name | f(sum) | (sum).

    Each rule returns (closure, is_constant) so constant subtrees are folded and exponents checked.
    """

    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.tokens = _tokenize(text, where)
        self.index = 0
        self.depth = 0

    def parse(self) -> tuple[Node, bool]:
        if not self.tokens:
            self._fail("is empty")
        result = self._sum()
        if self.index < len(self.tokens):
            _, value, column = self.tokens[self.index]
            self._fail(f"has an unexpected '{value}' at position {column + 1}")
        return result

    def _fail(self, what: str) -> NoReturn:
        raise ConfigError(f"{_prefix(self.where)}expression '{self.text}' {what}")

    def _peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def _take(self) -> tuple[str, str, int]:
        if self.index >= len(self.tokens):
            self._fail("ends too early")
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _expect(self, value: str) -> None:
        _, got, column = self._take()
        if got != value:
            self._fail(f"expects '{value}' at position {column + 1} but has '{got}'")

    def _sum(self) -> tuple[Node, bool]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._fail(f"is nested too deeply (limit {MAX_DEPTH} levels)")
        left = self._product()
        while self._peek() in ("+", "-"):
            op = self._take()[1]
            right = self._product()
            left = _fold(_add if op == "+" else _sub, left, right)
        self.depth -= 1
        return left

    def _product(self) -> tuple[Node, bool]:
        left = self._unary()
        while self._peek() in ("*", "/"):
            op = self._take()[1]
            right = self._unary()
            if op == "/" and right[1] and right[0](0.0) == 0.0:
                self._fail("divides by zero")
            left = _fold(_mul if op == "*" else _div, left, right)
        return left

    def _unary(self) -> tuple[Node, bool]:
        if self._peek() in ("-", "+"):
            op = self._take()[1]
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self._fail(f"is nested too deeply (limit {MAX_DEPTH} levels)")
            operand, constant = self._unary()
            self.depth -= 1
            if op == "+":
                return operand, constant
            return _fold_unary(_neg, operand, constant)
        return self._power()

    def _power(self) -> tuple[Node, bool]:
        base = self._atom()
        if self._peek() != "^":
            return base
        self._take()
        exponent = self._unary()
        if exponent[1]:
            value = exponent[0](0.0)
            if abs(value) > MAX_EXPONENT:
                self._fail(f"raises to the power {value:.6g}; exponents are limited to ±{MAX_EXPONENT:g}")
        return _fold(_pow, base, exponent)

    def _atom(self) -> tuple[Node, bool]:
        kind, value, column = self._take()
        if kind == "num":
            number = float(value)
            if not math.isfinite(number):
                self._fail(f"has a number too large at position {column + 1}")
            return (lambda p, v=number: v), True
        if kind == "name":
            if value == "p":
                return (lambda p: p), False
            if value in CONSTANTS:
                constant = CONSTANTS[value]
                return (lambda p, v=constant: v), True
            if value in FUNCTIONS:
                self._expect("(")
                argument = self._sum()
                self._expect(")")
                return _fold_unary(FUNCTIONS[value], *argument)
            allowed = "p, pi, " + ", ".join(FUNCTIONS)
            self._fail(f"uses the unknown name '{value}' at position {column + 1} (allowed: {allowed})")
        if value == "(":
            inner = self._sum()
            self._expect(")")
            return inner
        self._fail(f"has an unexpected '{value}' at position {column + 1}")


def _add(a: float, b: float) -> float:
    return a + b


def _sub(a: float, b: float) -> float:
    return a - b


def _mul(a: float, b: float) -> float:
    return a * b


def _div(a: float, b: float) -> float:
    return a / b


def _neg(a: float) -> float:
    return -a


def _pow(a: float, b: float) -> float:
    return math.pow(a, b)


def _fold(op: Callable[[float, float], float], left: tuple[Node, bool], right: tuple[Node, bool]) -> tuple[Node, bool]:
    """Combine two subtrees; a constant result is computed now, so errors surface at parse time."""
    (f, f_const), (g, g_const) = left, right
    if f_const and g_const:
        value = _evaluate_constant(lambda: op(f(0.0), g(0.0)))
        return (lambda p, v=value: v), True
    return (lambda p: op(f(p), g(p))), False


def _fold_unary(op: Callable[[float], float], f: Node, constant: bool) -> tuple[Node, bool]:
    if constant:
        value = _evaluate_constant(lambda: op(f(0.0)))
        return (lambda p, v=value: v), True
    return (lambda p: op(f(p))), False


def _evaluate_constant(compute: Callable[[], float]) -> float:
    """Evaluate a constant subtree; failures are re-raised by the caller's Expression with context."""
    try:
        return compute()
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise _ConstantError(_math_reason(exc)) from None


class _ConstantError(Exception):
    """A constant subexpression failed; ``parse_expression`` turns it into a ConfigError."""
