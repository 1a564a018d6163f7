"""Turn exobone unit strings (``"1/(pM*day)"``, ``"%/day"``, ``"ug"``) into SBML unit definitions.

A unit string is a product/quotient of known symbols with optional integer powers
(``"pM^2/day"``); parentheses group a denominator. Symbols without an SBML counterpart
(``"rel. to healthy"``, ``"cells"`` counted as items is fine) become dimensionless, with the
original text kept as the definition's name so nothing is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libsbml

__all__ = ["UnitTerm", "add_unit_definition", "parse_unit", "unit_id"]


@dataclass(frozen=True)
class UnitTerm:
    """One ``multiplier * (scale * kind)^exponent`` factor of an SBML unit."""

    kind: int
    exponent: float = 1.0
    scale: int = 0
    multiplier: float = 1.0


def _t(kind: int, exponent: float = 1.0, scale: int = 0, multiplier: float = 1.0) -> UnitTerm:
    return UnitTerm(kind, exponent, scale, multiplier)


_SECONDS_PER = {"s": 1.0, "min": 60.0, "h": 3600.0, "hour": 3600.0, "day": 86400.0,
                "d": 86400.0, "week": 604800.0, "year": 31557600.0}

#: symbol -> SBML unit terms (exponent 1)
SYMBOLS: dict[str, tuple[UnitTerm, ...]] = {
    **{k: (_t(libsbml.UNIT_KIND_SECOND, multiplier=v),) for k, v in _SECONDS_PER.items()},
    "1": (),
    "%": (_t(libsbml.UNIT_KIND_DIMENSIONLESS, multiplier=0.01),),
    "cells": (_t(libsbml.UNIT_KIND_ITEM),),
    "cell": (_t(libsbml.UNIT_KIND_ITEM),),
    "g": (_t(libsbml.UNIT_KIND_GRAM),),
    "mg": (_t(libsbml.UNIT_KIND_GRAM, scale=-3),),
    "ug": (_t(libsbml.UNIT_KIND_GRAM, scale=-6),),
    "ng": (_t(libsbml.UNIT_KIND_GRAM, scale=-9),),
    "kg": (_t(libsbml.UNIT_KIND_KILOGRAM),),
    "L": (_t(libsbml.UNIT_KIND_LITRE),),
    "mL": (_t(libsbml.UNIT_KIND_LITRE, scale=-3),),
    "mol": (_t(libsbml.UNIT_KIND_MOLE),),
    **{f"{p}M": (_t(libsbml.UNIT_KIND_MOLE, scale=s), _t(libsbml.UNIT_KIND_LITRE, -1))
       for p, s in (("", 0), ("m", -3), ("u", -6), ("n", -9), ("p", -12), ("f", -15))},
}

_TOKEN = re.compile(r"\s*([A-Za-z%]+|1|\(|\)|\*|/|\^-?\d+)\s*")


def parse_unit(text: str) -> tuple[UnitTerm, ...] | None:
    """Return the SBML unit terms of ``text``, or ``None`` if a symbol is unknown.

    Examples
    --------
    >>> [t.scale for t in parse_unit("1/(pM*day)")]
    [-12, 0, 0]
    """
    text = text.strip()
    if not text:
        return None
    pos, tokens = 0, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        tokens.append(m.group(1))
        pos = m.end()
    pos = 0

    def factor() -> list[UnitTerm] | None:
        nonlocal pos
        if pos >= len(tokens):
            return None
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            inner = product()
            if inner is None or pos >= len(tokens) or tokens[pos] != ")":
                return None
            pos += 1
        elif tok in SYMBOLS:
            inner = list(SYMBOLS[tok])
        else:
            return None
        if pos < len(tokens) and tokens[pos].startswith("^"):
            power = float(tokens[pos][1:])
            pos += 1
            inner = [UnitTerm(u.kind, u.exponent * power, u.scale, u.multiplier)
                     for u in inner]
        return inner

    def product() -> list[UnitTerm] | None:
        nonlocal pos
        terms = factor()
        while terms is not None and pos < len(tokens) and tokens[pos] in ("*", "/"):
            op = tokens[pos]
            pos += 1
            more = factor()
            if more is None:
                return None
            if op == "/":
                more = [UnitTerm(u.kind, -u.exponent, u.scale, u.multiplier) for u in more]
            terms += more
        return terms

    out = product()
    if out is None or pos != len(tokens):
        return None
    return tuple(out)


def unit_id(text: str) -> str:
    """Return an SId for the unit ``text`` (``"1/(pM*day)"`` -> ``"u_1_per_pM_day"``)."""
    if text.strip() in ("", "1"):
        return "dimensionless"
    slug = (text.replace("%", "percent").replace("/", "_per_").replace("*", "_")
            .replace("^", "_pow").replace("-", "m"))
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", slug).strip("_")
    return f"u_{slug}"


def add_unit_definition(model: libsbml.Model, text: str) -> str:
    """Add (once) the unit definition of ``text`` to ``model``; return its id."""
    uid = unit_id(text)
    if uid == "dimensionless" or model.getUnitDefinition(uid) is not None:
        return uid
    ud = model.createUnitDefinition()
    ud.setId(uid)
    ud.setName(text)
    terms = parse_unit(text)
    if not terms:  # unknown symbols (e.g. "rel. to healthy"): dimensionless, text kept as name
        terms = (_t(libsbml.UNIT_KIND_DIMENSIONLESS),)
    for term in terms:
        unit = ud.createUnit()
        unit.setKind(term.kind)
        unit.setExponent(term.exponent)
        unit.setScale(term.scale)
        unit.setMultiplier(term.multiplier)
    return uid
