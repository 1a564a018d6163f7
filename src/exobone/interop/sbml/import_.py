"""Import an SBML model (Level 2 or 3) into a ModelSpec that exobone's own solvers simulate.

Supported constructs
--------------------
compartments (constant or changing size: species in a compartment whose size changes are
stored as amounts, their symbol is amount/size), species (amounts or concentrations, boundary
and constant species, L3 conversion factors), parameters, reactions (kinetic laws with local
parameters; constant or variable stoichiometry, L2 ``stoichiometryMath``; reaction and
species-reference ids in math), assignment rules, rate rules, initial assignments, function
definitions (a function returning a condition is expanded where it is called), events (delays,
``persistent``, ``useValuesFromTriggerTime``, ``initialValue``, priorities, constant or not; an
equality on time such as ``time == t_dose`` fires when time reaches ``t_dose``, see
:data:`TIME_EQUALITY_WINDOW`), ``rateOf`` of states, constants and local parameters
(anywhere: in an initial value it is the rate at the start), ``piecewise``, relational
(n-ary) and logical operators (``implies`` too; numbers and conditions converted as MathML
defines), ``min``/``max``, ``exp``/``ln``/``log``/``root``/``abs``/``floor``/``ceiling``,
the trigonometric, hyperbolic and reciprocal functions and their inverses (by their
definitions), ``factorial``/``quotient``/``rem``, ``comp`` (flattened by libsbml), L3v2
optional math (absent math has no effect), INF/NaN values.

Fast reactions are solved exactly at equilibrium (:mod:`._fast`); ``delay()`` with a constant
delay runs by the method of steps (:mod:`exobone.simulate.delays`).

Refused, with an :class:`~exobone.errors.UnsupportedSBMLError` naming the construct and the
element id: algebraic rules without a unique explicit solution, fast reactions without a unique
explicit equilibrium, ``delay()`` with a changing delay (or where the history before the start
is ambiguous), ``rateOf`` of assignment-rule variables, equalities (other than on time) in
triggers, and SBML packages other than ``comp`` (``fbc``, ``distrib``...) that change the math.
Nothing is simulated wrongly in silence. Events of equal explicit priority run in a random
(seeded) order, as SBML defines; others in declaration order.

Initial values (initial assignments, assignment rules at the start, amounts given for
concentrations) are expressions over the parameters, evaluated at simulation time: a parameter
changed by ``simulate(params=...)`` or an override reaches every initial value that uses it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import libsbml

from exobone.errors import InvalidInputError, ModelError, UnsupportedSBMLError, suggest
from exobone.interop.sbml._algebraic import solve_algebraic
from exobone.interop.sbml._events import _events, _ruled_concentrations
from exobone.interop.sbml._fast import equilibrate_fast
from exobone.interop.sbml._math import ast_to_expr, is_condition_math
from exobone.interop.sbml._reader import TIME_EQUALITY_WINDOW, _num, _Reader, _references
from exobone.model import expressions as ex
from exobone.model.parameters import Assumed, Parameter
from exobone.model.spec import Assignment, Function, ModelSpec, State, Term
from exobone.simulate.compile import compile_model

__all__ = ["MAX_MATH_DEPTH", "MAX_SBML_BYTES", "MAX_SBML_ELEMENTS", "TIME_EQUALITY_WINDOW", "import_sbml",
           "read_sbml"]

#: SBML packages that do not change the math (drawings)
_HARMLESS_PACKAGES = frozenset({"layout", "render"})


#: bounds checked before any work (issue 15: a 3,000-species model and a file padded with 40 MB
#: of comments ran for minutes). Chosen, not measured limits: the largest bone model of the
#: reference BioModels is 0.2 MB with well under 100 of these elements, an import of 600
#: took 35 s on the 2-core development machine, and the largest model of the PEtab benchmark
#: collection (Chen_MSB2009: 500 species, 827 reactions, 8 rules) has 1,335
MAX_SBML_BYTES = 10_000_000
MAX_SBML_ELEMENTS = 2_000
#: deepest MathML nesting converted (the conversion recurses once per level; 3,000 levels hit
#: Python's recursion limit): chosen far above any formula written by hand
MAX_MATH_DEPTH = 200


def read_sbml(text_or_path: str | Path) -> libsbml.SBMLDocument:
    """Read an SBML document from a path or an XML string.

    Raises
    ------
    InvalidInputError
        If the file is missing, larger than ``MAX_SBML_BYTES``, libsbml reports read errors
        (listing the first ones), or the model has more than ``MAX_SBML_ELEMENTS`` species,
        reactions, rules, events and initial assignments.
    """
    text = str(text_or_path)
    if isinstance(text_or_path, Path) or not text.lstrip().startswith("<"):
        path = Path(text)
        if not path.is_file():
            raise InvalidInputError(f"SBML file {text!r} does not exist")
        size, label = path.stat().st_size, path.name
        _check_bytes(size, label)
        doc = libsbml.readSBMLFromFile(str(path))
    else:
        size, label = len(text.encode("utf-8", "replace")), "SBML string"
        _check_bytes(size, label)
        doc = libsbml.readSBMLFromString(text)
    errors = [doc.getError(i) for i in range(doc.getNumErrors())
              if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    if errors or doc.getModel() is None:
        detail = "; ".join(f"line {e.getLine()}: {e.getMessage().strip()}" for e in errors[:3])
        raise InvalidInputError(f"{label} is not valid SBML: {detail or 'no model element'}")
    m = doc.getModel()
    elements = (m.getNumSpecies() + m.getNumReactions() + m.getNumRules() + m.getNumEvents()
                + m.getNumInitialAssignments())
    if elements > MAX_SBML_ELEMENTS:
        raise InvalidInputError(
            f"{label} has {elements:,} species, reactions, rules, events and initial "
            f"assignments; at most {MAX_SBML_ELEMENTS:,} are imported (split the model or "
            f"simulate it with a dedicated large-model tool)")
    depth = _math_depth(doc)
    if depth > MAX_MATH_DEPTH:
        raise InvalidInputError(f"{label} nests MathML more than {MAX_MATH_DEPTH} levels deep; "
                                f"at most {MAX_MATH_DEPTH} are imported")
    return doc


def _math_depth(doc: libsbml.SBMLDocument) -> int:
    """Deepest nesting of any math in the document (iterative: the check must not recurse),
    stopping once past ``MAX_MATH_DEPTH``."""
    deepest = 0
    for element in doc.getListOfAllElements():
        root = element.getMath() if hasattr(element, "getMath") else None
        stack = [(root, 1)] if root is not None else []
        while stack:
            node, depth = stack.pop()
            deepest = max(deepest, depth)
            if deepest > MAX_MATH_DEPTH:
                return deepest
            stack.extend((node.getChild(i), depth + 1) for i in range(node.getNumChildren()))
    return deepest


def _check_bytes(size: int, label: str) -> None:
    if size > MAX_SBML_BYTES:
        raise InvalidInputError(f"{label} is {size / 1e6:.1f} MB; at most "
                                f"{MAX_SBML_BYTES / 1e6:g} MB of SBML is read")


def import_sbml(source: str | Path, *, overrides: Mapping[str, float] | None = None,
                name: str | None = None) -> ModelSpec:
    """Import an SBML model as a :class:`~exobone.model.spec.ModelSpec`.

    Parameters
    ----------
    source
        Path to an SBML file, or the XML text.
    overrides
        ``{sbml_id: value}`` for parameters, compartments and species initial values, applied
        before initial assignments are evaluated (an overridden symbol keeps its value).
    name
        Model name (default: the SBML model id or the file name).

    Returns
    -------
    ModelSpec
        Metadata ``sbml`` holds the file, level/version, model id and ``{exobone name: sbml id}``
        for renamed ids; ``time_unit`` the model's time units when declared.

    Raises
    ------
    InvalidInputError
        For an unreadable file or an override of an unknown id.
    UnsupportedSBMLError
        For a construct exobone does not simulate (see the module docstring).

    Examples
    --------
    >>> import libsbml
    >>> doc = libsbml.SBMLDocument(3, 2)
    >>> m = doc.createModel(); c = m.createCompartment(); _ = c.setId("c"); _ = c.setSize(1)
    >>> _ = c.setConstant(True); s = m.createSpecies(); _ = s.setId("x"); _ = s.setCompartment("c")
    >>> _ = s.setInitialConcentration(2.0); _ = s.setHasOnlySubstanceUnits(False)
    >>> _ = s.setBoundaryCondition(False); _ = s.setConstant(False)
    >>> r = m.createRateRule(); _ = r.setVariable("x"); _ = r.setMath(libsbml.parseL3Formula("-x"))
    >>> spec = import_sbml(libsbml.writeSBMLToString(doc))
    >>> spec.state_names
    ('x',)
    """
    doc = read_sbml(source)
    model = doc.getModel()
    label = Path(str(source)).name if not str(source).lstrip().startswith("<") else \
        (model.getId() or "SBML model")
    if doc.getLevel() >= 3 and doc.isPkgEnabled("comp"):
        doc = _flatten_comp(doc, label)
        model = doc.getModel()
    for i in range(doc.getNumPlugins() if doc.getLevel() >= 3 else 0):
        plugin = doc.getPlugin(i)
        prefix = plugin.getPrefix() if plugin is not None else ""
        if prefix and prefix not in _HARMLESS_PACKAGES and doc.isPkgEnabled(prefix) \
                and doc.getPkgRequired(prefix):
            raise UnsupportedSBMLError(f"{label}: the SBML package {prefix!r} (required) is not "
                                       f"supported by exobone")
    r = _Reader(model, label, dict(overrides or {}))
    return _convert(r, doc, name)


def _flatten_comp(doc: libsbml.SBMLDocument, label: str) -> libsbml.SBMLDocument:
    """Flatten hierarchical model composition (``comp``) with libsbml's converter."""
    props = libsbml.ConversionProperties()
    props.addOption("flatten comp", True)
    props.addOption("leave_ports", False)
    if doc.convert(props) != libsbml.LIBSBML_OPERATION_SUCCESS:
        errors = [doc.getError(i).getMessage().strip() for i in range(doc.getNumErrors())
                  if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
        raise UnsupportedSBMLError(f"{label}: libsbml could not flatten this `comp` model"
                                   f"{': ' + errors[0].splitlines()[0] if errors else ''}")
    return doc


def _convert(r: _Reader, doc: libsbml.SBMLDocument, name: str | None) -> ModelSpec:
    m = r.model
    level = doc.getLevel()
    r.build_names()

    # function definitions (macros; a body sees its arguments and earlier functions)
    for fd in m.getListOfFunctionDefinitions():
        lam = fd.getMath()
        if lam is None and level >= 3 and doc.getVersion() >= 2:
            continue  # L3v2: math is optional; a call to it would fail as unknown
        if lam is None or not lam.isLambda():
            raise InvalidInputError(f"{r.label}: function definition {fd.getId()!r} has no "
                                    f"lambda")
        n_args = lam.getNumBvars()
        args = tuple(r.n(lam.getChild(i).getName()) for i in range(n_args))
        body_ast = lam.getChild(n_args)
        if body_ast is None:
            raise InvalidInputError(f"{r.label}: function definition {fd.getId()!r} has no "
                                    f"body")
        if is_condition_math(body_ast, r.boolean_functions):
            r.boolean_functions[fd.getId()] = lam  # expanded where called (see ast_to_expr)
            continue
        body = ast_to_expr(body_ast, names={**r.names, **{
            lam.getChild(i).getName(): args[i] for i in range(n_args)}},
            where=f"{r.label}: function {fd.getId()!r}", boolean_functions=r.boolean_functions)
        r.functions.append(Function(r.n(fd.getId()), args, body))
    try:
        r.macros = ex.build_macros([(f.name, f.args, f.body) for f in r.functions])
    except ModelError as exc:
        raise InvalidInputError(f"{r.label}: {exc}") from exc

    # rules (L3v2 math is optional: a rule without math has no effect)
    assign_rules: dict[str, str] = {}
    rate_rules: dict[str, str] = {}
    algebraic: list[tuple[str, str]] = []
    for k, rule in enumerate(m.getListOfRules()):
        if rule.getMath() is None:
            continue
        if rule.isAlgebraic():
            ident = rule.getId() if rule.isSetId() else (
                rule.getMetaId() if rule.isSetMetaId() else f"rule number {k + 1}")
            algebraic.append((f"rule {ident!r}",
                              r.expr(rule.getMath(), f"algebraic rule {ident!r}")))
            continue
        var = rule.getVariable()
        where = f"{'assignment' if rule.isAssignment() else 'rate'} rule for {var!r}"
        text = r.expr(rule.getMath(), where)
        (assign_rules if rule.isAssignment() else rate_rules)[var] = text

    events = [ev for ev in m.getListOfEvents()
              if ev.getTrigger() is not None and ev.getTrigger().getMath() is not None]
    event_targets = {ea.getVariable() for ev in events
                     for ea in ev.getListOfEventAssignments() if ea.getMath() is not None}
    compartment_ids = {c.getId() for c in m.getListOfCompartments()}
    species_by_id = {s.getId(): s for s in m.getListOfSpecies()}
    initial_assignments = {ia.getSymbol(): ia for ia in m.getListOfInitialAssignments()
                           if ia.getMath() is not None}
    if algebraic:
        reacting = {ref.getSpecies() for rxn in m.getListOfReactions() for _, ref in
                    _references(rxn) if not species_by_id[ref.getSpecies()].getBoundaryCondition()}
        variables = [x for lst in (m.getListOfCompartments(), m.getListOfSpecies(),
                                   m.getListOfParameters()) for x in lst]
        free = [x.getId() for x in variables if not x.getConstant()
                and x.getId() not in assign_rules and x.getId() not in rate_rules
                and x.getId() not in reacting and x.getId() not in event_targets]
        assign_rules.update(solve_algebraic(algebraic, free, r.n, r.macros, r.label))

    unknown = [k for k in r.overrides if m.getElementBySId(k) is None
               or m.getElementBySId(k).getTypeCode() not in
               (libsbml.SBML_PARAMETER, libsbml.SBML_SPECIES, libsbml.SBML_COMPARTMENT)]
    if unknown:
        known = [x.getId() for lst in (m.getListOfParameters(), m.getListOfSpecies(),
                                       m.getListOfCompartments()) for x in lst]
        raise InvalidInputError(f"{r.label}: --set {unknown[0]!r} is not a parameter, species "
                                f"or compartment{suggest(unknown[0], known)}")
    ruled = sorted(set(r.overrides) & set(assign_rules))
    if ruled:
        raise InvalidInputError(f"{r.label}: {ruled[0]!r} is defined by an assignment rule; "
                                f"set the parameters it depends on instead")

    # species references: an id makes the stoichiometry a symbol; a stoichiometry that a rule,
    # initial assignment or event sets (or L2 stoichiometryMath) multiplies the rate
    variable_refs: dict[tuple[str, str, int], str] = {}  # -> its stoichiometry's expression
    ref_elements: list[tuple[str, Any]] = []
    for rxn in m.getListOfReactions():
        for key, ref in _references(rxn):
            if level == 2 and ref.isSetStoichiometryMath():
                sm = ref.getStoichiometryMath()
                if sm.getMath() is not None:
                    variable_refs[key] = r.expr(sm.getMath(), f"stoichiometryMath of "
                                                              f"{ref.getSpecies()!r}")
            elif ref.isSetId() and ref.getId():
                ref_elements.append((ref.getId(), ref))
                if (ref.getId() in assign_rules or ref.getId() in rate_rules
                        or ref.getId() in event_targets or ref.getId() in initial_assignments):
                    variable_refs[key] = r.n(ref.getId())

    # the value every symbol starts from: a number, or an expression (initial assignment,
    # assignment rule, a species amount given for a concentration...) evaluated at run time
    # from the current parameters, so overrides reach everything that depends on them
    start: dict[str, float | str] = {}
    for c in m.getListOfCompartments():
        start[c.getId()] = c.getSize() if c.isSetSize() else 1.0
    for p in m.getListOfParameters():
        start[p.getId()] = p.getValue() if p.isSetValue() else math.nan
    for sid, ref in ref_elements:
        start[sid] = ref.getStoichiometry() if ref.isSetStoichiometry() else 1.0
    for s in m.getListOfSpecies():
        cname = r.n(s.getCompartment())
        if s.isSetInitialConcentration():
            v = s.getInitialConcentration()
            start[s.getId()] = f"({_num(v)}) * {cname}" if s.getHasOnlySubstanceUnits() else v
        elif s.isSetInitialAmount():
            v = s.getInitialAmount()
            start[s.getId()] = v if s.getHasOnlySubstanceUnits() else f"({_num(v)}) / {cname}"
        else:
            start[s.getId()] = math.nan
    for sid, ia in initial_assignments.items():
        start[sid] = r.expr(ia.getMath(), f"initial assignment to {sid!r}")
    start.update(assign_rules)
    for k, v in r.overrides.items():
        start[k] = float(v)

    # what each symbol becomes: a state (reacting species, rate rules, and symbols events
    # change that start from an expression), an assignment (rules, and constants computed
    # from others) or a parameter (a number)
    kinds: dict[str, str] = {}
    for sid, value in start.items():
        sp = species_by_id.get(sid)
        if sid in assign_rules:
            kinds[sid] = "assignment"
        elif sid in rate_rules or (sp is not None and not sp.getConstant()
                                   and not sp.getBoundaryCondition()):
            kinds[sid] = "state"
        elif isinstance(value, str) or not math.isfinite(value):  # (INF/NaN: a constant)
            kinds[sid] = "state" if sid in event_targets else "assignment"
        else:
            kinds[sid] = "parameter"
    # a species in a compartment whose size changes is stored as its amount (what reactions
    # change and a change of size keeps); its symbol is then the concentration amount/size
    resizing = {cid for cid in compartment_ids
                if cid in assign_rules or cid in rate_rules or cid in event_targets}
    taken = set(r.names.values())
    for sid, sp in species_by_id.items():
        if (sp.getCompartment() not in resizing or sp.getHasOnlySubstanceUnits()
                or sid in assign_rules or sid in rate_rules):
            continue  # (a rate rule sets the concentration itself, whatever the size)
        amount = f"{r.n(sid)}_amount"
        while amount in taken:
            amount += "_"
        taken.add(amount)
        r.amounts[sid] = (amount, r.n(sp.getCompartment()))
        kinds[sid] = "assignment"
    _ruled_concentrations(r, species_by_id, rate_rules, assign_rules, event_targets, resizing)
    resolved = _resolve_initials(r, start, kinds)

    states: list[State] = []
    params: list[Parameter] = []
    assignments: dict[str, Assignment] = {}
    terms: list[Term] = []
    src = Assumed(f"as given in the SBML model {m.getId() or r.label!r} ({r.label}); imported, "
                  f"not reviewed by exobone")

    def unit_of(element: Any) -> str:
        return str(element.getUnits()) if hasattr(element, "getUnits") and \
            element.isSetUnits() else ""

    symbols: list[tuple[str, Any, str]] = []  # (sid, element, kind)
    symbols += [(c.getId(), c, "compartment") for c in m.getListOfCompartments()]
    symbols += [(s.getId(), s, "species") for s in m.getListOfSpecies()]
    symbols += [(p.getId(), p, "parameter") for p in m.getListOfParameters()]
    symbols += [(sid, ref, "stoichiometry") for sid, ref in ref_elements]
    for sid, element, kind in symbols:
        unit = (unit_of(element) if kind not in ("species", "stoichiometry")
                else str(element.getSubstanceUnits() or "") if kind == "species" else "")
        description = element.getName() if element.isSetName() else ""
        if sid in r.amounts:
            amount, size = r.amounts[sid]
            size_id = species_by_id[sid].getCompartment()
            assignments[sid] = Assignment(r.n(sid), f"{amount} / {size}", unit=unit,
                                          description=f"concentration of {sid}")
            states.append(State(amount, f"({resolved[sid]}) * ({resolved.get(size_id, size)})",
                                unit=unit, description=description))
        elif kinds[sid] == "assignment":
            text = assign_rules.get(sid, resolved[sid])
            assignments[sid] = Assignment(r.n(sid), text, unit=unit, description=description,
                                          mechanisms=(f"sbml:rule:{sid}",))
        elif kinds[sid] == "state":
            value = start[sid]
            initial: float | str = resolved[sid] if isinstance(value, str) else value
            if isinstance(initial, float) and not math.isfinite(initial):
                raise InvalidInputError(f"{r.label}: {kind} {sid!r} has no finite initial value")
            states.append(State(r.n(sid), initial, unit=unit, description=description))
        else:
            value = float(start[sid])
            if not math.isfinite(value):
                raise InvalidInputError(f"{r.label}: {sid!r} has no finite value ({value}); "
                                        f"give it a value or an initial assignment")
            params.append(Parameter(r.n(sid), value, unit=unit, source=src,
                                    description=description))

    for var, text in rate_rules.items():
        terms.append(Term(f"rate_rule_{r.n(var)}", text, {r.n(var): 1.0},
                          mechanisms=(f"sbml:rule:{var}",),
                          description=f"rate rule for {var}"))

    # reactions: one term per (reaction, compartment divisor, conversion factor), and one per
    # species reference whose stoichiometry varies
    model_cf = m.getConversionFactor() if level >= 3 and m.isSetConversionFactor() else ""
    reaction_ids = {rxn.getId() for rxn in m.getListOfReactions()}
    for rxn in m.getListOfReactions():
        rid = rxn.getId()
        law = rxn.getKineticLaw()
        if law is None or law.getMath() is None:
            if level >= 3 and doc.getVersion() >= 2:
                continue  # L3v2: a reaction without a rate law changes nothing
            raise InvalidInputError(f"{r.label}: reaction {rid!r} has no kinetic law")
        local: dict[str, str] = {}
        local_params = (law.getListOfLocalParameters() if level >= 3
                        else law.getListOfParameters())
        for lp in local_params:
            new = f"{rid}_{lp.getId()}"
            while new in taken:
                new += "_"
            taken.add(new)
            local[lp.getId()] = new
            params.append(Parameter(new, r.overrides.get(new, lp.getValue()),
                                    unit=unit_of(lp), source=src,
                                    description=f"local parameter {lp.getId()} of {rid}"))
        rate = r.expr(law.getMath(), f"reaction {rid!r} kinetic law", local=local)
        if rid:  # the reaction's id (in math, in outputs) means its rate
            assignments[rid] = Assignment(r.n(rid), rate, mechanisms=(f"sbml:reaction:{rid}",),
                                          description=f"rate of reaction {rid}")
            rate = r.n(rid)
        groups: dict[tuple[str, str, str], dict[str, float]] = {}
        for key, ref in _references(rxn):
            sign = -1.0 if key[1] == "reactant" else 1.0
            sp_id = ref.getSpecies()
            sp = species_by_id[sp_id]
            if sp.getBoundaryCondition() or sp.getConstant():
                continue
            if sp_id in rate_rules or sp_id in assign_rules:
                raise InvalidInputError(f"{r.label}: species {sp_id!r} is set by a rule and "
                                        f"changed by reaction {rid!r}")
            factor = variable_refs.get(key, "")
            if factor:
                stoich = 1.0
            else:
                stoich = ref.getStoichiometry() if ref.isSetStoichiometry() else 1.0
                if not math.isfinite(stoich):
                    stoich = 1.0
            divisor = ("" if sp.getHasOnlySubstanceUnits() or sp_id in r.amounts
                       else sp.getCompartment())
            target = r.amounts[sp_id][0] if sp_id in r.amounts else r.n(sp_id)
            cf = (sp.getConversionFactor() if level >= 3 and sp.isSetConversionFactor()
                  else model_cf)
            coeffs = groups.setdefault((divisor, cf, factor), {})
            coeffs[target] = coeffs.get(target, 0.0) + sign * stoich
        for k, ((divisor, cf, factor), coeffs) in enumerate(sorted(groups.items())):
            coeffs = {s: c for s, c in coeffs.items() if c != 0.0}
            if not coeffs:
                continue
            text = f"({rate})"
            if factor:
                text += f" * ({factor})"
            if divisor:
                text += f" / {r.n(divisor)}"
            if cf:
                text += f" * {r.n(cf)}"
            suffix = f"_{k}" if len(groups) > 1 else ""
            terms.append(Term(f"{rid}{suffix}", text,
                              coeffs, mechanisms=(f"sbml:reaction:{rid}",),
                              description=rxn.getName() if rxn.isSetName() else ""))

    compiled_events = _events(r, level, events, params, assignments)
    fast = {rxn.getId(): r.n(rxn.getId()) for rxn in m.getListOfReactions()
            if rxn.isSetFast() and rxn.getFast() and rxn.getKineticLaw() is not None}
    if fast:
        fixed = {r.n(sid): resolved[sid] for sid, a in assignments.items()
                 if sid in start and sid not in assign_rules and sid not in event_targets}
        constants = {p.name for p in params if p.name not in {
            r.n(sid) for sid in event_targets}} | set(fixed)
        states, terms, compiled_events = equilibrate_fast(
            r.label, fast, states=states, terms=terms, assignments=assignments,
            events=compiled_events, constants=constants, start_values=fixed,
            macros=r.macros, taken=taken)
        gone = [sid for sid in r.rates_of if kinds.get(sid) == "state"
                and r.n(sid) not in {s.name for s in states}]
        if gone:
            raise r.refuse("rateOf() of a species a fast reaction changes", f"{gone[0]!r}")
    _rates_of(r, kinds, terms, assignments, assign_rules)
    states = _initial_rates(r, start, kinds, states, assignments, assign_rules)
    ordered = _order_assignments(r, assignments)
    metadata: dict[str, Any] = {
        "sbml": {"file": r.label, "level": level, "version": doc.getVersion(),
                 "model_id": m.getId(),
                 "renamed": {new: old for old, new in r.names.items() if new != old},
                 # how to report values by SBML id (see exobone.interop.sbml.run)
                 "symbols": {sid: r.n(sid) for sid in [*start, *reaction_ids]
                             if sid not in species_by_id and (sid in start or sid in assignments)},
                 "species": {s.getId(): [r.amounts[s.getId()][0], s.getCompartment(), "amount"]
                             if s.getId() in r.amounts else
                             [r.n(s.getId()), s.getCompartment(),
                              "amount" if s.getHasOnlySubstanceUnits() else "concentration"]
                             for s in m.getListOfSpecies()},
                 # (read before time is put in as 0, see _resolve_initials)
                 "initial_uses_time": any(
                     isinstance(v, str) and ex.TIME_NAMES & ex.names_in(v)
                     for sid, v in start.items() if sid not in assign_rules)},
    }
    if m.isSetTimeUnits():
        metadata["time_unit"] = m.getTimeUnits()
    spec = ModelSpec(name or m.getId() or r.label, states=states, parameters=params,
                     assignments=ordered, terms=terms, events=compiled_events,
                     functions=r.functions, metadata=metadata)
    try:
        spec.validate()
    except ModelError as exc:
        # SBML math that exobone's expression language cannot hold as written
        raise UnsupportedSBMLError(f"{r.label}: the imported model is not supported by "
                                   f"exobone's expressions: {exc}") from exc
    texts = [*(a.expr for a in spec.assignments), *(t.rate for t in spec.terms),
             *(f.body for f in spec.functions),
             *(x for e in spec.events for x in (*e.assignments.values(), e.trigger,
                                                 e.delay, e.priority) if x is not None)]
    if any("delay" in ex.names_in(text) for text in texts):
        _check_delays(r, spec, fast)
    return spec


def _check_delays(r: _Reader, spec: ModelSpec, fast: Mapping[str, str]) -> None:
    """Refuse the ``delay()`` uses the method of steps cannot run exactly (compiling now)."""
    if spec.metadata["sbml"]["initial_uses_time"]:
        # before the start a value fixed at the start would have to be its formula of time
        raise UnsupportedSBMLError(f"{r.label}: delay() in a model whose initial values "
                                   f"depend on time is not supported by exobone (their "
                                   f"history before the start is ambiguous)")
    if r.rates_of or fast:
        # states are constant before the start, but rates of change and fast equilibria
        # computed from them are not: which history is meant is ambiguous
        raise UnsupportedSBMLError(f"{r.label}: delay() together with rateOf() or fast "
                                   f"reactions is not supported by exobone (their history "
                                   f"before the start is ambiguous)")
    try:
        compile_model(spec)
    except ModelError as exc:
        raise UnsupportedSBMLError(f"{r.label}: {exc}") from exc


def _rates_of(r: _Reader, kinds: Mapping[str, str], terms: Sequence[Term],
              assignments: dict[str, Assignment], assign_rules: Mapping[str, str]) -> None:
    """Define each ``rateOf(x)`` used: the sum of x's terms for a state, 0 for a constant."""
    for sid, name in r.rates_of.items():
        kind = kinds.get(sid)
        if kind is None:
            raise UnsupportedSBMLError(f"{r.label}: rateOf({sid}) names no species, "
                                       f"compartment or parameter")
        if sid in r.amounts:
            raise r.refuse("rateOf() of a concentration in a compartment whose size changes",
                           f"species {sid!r}")
        if kind == "state":
            parts = [f"({t.stoichiometry[r.n(sid)]!r}) * ({t.rate})" for t in terms
                     if r.n(sid) in t.stoichiometry]
            text = " + ".join(parts) if parts else "0"
        elif sid in assign_rules:
            raise r.refuse("rateOf() of a symbol an assignment rule defines", f"{sid!r}")
        else:  # a parameter, or a constant computed at the start
            text = "0"
        assignments[f"rateOf {sid}"] = Assignment(name, text,
                                                  description=f"rate of change of {sid}")


def _initial_rates(r: _Reader, start: Mapping[str, float | str], kinds: Mapping[str, str],
                   states: list[State], assignments: dict[str, Assignment],
                   assign_rules: Mapping[str, str]) -> list[State]:
    """Put each ``rateOf(x)`` an initial value uses as x's rate at the start.

    Initial values are written over the parameters only (:func:`_resolve_initials`), but the
    rate of x is known only once the terms are: resolve it now from every symbol's initial value
    (the reaction rates included) and put it in place of the ``rateOf_x`` name.
    """
    rate_names = set(r.rates_of.values())
    fixed = {sid for sid in start if sid not in assign_rules and sid in assignments}
    if not rate_names or not any(
            rate_names & ex.names_in(text) for text in
            [*(s.initial for s in states if isinstance(s.initial, str)),
             *(assignments[sid].expr for sid in fixed)]):
        return states
    at_start, kinds_at_start = dict(start), dict(kinds)
    for key, a in assignments.items():  # reaction rates, rates of change: by their names
        if key not in start:
            at_start[key if r.n(key) == a.name else a.name] = a.expr
            kinds_at_start[key if r.n(key) == a.name else a.name] = "assignment"
    initial = _resolve_initials(r, at_start, kinds_at_start)
    by_name = {r.n(k): v for k, v in initial.items()}

    def put(text: str) -> str:
        return _NAME.sub(lambda m: f"({by_name[m.group(1)]})" if m.group(1) in rate_names
                         else m.group(1), text)

    for sid in fixed:
        assignments[sid] = replace(assignments[sid], expr=put(assignments[sid].expr))
    return [replace(s, initial=put(s.initial)) if isinstance(s.initial, str) else s
            for s in states]


def _order_assignments(r: _Reader, assignments: Mapping[str, Assignment]) -> list[Assignment]:
    """Order assignment rules so each comes after the ones it uses (SBML has no order)."""
    by_name = {a.name: a for a in assignments.values()}
    graph = {a.name: sorted(n for n in _names_with_macros(r, a.expr) if n in by_name)
             for a in by_name.values()}
    return [by_name[n] for n in _topological_order(r, graph, "assignment rules")]


def _topological_order(r: _Reader, graph: Mapping[str, Sequence[str]], what: str) -> list[str]:
    """Names in dependency order; a cycle is one line naming it."""
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise InvalidInputError(f"{r.label}: {what} form a loop: {cycle}") from None


def _names_with_macros(r: _Reader, text: str) -> set[str]:
    names = ex.names_in(text)
    return {n for n in names if n not in r.macros}


_NAME = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?!\s*\()")


def _resolve_initials(r: _Reader, start: Mapping[str, float | str],
                      kinds: Mapping[str, str]) -> dict[str, str]:
    """Write every symbol's initial value over the parameters only.

    An initial value may use any symbol's initial value (a state's, an assignment rule's at
    t0...); the compiled model evaluates initial values from the parameter vector, so each name
    that is not a parameter is replaced by its own initial value, in dependency order. Time in
    an initial value is the start time, 0 (``metadata["sbml"]["initial_uses_time"]`` says when
    that matters).
    """
    by_name = {r.n(sid): sid for sid in start}
    text_of = {sid: (v if isinstance(v, str) else _num(v)) for sid, v in start.items()}
    inline = {sid for sid in start if kinds[sid] != "parameter"}
    graph = {sid: sorted({by_name[n] for n in _names_with_macros(r, text)
                          if n in by_name and by_name[n] in inline})
             for sid, text in text_of.items() if sid in inline}
    resolved: dict[str, str] = {}
    for sid in _topological_order(r, graph, "initial values"):
        def sub(match: re.Match[str]) -> str:
            word = match.group(1)
            if word == "time" or word == "t":
                return "0"
            target = by_name.get(word)
            if target is not None and target in resolved:
                return f"({resolved[target]})"
            return word
        resolved[sid] = _NAME.sub(sub, text_of[sid])
    return resolved
