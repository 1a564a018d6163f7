"""Translate math between exobone's expression language and SBML (libsbml ASTs, L3 formulas).

Export goes through sympy: the expressions parsed by :mod:`exobone.model.expressions` are printed
as SBML Level 3 infix (``ln`` for the natural logarithm, ``pow``, ``piecewise``, ``&&``...) and
read back by libsbml's L3 parser. Import walks a libsbml ``ASTNode`` and writes exobone's syntax,
refusing (with :class:`~exobone.errors.UnsupportedSBMLError`) anything exobone cannot simulate
faithfully, such as ``delay`` or ``rateOf``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import libsbml
import sympy
from sympy.printing.str import StrPrinter

from exobone.errors import ExportError, UnsupportedSBMLError
from exobone.model.expressions import TIME

__all__ = ["ast_to_expr", "sympy_to_ast", "sympy_to_formula"]


# ----------------------------------------------------------------------------- export
class _L3Printer(StrPrinter):  # type: ignore[misc]  # sympy is untyped
    """Print a sympy expression as an SBML L3 infix formula (libsbml's L3 syntax)."""

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return "time" if expr == TIME else str(expr.name)

    def _print_Float(self, expr: sympy.Float) -> str:
        return repr(float(expr))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return f"({int(expr.p)}/{int(expr.q)})"

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return str(int(expr))

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if exp == -1:
            return f"(1/{self.parenthesize(base, 1000)})"
        return f"pow({self._print(base)}, {self._print(exp)})"

    def _print_exp(self, expr: sympy.Expr) -> str:
        return f"exp({self._print(expr.args[0])})"

    def _print_log(self, expr: sympy.Expr) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Min(self, expr: sympy.Expr) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Max(self, expr: sympy.Expr) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_floor(self, expr: sympy.Expr) -> str:
        return f"floor({self._print(expr.args[0])})"

    def _print_ceiling(self, expr: sympy.Expr) -> str:
        return f"ceiling({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        parts: list[str] = []
        otherwise = None
        for value, cond in expr.args:
            if cond == sympy.true:
                otherwise = value
                break
            parts += [self._print(value), self._print(cond)]
        if otherwise is not None:
            parts.append(self._print(otherwise))
        return "piecewise(" + ", ".join(parts) + ")"

    def _print_Relational(self, expr: Any) -> str:
        op = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[expr.rel_op]
        return f"({self._print(expr.lhs)} {op} {self._print(expr.rhs)})"

    def _print_And(self, expr: Any) -> str:
        return "(" + " && ".join(self._print(a) for a in expr.args) + ")"

    def _print_Or(self, expr: Any) -> str:
        return "(" + " || ".join(self._print(a) for a in expr.args) + ")"

    def _print_Not(self, expr: Any) -> str:
        return f"!({self._print(expr.args[0])})"

    def _print_BooleanTrue(self, expr: Any) -> str:
        return "true"

    def _print_BooleanFalse(self, expr: Any) -> str:
        return "false"

    def _print_Pi(self, expr: Any) -> str:
        return "pi"

    def _print_Exp1(self, expr: Any) -> str:
        return "exponentiale"

    def _print_NaN(self, expr: Any) -> str:
        return "NaN"

    def _print_Infinity(self, expr: Any) -> str:
        return "INF"

    def _print_NegativeInfinity(self, expr: Any) -> str:
        return "(-INF)"


_PRINTER = _L3Printer()


def sympy_to_formula(expr: sympy.Basic) -> str:
    """Return ``expr`` as an SBML L3 infix formula."""
    return str(_PRINTER.doprint(expr))


def sympy_to_ast(expr: sympy.Basic, *, where: str) -> libsbml.ASTNode:
    """Return ``expr`` as a libsbml ``ASTNode`` (``time`` becomes the SBML time csymbol).

    Raises
    ------
    ExportError
        If libsbml cannot parse the printed formula (names where).
    """
    formula = sympy_to_formula(expr)
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise ExportError(f"{where}: libsbml cannot parse {formula!r}: "
                          f"{libsbml.getLastParseL3Error()}")
    return ast


# ----------------------------------------------------------------------------- import
_FUNCS: dict[int, str] = {
    libsbml.AST_FUNCTION_EXP: "exp",
    libsbml.AST_FUNCTION_LN: "ln",
    libsbml.AST_FUNCTION_ABS: "abs",
    libsbml.AST_FUNCTION_FLOOR: "floor",
    libsbml.AST_FUNCTION_CEILING: "ceil",
    libsbml.AST_FUNCTION_SIN: "sin",
    libsbml.AST_FUNCTION_COS: "cos",
    libsbml.AST_FUNCTION_TAN: "tan",
    libsbml.AST_FUNCTION_TANH: "tanh",
    libsbml.AST_FUNCTION_MIN: "min",
    libsbml.AST_FUNCTION_MAX: "max",
}
_RELATIONS: dict[int, str] = {
    libsbml.AST_RELATIONAL_LT: "<",
    libsbml.AST_RELATIONAL_LEQ: "<=",
    libsbml.AST_RELATIONAL_GT: ">",
    libsbml.AST_RELATIONAL_GEQ: ">=",
    libsbml.AST_RELATIONAL_EQ: "==",
    libsbml.AST_RELATIONAL_NEQ: "!=",
}
#: constructs refused, with the words used in the error
_UNSUPPORTED: dict[int, str] = {
    libsbml.AST_FUNCTION_DELAY: "delay()",
    libsbml.AST_FUNCTION_RATE_OF: "rateOf()",
    libsbml.AST_FUNCTION_FACTORIAL: "factorial()",
    libsbml.AST_FUNCTION_QUOTIENT: "quotient()",
    libsbml.AST_FUNCTION_REM: "rem()",
    libsbml.AST_LOGICAL_IMPLIES: "implies",
}


def ast_to_expr(ast: libsbml.ASTNode, *, names: Mapping[str, str], where: str,
                time_equality: Callable[[str, str], str] | None = None) -> str:
    """Write a libsbml AST in exobone's expression syntax.

    Parameters
    ----------
    ast
        The math.
    names
        SBML id -> exobone name (ids not listed are written as they are).
    where
        The SBML element, for error messages (``"reaction 'R1' kinetic law"``).
    time_equality
        In event triggers: how to write ``lhs == rhs`` when one side is time (exobone's events
        cannot fire on an equality); ``None`` leaves equalities as they are.

    Raises
    ------
    UnsupportedSBMLError
        Naming the construct and ``where`` (delay, rateOf, an unknown csymbol...).
    """

    def name(sid: str) -> str:
        return names.get(sid, sid)

    def walk(node: libsbml.ASTNode) -> str:
        t = node.getType()
        kids = [node.getChild(i) for i in range(node.getNumChildren())]
        if t in _UNSUPPORTED:
            raise UnsupportedSBMLError(f"{where}: {_UNSUPPORTED[t]} is not supported by "
                                       f"exobone's solvers")
        if t == libsbml.AST_INTEGER:
            return f"({node.getInteger()})" if node.getInteger() < 0 else str(node.getInteger())
        if t in (libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL):
            value = node.getValue()
            if math.isnan(value):
                return "(0*1e999)"  # NaN without a literal for it
            if value in (float("inf"), float("-inf")):
                return "(1e999)" if value > 0 else "(-1e999)"
            return f"({value!r})" if value < 0 else repr(value)
        if t == libsbml.AST_NAME:
            return name(node.getName())
        if t == libsbml.AST_NAME_TIME:
            return "time"
        if t == libsbml.AST_NAME_AVOGADRO:
            return repr(6.02214179e23)  # the value SBML L3V1 fixes for the csymbol
        if t == libsbml.AST_CONSTANT_PI:
            return "pi"
        if t == libsbml.AST_CONSTANT_E:
            return "exp(1)"
        if t == libsbml.AST_CONSTANT_TRUE:
            return "true"
        if t == libsbml.AST_CONSTANT_FALSE:
            return "false"
        if t == libsbml.AST_PLUS:
            return "(" + " + ".join(walk(k) for k in kids) + ")" if kids else "0"
        if t == libsbml.AST_TIMES:
            return "(" + " * ".join(walk(k) for k in kids) + ")" if kids else "1"
        if t == libsbml.AST_MINUS:
            if len(kids) == 1:
                return f"(-{walk(kids[0])})"
            return f"({walk(kids[0])} - {walk(kids[1])})"
        if t == libsbml.AST_DIVIDE:
            return f"({walk(kids[0])} / {walk(kids[1])})"
        if t in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
            return f"pow({walk(kids[0])}, {walk(kids[1])})"
        if t == libsbml.AST_FUNCTION_ROOT:
            if len(kids) == 1:
                return f"sqrt({walk(kids[0])})"
            return f"pow({walk(kids[1])}, 1/({walk(kids[0])}))"
        if t == libsbml.AST_FUNCTION_LOG:
            if len(kids) == 1:
                return f"log10({walk(kids[0])})"
            return f"log({walk(kids[0])}, {walk(kids[1])})"
        if t in _FUNCS:
            return f"{_FUNCS[t]}(" + ", ".join(walk(k) for k in kids) + ")"
        if t == libsbml.AST_FUNCTION_PIECEWISE:
            # nested two-branch form: sympy's Piecewise simplifies its conditions pairwise,
            # which takes minutes for the 16 time windows of Kroll 2000 written flat
            args = [walk(k) for k in kids]
            out = f"piecewise({args[-1]})" if len(args) % 2 == 1 else ""
            pairs = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
            for value, cond in reversed(pairs):
                out = f"piecewise({value}, {cond}, {out})" if out else \
                    f"piecewise({value}, {cond})"
            return out
        if t in _RELATIONS:
            op = _RELATIONS[t]
            parts = []
            for a, b in itertools.pairwise(kids):
                lhs, rhs = walk(a), walk(b)
                if op in ("==", "!=") and time_equality is not None and (
                        _uses_time(a) or _uses_time(b)):
                    text = time_equality(lhs, rhs)
                    parts.append(f"({text})" if op == "==" else f"(not ({text}))")
                else:
                    parts.append(f"({lhs} {op} {rhs})")
            return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"
        if t == libsbml.AST_LOGICAL_AND:
            return "(" + " and ".join(walk(k) for k in kids) + ")" if kids else "true"
        if t == libsbml.AST_LOGICAL_OR:
            return "(" + " or ".join(walk(k) for k in kids) + ")" if kids else "false"
        if t == libsbml.AST_LOGICAL_XOR:
            out = walk(kids[0])
            for k in kids[1:]:
                other = walk(k)
                out = f"(({out} and not {other}) or (not {out} and {other}))"
            return out
        if t == libsbml.AST_LOGICAL_NOT:
            return f"(not {walk(kids[0])})"
        if t == libsbml.AST_FUNCTION:
            return f"{name(node.getName())}(" + ", ".join(walk(k) for k in kids) + ")"
        kind = node.getName() or libsbml.formulaToL3String(node) or f"AST type {t}"
        raise UnsupportedSBMLError(f"{where}: the MathML construct {kind!r} is not supported "
                                   f"by exobone")

    return walk(ast)


def _uses_time(node: libsbml.ASTNode) -> bool:
    if node.getType() == libsbml.AST_NAME_TIME:
        return True
    return any(_uses_time(node.getChild(i)) for i in range(node.getNumChildren()))
