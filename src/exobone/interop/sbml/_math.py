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

__all__ = ["ast_to_expr", "is_condition_math", "sympy_to_ast", "sympy_to_formula"]


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
    libsbml.AST_FUNCTION_ARCSIN: "asin",
    libsbml.AST_FUNCTION_ARCCOS: "acos",
    libsbml.AST_FUNCTION_ARCTAN: "atan",
    libsbml.AST_FUNCTION_FACTORIAL: "factorial",
    libsbml.AST_FUNCTION_QUOTIENT: "quotient",
    libsbml.AST_FUNCTION_REM: "rem",
    libsbml.AST_FUNCTION_DELAY: "delay",
}
#: hyperbolic and reciprocal functions by their definitions over exp/log/sqrt/sin/cos/tan and
#: the inverses (the reciprocal inverses as libsbml and the suite take them: arccot(x) is
#: atan(1/x), negative for x < 0)
_TRIG_IDENTITIES: dict[int, str] = {
    libsbml.AST_FUNCTION_ARCSEC: "acos(1 / ({0}))",
    libsbml.AST_FUNCTION_ARCCSC: "asin(1 / ({0}))",
    libsbml.AST_FUNCTION_ARCCOT: "atan(1 / ({0}))",
    libsbml.AST_FUNCTION_SINH: "((exp({0}) - exp(-({0}))) / 2)",
    libsbml.AST_FUNCTION_COSH: "((exp({0}) + exp(-({0}))) / 2)",
    libsbml.AST_FUNCTION_SEC: "(1 / cos({0}))",
    libsbml.AST_FUNCTION_CSC: "(1 / sin({0}))",
    libsbml.AST_FUNCTION_COT: "(1 / tan({0}))",
    libsbml.AST_FUNCTION_SECH: "(2 / (exp({0}) + exp(-({0}))))",
    libsbml.AST_FUNCTION_CSCH: "(2 / (exp({0}) - exp(-({0}))))",
    libsbml.AST_FUNCTION_COTH: "(1 / tanh({0}))",
    libsbml.AST_FUNCTION_ARCSINH: "log(({0}) + sqrt(({0})^2 + 1))",
    libsbml.AST_FUNCTION_ARCCOSH: "log(({0}) + sqrt(({0})^2 - 1))",
    libsbml.AST_FUNCTION_ARCTANH: "(log((1 + ({0})) / (1 - ({0}))) / 2)",
    libsbml.AST_FUNCTION_ARCSECH: "log((1 + sqrt(1 - ({0})^2)) / ({0}))",
    libsbml.AST_FUNCTION_ARCCSCH: "log(1 / ({0}) + sqrt(1 / ({0})^2 + 1))",
    libsbml.AST_FUNCTION_ARCCOTH: "(log((({0}) + 1) / (({0}) - 1)) / 2)",
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
    libsbml.AST_FUNCTION_RATE_OF: "rateOf()",
}
_LOGICAL = (libsbml.AST_LOGICAL_AND, libsbml.AST_LOGICAL_OR, libsbml.AST_LOGICAL_XOR,
            libsbml.AST_LOGICAL_NOT, libsbml.AST_LOGICAL_IMPLIES)


def ast_to_expr(ast: libsbml.ASTNode, *, names: Mapping[str, str], where: str,
                time_equality: Callable[[str, str], str] | None = None,
                boolean: bool = False,
                boolean_functions: Mapping[str, libsbml.ASTNode] | None = None,
                rate_of: Callable[[str], str] | None = None) -> str:
    """Write a libsbml AST in exobone's expression syntax.

    SBML math mixes numbers and truth values freely (a function may return a comparison used as
    a number; a piecewise may choose between conditions); exobone's syntax keeps them apart, so
    each node is written in the kind its context needs: a condition used as a number becomes
    ``piecewise(1, cond, 0)`` and a number used as a condition ``(x != 0)``, as MathML defines.

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
    boolean
        Write the math as a condition (triggers) rather than a number.
    boolean_functions
        Function definitions whose body is a condition, ``{SBML id: lambda}``: exobone's
        functions return numbers, so calls to these are expanded here.

    Raises
    ------
    UnsupportedSBMLError
        Naming the construct and ``where`` (delay, rateOf, an unknown csymbol...).
    """

    inline = boolean_functions or {}

    def name(sid: str) -> str:
        return names.get(sid, sid)

    def is_condition(node: libsbml.ASTNode) -> bool:
        return is_condition_math(node, inline)

    def num(node: libsbml.ASTNode) -> str:
        if is_condition(node):
            return f"piecewise(1, {walk(node)}, 0)"
        return walk(node)

    def cond(node: libsbml.ASTNode) -> str:
        if is_condition(node):
            return walk(node)
        if _is_number(node):
            return "true" if node.getValue() != 0 else "false"
        if time_equality is not None:
            raise UnsupportedSBMLError(f"{where}: a number used as a trigger condition (an "
                                       f"implicit '!= 0', which root finding cannot locate) is "
                                       f"not supported by exobone")
        return f"({walk(node)} != 0)"

    def walk(node: libsbml.ASTNode) -> str:
        """Write ``node`` in its own kind (a condition for relations and logic)."""
        t = node.getType()
        kids = [node.getChild(i) for i in range(node.getNumChildren())]
        if t == libsbml.AST_FUNCTION_RATE_OF and rate_of is not None:
            if len(kids) != 1 or kids[0].getType() != libsbml.AST_NAME:
                raise UnsupportedSBMLError(f"{where}: rateOf() of anything but a symbol is not "
                                           f"supported by exobone")
            return rate_of(kids[0].getName())
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
        if t == libsbml.AST_PLUS:  # MathML: the empty sum is 0
            return "(" + " + ".join(num(k) for k in kids) + ")" if kids else "0"
        if t == libsbml.AST_TIMES:  # the empty product is 1
            return "(" + " * ".join(num(k) for k in kids) + ")" if kids else "1"
        if t == libsbml.AST_MINUS:
            if len(kids) == 1:
                return f"(-{num(kids[0])})"
            return f"({num(kids[0])} - {num(kids[1])})"
        if t == libsbml.AST_DIVIDE:
            return f"({num(kids[0])} / {num(kids[1])})"
        if t in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
            return f"pow({num(kids[0])}, {num(kids[1])})"
        if t == libsbml.AST_FUNCTION_ROOT:
            if len(kids) == 1:
                return f"sqrt({num(kids[0])})"
            return f"pow({num(kids[1])}, 1/({num(kids[0])}))"
        if t == libsbml.AST_FUNCTION_LOG:
            if len(kids) == 1:
                return f"log10({num(kids[0])})"
            return f"log({num(kids[0])}, {num(kids[1])})"
        if t in _FUNCS:
            return f"{_FUNCS[t]}(" + ", ".join(num(k) for k in kids) + ")"
        if t in _TRIG_IDENTITIES:
            return _TRIG_IDENTITIES[t].format(*(num(k) for k in kids))
        if t == libsbml.AST_FUNCTION_PIECEWISE:
            # nested two-branch form: sympy's Piecewise simplifies its conditions pairwise,
            # which takes minutes for the 16 time windows of Kroll 2000 written flat
            values = [num(kids[i]) for i in range(0, len(kids) - 1, 2)]
            conds = [cond(kids[i + 1]) for i in range(0, len(kids) - 1, 2)]
            out = f"({num(kids[-1])})" if len(kids) % 2 == 1 else ""
            pairs = []
            for value, c in zip(values, conds, strict=True):  # constant conditions decided now
                if c == "true":
                    out = f"({value})"
                    break
                if c != "false":
                    pairs.append((value, c))
            for value, c in reversed(pairs):
                out = f"piecewise({value}, {c}, {out})" if out else f"piecewise({value}, {c})"
            return out
        if t in _RELATIONS:
            op = _RELATIONS[t]
            if len(kids) < 2:  # a relation of one argument holds (MathML n-ary semantics)
                return "true"
            parts = []
            for a, b in itertools.pairwise(kids):
                if _is_number(a) and _is_number(b):  # decided now (sympy's Piecewise chokes
                    parts.append(str(_COMPARE[op](a.getValue(), b.getValue())).lower())
                    continue                          # on unevaluated number comparisons)
                lhs, rhs = num(a), num(b)
                if op in ("==", "!=") and time_equality is not None and (
                        _uses_time(a) or _uses_time(b)):
                    text = time_equality(lhs, rhs)
                    parts.append(f"({text})" if op == "==" else f"(not ({text}))")
                elif op in ("==", "!=") and time_equality is not None:
                    raise UnsupportedSBMLError(f"{where}: an equality ({lhs} {op} {rhs}) in an "
                                               f"event trigger is not supported by exobone "
                                               f"(root finding cannot locate it)")
                else:
                    parts.append(f"({lhs} {op} {rhs})")
            return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"
        if t == libsbml.AST_LOGICAL_AND:  # the empty conjunction is true
            return "(" + " and ".join(cond(k) for k in kids) + ")" if kids else "true"
        if t == libsbml.AST_LOGICAL_OR:  # the empty disjunction is false
            return "(" + " or ".join(cond(k) for k in kids) + ")" if kids else "false"
        if t == libsbml.AST_LOGICAL_XOR:
            if not kids:
                return "false"
            out = cond(kids[0])
            for k in kids[1:]:
                other = cond(k)
                out = f"(({out} and not {other}) or (not {out} and {other}))"
            return out
        if t == libsbml.AST_LOGICAL_IMPLIES:
            return f"((not {cond(kids[0])}) or {cond(kids[1])})"
        if t == libsbml.AST_LOGICAL_NOT:
            return f"(not {cond(kids[0])})"
        if t == libsbml.AST_FUNCTION and node.getName() in inline:
            return walk(expand_call(inline[node.getName()], kids, where))
        if t == libsbml.AST_FUNCTION:
            return f"{name(node.getName())}(" + ", ".join(num(k) for k in kids) + ")"
        kind = node.getName() or libsbml.formulaToL3String(node) or f"AST type {t}"
        raise UnsupportedSBMLError(f"{where}: the MathML construct {kind!r} is not supported "
                                   f"by exobone")

    return cond(ast) if boolean else num(ast)


def expand_call(lam: libsbml.ASTNode, args: list[libsbml.ASTNode], where: str
                ) -> libsbml.ASTNode:
    """The body of a function definition with its arguments put in."""
    n = lam.getNumBvars()
    if len(args) != n:
        raise UnsupportedSBMLError(f"{where}: a function call has {len(args)} arguments, its "
                                   f"definition {n}")
    body = lam.getChild(n).deepCopy()
    if body.getType() == libsbml.AST_NAME and n:  # replaceArgument skips a bare-name body
        for i in range(n):
            if body.getName() == lam.getChild(i).getName():
                return args[i].deepCopy()
        return body
    # two passes through unique names, so an argument that mentions a parameter name is safe
    temps = [f"__exobone_arg_{i}" for i in range(n)]
    for i in range(n):
        tmp = libsbml.ASTNode(libsbml.AST_NAME)
        tmp.setName(temps[i])
        body.replaceArgument(lam.getChild(i).getName(), tmp)
    for i in range(n):
        body.replaceArgument(temps[i], args[i])
    return body


def is_condition_math(ast: libsbml.ASTNode, boolean_functions: Mapping[str, Any]) -> bool:
    """True when ``ast`` is a condition (relation, logic, true/false, a boolean function)."""
    t = ast.getType()
    return (t in _RELATIONS or t in _LOGICAL
            or t in (libsbml.AST_CONSTANT_TRUE, libsbml.AST_CONSTANT_FALSE)
            or (t == libsbml.AST_FUNCTION and ast.getName() in boolean_functions))


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def _is_number(node: libsbml.ASTNode) -> bool:
    return node.getType() in (libsbml.AST_INTEGER, libsbml.AST_REAL, libsbml.AST_REAL_E,
                              libsbml.AST_RATIONAL)


def _uses_time(node: libsbml.ASTNode) -> bool:
    if node.getType() == libsbml.AST_NAME_TIME:
        return True
    return any(_uses_time(node.getChild(i)) for i in range(node.getNumChildren()))
