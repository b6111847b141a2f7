"""Expressions in preset values: ``"= 0.35 / $tile_count"``.

A node parameter (or a subgraph's exposed parameter, or a gradient stop's position) may be a
string that starts with ``=``: a small arithmetic expression over the preset's exposed
parameters, evaluated against their values in use (after ``--set`` overrides) when the
graph is built, and then checked like any written value by the parameter it sets.

Grammar, loosest binding first (Python's precedence and associativity)::

    expression := sum [compare sum]            compare: < <= > >= == !=  (no chains)
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/" | "//" | "%") unary)*
    unary      := ("-" | "+") unary | power
    power      := atom ["**" unary]            right-associative: 2 ** 3 ** 2 is 2 ** 9
    atom       := number | "$"name | "pi" | function "(" expression ("," expression)* ")"
                | "(" expression ")"

so ``-2 ** 2`` is -4 and ``2 ** -1`` is 0.5. Numbers keep their kind: ``+ - * // % **`` of
integers give an integer, ``/`` always a float; ``//`` and ``%`` floor (``-7 // 2`` is -4,
``-7 % 2`` is 1). References take int, float, bool and seed parameters (a bool counts as 0
or 1 in arithmetic); comparisons give true or false. Functions: ``FUNCTIONS``.

Expressions are parsed by the hand-written recursive-descent parser below and evaluated by
walking its tree: nothing in a preset is handed to ``eval`` or compiled, and a name that is
not a listed function or ``pi`` is an error. Every error is an ``ExpressionError`` that
points at the column of the offending token.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from texgen.errors import did_you_mean
from texgen.nodes import Param

#: A string value starting with this is an expression.
PREFIX = "="
#: The parameter types an expression may reference (and whose values it can give).
NUMERIC_TYPES = ("int", "float", "bool", "seed")
#: The most tokens an expression may have: far above any real expression, and a bound on
#: how deep its parentheses and operators nest (so on the parser's and evaluator's recursion).
MAX_TOKENS = 128
#: The largest integer an expression computes exactly (a larger one is an error).
MAX_INT_BITS = 1024

Number = int | float | bool


def is_expression(value: Any) -> bool:
    """Whether a preset value is an expression (a string that starts with "=")."""
    return isinstance(value, str) and value.startswith(PREFIX)


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated.

    ``reason`` says what is wrong, ``text`` is the expression as written and ``column``
    (1-based, the "=" being column 1) where; the message adds the expression with a caret
    under that column.
    """

    def __init__(self, reason: str, text: str, column: int):
        self.reason, self.text, self.column = reason, text, column
        super().__init__(f"expression column {column}: {reason}\n    {text}\n"
                         f"    {' ' * (column - 1)}^")


# --- functions --------------------------------------------------------------------------

def _lerp(a: Number, b: Number, t: Number) -> float:
    return a + (b - a) * t


def _clamp(x: Number, low: Number, high: Number) -> Number:
    if low > high:
        raise ValueError(f"clamp's low ({low}) is above its high ({high})")
    return min(max(x, low), high)


def _round(x: Number) -> int:
    """Halves away from zero (round(2.5) is 3, round(-2.5) is -3), as artists expect."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _sqrt(x: Number) -> float:
    if x < 0:
        raise ValueError(f"sqrt of a negative number ({x})")
    return math.sqrt(x)


def _log(x: Number) -> float:
    if x <= 0:
        raise ValueError(f"log of a number that is not positive ({x})")
    return math.log(x)


def _power(base: Number, exponent: Number) -> Number:
    """``base ** exponent``: an integer for integers with a non-negative exponent, else a
    float; never a complex number, never an integer too large to compute."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent >= 0:
        if abs(base) > 1 and exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise OverflowError
        return base ** exponent
    if base == 0 and exponent < 0:
        raise ZeroDivisionError("0 to a negative power")
    if base < 0 and not float(exponent).is_integer():
        raise ValueError(f"a negative number ({base}) to a fractional power ({exponent})")
    return math.pow(base, exponent)


@dataclass(frozen=True)
class Function:
    """A function expressions may call: its implementation and how many arguments it takes
    (``most`` None: any number from ``least``)."""

    call: Callable[..., Number]
    least: int
    most: int | None


#: The functions an expression may call, by name.
FUNCTIONS: dict[str, Function] = {
    "min": Function(min, 2, None),            # the smallest argument
    "max": Function(max, 2, None),            # the largest argument
    "clamp": Function(_clamp, 3, 3),          # clamp(x, lo, hi): x limited to lo..hi
    "lerp": Function(_lerp, 3, 3),            # lerp(a, b, t): a + (b - a) * t
    "abs": Function(abs, 1, 1),
    "floor": Function(math.floor, 1, 1),      # an integer
    "ceil": Function(math.ceil, 1, 1),        # an integer
    "round": Function(_round, 1, 1),          # an integer; halves away from zero
    "sqrt": Function(_sqrt, 1, 1),
    "sin": Function(math.sin, 1, 1),          # of radians
    "cos": Function(math.cos, 1, 1),          # of radians
    "pow": Function(_power, 2, 2),            # pow(x, y): x ** y
    "exp": Function(math.exp, 1, 1),          # e ** x
    "log": Function(_log, 1, 1),              # natural logarithm
}
#: Named constants.
CONSTANTS: dict[str, float] = {"pi": math.pi}


def _divide(a: Number, b: Number) -> float:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return a / b


def _floor_divide(a: Number, b: Number) -> Number:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return a // b


def _modulo(a: Number, b: Number) -> Number:
    if b == 0:
        raise ZeroDivisionError("modulo by zero")
    return a % b


_BINARY: dict[str, Callable[[Number, Number], Number]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": _divide, "//": _floor_divide, "%": _modulo, "**": _power,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


# --- syntax tree ------------------------------------------------------------------------

@dataclass(frozen=True)
class Literal:
    value: Number
    column: int


@dataclass(frozen=True)
class Reference:
    """``$name``: an exposed parameter."""

    name: str
    column: int


@dataclass(frozen=True)
class Negate:
    operand: Node
    column: int


@dataclass(frozen=True)
class Binary:
    """``left op right``; ``column`` is the operator's."""

    op: str
    left: Node
    right: Node
    column: int


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Node, ...]
    column: int


Node = Literal | Reference | Negate | Binary | Call


# --- parsing ----------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<reference>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<operator>\*\*|//|<=|>=|==|!=|[-+*/%<>(),])
""", re.VERBOSE)


@dataclass(frozen=True)
class _Token:
    kind: str  # number, reference, name, operator, end
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    """The tokens after the leading "=", each with its 1-based column in ``text``."""
    tokens, position = [], len(PREFIX)
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            hint = (" ('$' starts a parameter reference, e.g. $tile_count)" if char == "$"
                    else "; strings, attributes and indexing are not part of expressions"
                    if char in "'\"[].{}" else "")
            raise ExpressionError(f"unexpected character {char!r}{hint}", text, position + 1)
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup, match.group(), position + 1))
        position = match.end()
    if len(tokens) > MAX_TOKENS:
        raise ExpressionError(f"longer than {MAX_TOKENS} tokens: split it over exposed "
                              f"parameters or nodes", text, tokens[MAX_TOKENS].column)
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def parse(text: str) -> Node:
    """The syntax tree of expression ``text`` (with its leading "="), or an
    ``ExpressionError`` pointing at the first token that does not fit the grammar."""
    if not is_expression(text):
        raise ExpressionError(f"an expression starts with '{PREFIX}'", str(text), 1)
    return _Parser(text).parse()


class _Parser:
    """Recursive descent over the grammar in the module docstring, one method per rule."""

    def __init__(self, text: str):
        self.text, self.tokens, self.index = text, _tokens(text), 0

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.error("an empty expression: write a value after '='", self.peek())
        node = self.expression()
        token = self.peek()
        if token.kind != "end":
            raise self.error(f"expected an operator or the end, got {token.text!r}", token)
        return node

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, *operators: str) -> bool:
        token = self.peek()
        return token.kind == "operator" and token.text in operators

    def error(self, reason: str, token: _Token) -> ExpressionError:
        return ExpressionError(reason, self.text, token.column)

    def expression(self) -> Node:
        node = self.sum()
        if self.at(*_COMPARISONS):
            operator = self.take()
            node = Binary(operator.text, node, self.sum(), operator.column)
            if self.at(*_COMPARISONS):
                raise self.error("comparisons do not chain (a < b < c): compare two values",
                                 self.peek())
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at("+", "-"):
            operator = self.take()
            node = Binary(operator.text, node, self.product(), operator.column)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/", "//", "%"):
            operator = self.take()
            node = Binary(operator.text, node, self.unary(), operator.column)
        return node

    def unary(self) -> Node:
        if self.at("-", "+"):
            sign = self.take()
            operand = self.unary()
            return Negate(operand, sign.column) if sign.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        node = self.atom()
        if self.at("**"):
            operator = self.take()
            node = Binary("**", node, self.unary(), operator.column)
        return node

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "number":
            try:
                value = float(token.text) if any(c in token.text for c in ".eE") \
                    else int(token.text)
            except ValueError:  # more digits than Python converts
                value = math.inf
            if not math.isfinite(value):
                raise self.error(f"the number {token.text} is too large", token)
            return Literal(value, token.column)
        if token.kind == "reference":
            return Reference(token.text[1:], token.column)
        if token.kind == "name":
            return self.call_or_constant(token)
        if token.text == "(":
            node = self.expression()
            self.expect(")", "to close the '(' at column " + str(token.column))
            return node
        got = "the end of the expression" if token.kind == "end" else repr(token.text)
        raise self.error(f"expected a number, a $parameter, a function or '(', got {got}",
                         token)

    def call_or_constant(self, token: _Token) -> Node:
        name = token.text
        if name in CONSTANTS:
            return Literal(CONSTANTS[name], token.column)
        function = FUNCTIONS.get(name)
        if function is None and self.at("("):
            raise self.error(f"unknown function '{name}'{did_you_mean(name, FUNCTIONS)} "
                             f"(functions: {', '.join(FUNCTIONS)})", token)
        if function is None:
            raise self.error(f"unknown name '{name}'{did_you_mean(name.lower(), CONSTANTS)}: a "
                             f"parameter is written ${name} (constants: "
                             f"{', '.join(CONSTANTS)})", token)
        self.expect("(", f"after the function '{name}'")
        args = [self.expression()]
        while self.at(","):
            self.take()
            args.append(self.expression())
        self.expect(")", f"to close the call of '{name}'")
        if len(args) < function.least or function.most is not None and len(args) > function.most:
            count = (f"{function.least}" if function.least == function.most
                     else f"at least {function.least}")
            raise self.error(f"{name}() takes {count} arguments, got {len(args)}", token)
        return Call(name, tuple(args), token.column)

    def expect(self, operator: str, why: str) -> None:
        token = self.peek()
        if not self.at(operator):
            got = "the end" if token.kind == "end" else repr(token.text)
            raise self.error(f"expected '{operator}' {why}, got {got}", token)
        self.take()


def references(text: str) -> set[str]:
    """The exposed parameters that expression ``text`` names (``ExpressionError`` if it
    does not parse)."""
    found, stack = set(), [parse(text)]
    while stack:
        match stack.pop():
            case Reference(name=name):
                found.add(name)
            case Negate(operand=operand):
                stack.append(operand)
            case Binary(left=left, right=right):
                stack += [left, right]
            case Call(args=args):
                stack.extend(args)
    return found


# --- evaluation -------------------------------------------------------------------------

def evaluate(text: str, parameters: Mapping[str, Param]) -> Number:
    """The value of expression ``text`` with ``parameters`` (exposed parameters by name,
    each ``default`` being the value in use). Raises ``ExpressionError``."""
    return _Evaluator(text, parameters).value(parse(text))


class _Evaluator:
    def __init__(self, text: str, parameters: Mapping[str, Param]):
        self.text, self.parameters = text, parameters

    def value(self, node: Node) -> Number:
        try:
            result = self._value(node)
        except ExpressionError:
            raise
        except ZeroDivisionError as exc:
            raise ExpressionError(str(exc), self.text, node.column) from None
        except OverflowError:
            raise ExpressionError("the result is too large", self.text, node.column) from None
        except ValueError as exc:
            raise ExpressionError(str(exc), self.text, node.column) from None
        if isinstance(result, float) and not math.isfinite(result):
            raise ExpressionError("the result is too large", self.text, node.column)
        return result

    def _value(self, node: Node) -> Number:
        match node:
            case Literal(value=value):
                return value
            case Reference():
                return self.reference(node)
            case Negate(operand=operand):
                return -self.number(operand)
            case Binary(op=op, left=left, right=right):
                if op in _COMPARISONS:
                    return _BINARY[op](self.value(left), self.value(right))
                return _BINARY[op](self.number(left), self.number(right))
            case Call(function=name, args=args):
                return FUNCTIONS[name].call(*(self.number(arg) for arg in args))
        raise AssertionError(node)  # pragma: no cover - the parser makes no other node

    def number(self, node: Node) -> int | float:
        """A value for arithmetic: true and false count as 1 and 0."""
        value = self.value(node)
        return int(value) if isinstance(value, bool) else value

    def reference(self, node: Reference) -> Number:
        param = self.parameters.get(node.name)
        if param is None:
            known = sorted(f"${name}" for name in self.parameters)
            raise ExpressionError(f"'${node.name}' names no exposed parameter"
                                  f"{did_you_mean(f'${node.name}', known)}"
                                  f" (exposed: {', '.join(known) or 'none'})",
                                  self.text, node.column)
        if param.type not in NUMERIC_TYPES:
            raise ExpressionError(f"'${node.name}' is a {param.type} parameter; expressions "
                                  f"take {', '.join(NUMERIC_TYPES)} parameters",
                                  self.text, node.column)
        return param.default


def result_problem(written: Any, result: Any, error: ValueError) -> str | None:
    """The message for an expression whose result the target parameter refused
    (``error``: what ``Param.coerce`` said, with the value), e.g. an int parameter given
    2.5; None when ``written`` is not an expression."""
    if not is_expression(written):
        return None
    hint = (" (round(), floor() or ceil() give an integer)"
            if isinstance(result, float) and not result.is_integer() else "")
    return f"the expression {written!r}: {error}{hint}"
