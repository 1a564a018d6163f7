"""Parse the model expression language into sympy: a small infix syntax shared with SBML L3 and Python.

Syntax
------
Numbers (``2``, ``0.5``, ``1e-6``), names of states, parameters, assignments and functions,
``+ - * /``, powers as ``^`` or ``**``, parentheses, comparisons ``< <= > >= == !=``, the logical
operators ``and or not`` (also ``&& || !``), the constants ``pi``, ``true``, ``false``, and the
current time as ``time`` or ``t``. Built-in functions:

==========================  ====================================================================
``exp(x)``, ``log(x)``      natural exponential and logarithm (``ln(x)`` is an alias of ``log``)
``log(base, x)``            logarithm to a base; ``log10(x)``
``pow(x, y)``, ``sqrt(x)``  powers (``pow(x, y)`` is ``x^y``)
``abs(x)``                  absolute value
``min(a, b, ...)``          smallest / largest argument; ``max(a, b, ...)``
``floor(x)``, ``ceil(x)``   rounding
``piecewise(v1, c1, ..., otherwise)``  SBML ``piecewise``: the first ``vi`` whose ``ci`` holds
``sin cos tan tanh``        trigonometric (rarely needed; for SBML import)
``asin acos atan``          inverse trigonometric (principal values; NaN outside the domain)
``factorial(n)``            ``n!`` for a whole ``n >= 0`` (NaN otherwise, as MathML defines it
                            only there)
``quotient(a, b)``          ``a/b`` rounded toward zero; ``rem(a, b) = a - b*quotient(a, b)``
                            (the sign of ``a``): MathML's ``quotient`` and ``rem``
``delay(x, tau)``           ``x`` as it was ``tau`` ago (a constant delay; see
                            :mod:`exobone.simulate.delays`)
==========================  ====================================================================

Unlike libsbml's L3 formula parser, ``log(x)`` is the *natural* logarithm (Python and sympy
convention); the SBML exporter writes ``ln``. User functions (:class:`~exobone.model.spec.Function`)
are macros expanded at parse time, like SBML function definitions.

Why Python's ``ast`` plus sympy rather than ``sympy.parse_expr``: ``parse_expr`` evaluates the
string as Python, so ``a > b and c > d`` fails on sympy relationals and arbitrary attribute access
is possible. Here the string is only *parsed* by Python's own parser (``ast.parse``, no
evaluation), every node is checked against a whitelist and turned into a sympy object; every name
must resolve to a model symbol. Nothing the user writes is ever executed.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sympy

from exobone.errors import ModelError, suggest

TIME = sympy.Symbol("time", real=True)
TIME_NAMES = frozenset({"time", "t"})
CONSTANTS: dict[str, sympy.Basic] = {
    "pi": sympy.pi,
    "true": sympy.true,
    "false": sympy.false,
}


_CONDITION_TYPES = (
    sympy.core.relational.Relational,
    sympy.logic.boolalg.BooleanFunction,
    sympy.logic.boolalg.BooleanAtom,
)


def _is_condition(value: sympy.Basic) -> bool:
    """True for comparisons and logical expressions (a sympy Symbol is *not* a condition)."""
    return isinstance(value, _CONDITION_TYPES)


def _log(*args: sympy.Expr) -> sympy.Expr:
    if len(args) == 1:
        return sympy.log(args[0])
    base, x = args
    return sympy.log(x) / sympy.log(base)


def _piecewise(*args: sympy.Basic) -> sympy.Expr:
    if len(args) < 1:
        raise ValueError("piecewise() needs at least one argument")
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
    otherwise = args[-1] if len(args) % 2 == 1 else sympy.nan
    for value, cond in pairs:
        if not _is_condition(cond):
            raise ValueError(f"piecewise condition {cond} is not a comparison or logical expression")
        if _is_condition(value):
            raise ValueError("piecewise values must be numbers, not conditions")
    # a comparison of numbers (kept unevaluated by the parser) is decided now: sympy's
    # Piecewise cannot order an undecided one against its NaN default
    pairs = [(value, cond.doit() if not cond.free_symbols else cond) for value, cond in pairs]
    return sympy.Piecewise(*pairs, (otherwise, True))


class factorial(sympy.Function):  # lower case: printed by name, like sympy functions
    """``n!`` for a whole ``n >= 0``, NaN for any other number (MathML ``factorial``).

    Not ``sympy.factorial``, which extends to ``gamma(n + 1)`` off the integers and
    differentiates into ``polygamma``; this one stays undefined there (its derivative is left
    unevaluated, so a Jacobian through it is differenced, or zero under a ``floor``/``ceiling``).
    """

    @classmethod
    def eval(cls, n: sympy.Basic) -> sympy.Basic | None:
        if n.is_Number:
            if n.is_integer and n >= 0:
                return sympy.factorial(n)
            if n.is_finite and float(n) >= 0 and float(n) == math.floor(float(n)):
                return sympy.Float(math.factorial(int(n)))
            return sympy.nan
        return None


class delay(sympy.Function):  # lower case: a function of the language
    """``delay(x, tau)``: ``x`` at time ``t - tau`` (SBML's ``delay`` csymbol)."""

    nargs = 2


def _quotient(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """MathML ``quotient``: ``a/b`` rounded toward zero."""
    q = a / b
    return sympy.Piecewise((sympy.ceiling(q), q < 0), (sympy.floor(q), True))


#: name -> (min args, max args or None, builder)
BUILTINS: dict[str, tuple[int, int | None, Callable[..., sympy.Basic]]] = {
    "exp": (1, 1, sympy.exp),
    "log": (1, 2, _log),
    "ln": (1, 1, sympy.log),
    "log10": (1, 1, lambda x: sympy.log(x) / sympy.log(10)),
    "pow": (2, 2, sympy.Pow),
    "sqrt": (1, 1, sympy.sqrt),
    "abs": (1, 1, sympy.Abs),
    "min": (1, None, sympy.Min),
    "max": (1, None, sympy.Max),
    "floor": (1, 1, sympy.floor),
    "ceil": (1, 1, sympy.ceiling),
    "piecewise": (1, None, _piecewise),
    "sin": (1, 1, sympy.sin),
    "cos": (1, 1, sympy.cos),
    "tan": (1, 1, sympy.tan),
    "tanh": (1, 1, sympy.tanh),
    "asin": (1, 1, sympy.asin),
    "acos": (1, 1, sympy.acos),
    "atan": (1, 1, sympy.atan),
    "factorial": (1, 1, factorial),
    "quotient": (2, 2, _quotient),
    "rem": (2, 2, lambda a, b: a - b * _quotient(a, b)),
    "delay": (2, 2, delay),
}

#: names no state, parameter, assignment or function may take
RESERVED = frozenset(TIME_NAMES | set(CONSTANTS) | set(BUILTINS))

_NAME_RE = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_NOT_RE = re.compile(r"!(?!=)")


def check_name(name: str, kind: str) -> None:
    """Raise :class:`ModelError` if ``name`` cannot be used for a model symbol of ``kind``."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ModelError(f"{kind} name {name!r} is not an identifier "
                         f"(letters, digits and '_', not starting with a digit)")
    if keyword.iskeyword(name) or name in RESERVED:
        raise ModelError(f"{kind} name {name!r} is reserved in the expression language; "
                         f"choose another name")


def _normalise(text: str) -> str:
    """Map the SBML-style spellings onto Python tokens (``^``, ``&&``, ``||``, ``!``)."""
    return _NOT_RE.sub(" not ", text.replace("^", "**").replace("&&", " and ")
                       .replace("||", " or "))


def names_in(text: str) -> set[str]:
    """Return every identifier used in ``text`` (symbols and function names).

    Raises
    ------
    ModelError
        If ``text`` is not a valid expression.
    """
    return set(_names(text))


@lru_cache(maxsize=1 << 16)
def _names(text: str) -> frozenset[str]:
    # a model build asks for the same expressions' names many times (the exosome layer's
    # binding, dependency ordering): parse each text once per process
    tree = _parse_tree(text, where="expression")
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))


def rename(text: str, mapping: Mapping[str, str]) -> str:
    """Return ``text`` with whole-word identifiers renamed per ``mapping`` (formatting kept)."""
    if not mapping:
        return text
    return _NAME_RE.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)


# CPython 3.11's parser is not safe to call from two threads at once ("AST constructor
# recursion depth mismatch"); the web app and threaded callers build models concurrently.
_PARSE_LOCK = threading.Lock()


def _parse_tree(text: str, *, where: str) -> ast.Expression:
    if not isinstance(text, str) or not text.strip():
        raise ModelError(f"{where}: expression is empty")
    try:
        with _PARSE_LOCK:
            return ast.parse(_normalise(text.strip()), mode="eval")
    except SyntaxError as exc:
        raise ModelError(f"{where}: cannot parse {text!r} ({exc.msg}); see "
                         f"exobone.model.expressions for the syntax") from exc


@dataclass(frozen=True)
class Macro:
    """A user function ready for expansion: argument symbols and a parsed body."""

    name: str
    args: tuple[sympy.Symbol, ...]
    body: sympy.Basic


class _Translator:
    def __init__(self, text: str, symbols: Mapping[str, sympy.Basic],
                 macros: Mapping[str, Macro], where: str) -> None:
        self.text = text
        self.symbols = symbols
        self.macros = macros
        self.where = where

    def fail(self, message: str) -> ModelError:
        return ModelError(f"{self.where}: {message} in {self.text!r}")

    def visit(self, node: ast.AST) -> sympy.Basic:
        if isinstance(node, ast.Expression):
            return self.visit(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return sympy.true if node.value else sympy.false
            if isinstance(node.value, int):
                return sympy.Integer(node.value)
            if isinstance(node.value, float):
                return sympy.Float(node.value)
            raise self.fail(f"unsupported literal {node.value!r}")
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BinOp):
            left, right = self.arith(node.left), self.arith(node.right)
            ops: dict[type, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
                ast.Add: lambda a, b: a + b,
                ast.Sub: lambda a, b: a - b,
                ast.Mult: lambda a, b: a * b,
                ast.Div: lambda a, b: a / b,
                ast.Pow: lambda a, b: a**b,
            }
            op = ops.get(type(node.op))
            if op is None:
                raise self.fail(f"operator {type(node.op).__name__} is not supported")
            return op(left, right)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return sympy.Not(self.logical(node.operand))
            operand = self.arith(node.operand)
            if isinstance(node.op, ast.USub):
                return -operand
            if isinstance(node.op, ast.UAdd):
                return operand
            raise self.fail(f"operator {type(node.op).__name__} is not supported")
        if isinstance(node, ast.BoolOp):
            values = [self.logical(v) for v in node.values]
            return sympy.And(*values) if isinstance(node.op, ast.And) else sympy.Or(*values)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.IfExp):
            return _piecewise(self.arith(node.body), self.logical(node.test),
                              self.arith(node.orelse))
        raise self.fail(f"{type(node).__name__} is not part of the expression language")

    def name(self, name: str) -> sympy.Basic:
        if name in self.symbols:
            return self.symbols[name]
        if name in TIME_NAMES:
            return TIME
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in BUILTINS or name in self.macros:
            raise self.fail(f"function {name!r} is used without arguments")
        raise ModelError(f"{self.where}: unknown symbol {name!r} in {self.text!r}"
                         f"{suggest(name, self.symbols)}")

    def arith(self, node: ast.AST) -> sympy.Expr:
        value = self.visit(node)
        if _is_condition(value):
            raise self.fail("a condition is used as a number; wrap it in piecewise(1, cond, 0)")
        return value

    def logical(self, node: ast.AST) -> sympy.Basic:
        value = self.visit(node)
        if not _is_condition(value):
            raise self.fail("a number is used as a condition; compare it, e.g. 'x > 0'")
        return value

    def compare(self, node: ast.Compare) -> sympy.Basic:
        ops: dict[type, Callable[..., sympy.Basic]] = {
            ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge,
            ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne,
        }
        parts = []
        left = self.arith(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            fn = ops.get(type(op))
            if fn is None:
                raise self.fail(f"comparison {type(op).__name__} is not supported")
            right = self.arith(comparator)
            parts.append(fn(left, right, evaluate=False))
            left = right
        return parts[0] if len(parts) == 1 else sympy.And(*parts)

    def call(self, node: ast.Call) -> sympy.Basic:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise self.fail("only plain calls like f(x, y) are allowed")
        fname = node.func.id
        if fname in self.macros:
            macro = self.macros[fname]
            args = [self.visit(a) for a in node.args]
            if len(args) != len(macro.args):
                raise self.fail(f"function {fname!r} takes {len(macro.args)} argument(s), "
                                f"got {len(args)}")
            return macro.body.xreplace(dict(zip(macro.args, args, strict=True)))
        if fname not in BUILTINS:
            known = sorted(set(BUILTINS) | set(self.macros))
            raise ModelError(f"{self.where}: unknown function {fname!r} in {self.text!r}"
                             f"{suggest(fname, known)}")
        lo, hi, build = BUILTINS[fname]
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            expected = f"{lo}" if lo == hi else f"{lo}..{hi if hi is not None else 'n'}"
            raise self.fail(f"{fname}() takes {expected} argument(s), got {n}")
        if fname == "piecewise":
            args = [self.visit(a) for a in node.args]
        else:
            args = [self.arith(a) for a in node.args]
        try:
            return build(*args)
        except (TypeError, ValueError) as exc:
            raise self.fail(f"invalid call to {fname}(): {exc}") from exc


def parse(text: str, symbols: Mapping[str, sympy.Basic], *,
          macros: Mapping[str, Macro] | None = None, where: str = "expression",
          boolean: bool = False) -> sympy.Basic:
    """Parse ``text`` into a sympy expression over ``symbols``.

    Parameters
    ----------
    text
        The expression, in the syntax described in this module's docstring.
    symbols
        Every name the expression may use, mapped to its sympy symbol.
    macros
        User functions, expanded in place.
    where
        Prefix for error messages, e.g. ``"term 'resorption'"``.
    boolean
        Require a condition (event trigger) rather than a number.

    Returns
    -------
    sympy.Basic
        A sympy ``Expr`` (or a ``Boolean`` when ``boolean`` is true).

    Raises
    ------
    ModelError
        On a syntax error, an unknown symbol or function (with a did-you-mean), a wrong argument
        count, or a condition used as a number and vice versa.
    """
    macros = macros or {}
    try:
        # the result depends only on the text and what its names mean here: models built
        # again (scenarios, the scorecard, the web app) reuse the translation
        key = tuple((n, symbols.get(n), macros.get(n)) for n in sorted(_names(text)))
        return _parse_known(text, key, boolean)
    except (ModelError, TypeError, ValueError, RecursionError):
        pass  # translate again with every symbol, for the full message (did-you-mean, where)
    return _translate(text, symbols, macros, where, boolean)


@lru_cache(maxsize=1 << 16)
def _parse_known(text: str, key: tuple[tuple[str, sympy.Basic | None, Macro | None], ...],
                 boolean: bool) -> sympy.Basic:
    symbols = {n: sym for n, sym, _ in key if sym is not None}
    macros = {n: mac for n, _, mac in key if mac is not None}
    return _translate(text, symbols, macros, "expression", boolean)


def _translate(text: str, symbols: Mapping[str, sympy.Basic], macros: Mapping[str, Macro],
               where: str, boolean: bool) -> sympy.Basic:
    tree = _parse_tree(text, where=where)
    translator = _Translator(text, symbols, macros, where)
    try:
        if boolean:
            return translator.logical(tree.body)
        return translator.arith(tree.body)
    except (TypeError, ValueError, RecursionError) as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"{where}: cannot interpret {text!r}: {exc}") from exc


def build_macros(functions: Sequence[tuple[str, Sequence[str], str]]) -> dict[str, Macro]:
    """Parse user functions ``(name, args, body)`` in order; a body may call earlier ones.

    Raises
    ------
    ModelError
        If a body uses a name that is neither an argument nor a built-in or earlier function.
    """
    macros: dict[str, Macro] = {}
    for name, args, body in functions:
        check_name(name, "function")
        if len(set(args)) != len(args):
            raise ModelError(f"function {name!r}: argument names repeat in {tuple(args)}")
        for a in args:
            check_name(a, f"function {name!r} argument")
        arg_syms = tuple(sympy.Symbol(f"_arg_{name}_{a}", real=True) for a in args)
        expr = parse(body, dict(zip(args, arg_syms, strict=True)), macros=macros,
                     where=f"function {name!r}")
        macros[name] = Macro(name, arg_syms, expr)
    return macros


def evaluate(text: str, values: Mapping[str, float], *,
             macros: Mapping[str, Macro] | None = None, where: str = "expression") -> float:
    """Return the number ``text`` evaluates to with ``values`` for its names.

    The expression is parsed exactly as the compiler parses it (:func:`parse`, so built-in and
    user functions work), then every name is substituted.

    Raises
    ------
    ModelError
        On a syntax error, a name without a value (with a did-you-mean), or a result that is not
        a finite real number (e.g. ``1/0``).
    """
    symbols = {name: sympy.Symbol(name, real=True) for name in names_in(text) if name in values}
    expr = parse(text, symbols, macros=macros, where=where)
    used = {s: sympy.Float(values[s.name]) for s in expr.free_symbols
            if isinstance(s, sympy.Symbol) and s.name in values}
    result = expr.subs(used)
    try:
        number = float(result)
    except TypeError:  # complex infinity (1/0) or a non-real value
        number = math.nan
    if not math.isfinite(number):
        raise ModelError(f"{where}: {text!r} is {result}, not a finite number")
    return number
