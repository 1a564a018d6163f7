"""Read, lint and bind a PEtab (format 1) problem to an exobone model.

Every table of the problem is read by the ``petab`` library (all measurement, condition and
observable files the YAML lists, concatenated), linted with ``petab.v1.lint``, and then checked
for what exobone evaluates exactly. Anything else is refused with one line naming the construct
(:class:`UnsupportedPEtabError`); nothing is approximated.

The model is the problem's one SBML file, or an exobone build named by the extension key
``exobone: {scenario, species, site, interventions, exosome_layer}`` of the problem YAML (PEtab's
YAML schema admits extra keys; the linter ignores it). A regimen difference between arms (placebo
vs drug) is a condition setting a model parameter (e.g. a dose parameter 0 for placebo); arms that
need different model structure are separate problems.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exobone.errors import ExoboneError, InvalidInputError
from exobone.model.spec import ModelSpec

__all__ = ["BUILD_KEYS", "CalibrationProblem", "UnsupportedPEtabError", "build_spec",
           "load_petab"]

NOISE_DISTRIBUTIONS = ("normal", "laplace")
TRANSFORMATIONS = ("lin", "log", "log10")
PARAMETER_SCALES = ("lin", "log", "log10")


class UnsupportedPEtabError(ExoboneError, ValueError):
    """A PEtab construct exobone does not evaluate exactly; names the construct and where."""


@dataclass(frozen=True)
class CalibrationProblem:
    """A linted PEtab problem bound to an exobone model.

    Attributes
    ----------
    model
        The model (the problem's SBML file imported, or one given).
    measurements, observables, conditions, parameters
        The PEtab tables (pandas DataFrames; all files of a kind concatenated).
    sbml_ids
        ``{sbml id: exobone name}`` for every model symbol (the importer renames a few ids).
    compartments
        SBML ids of the model's compartments.
    source
        The problem's YAML file.
    """

    model: ModelSpec
    measurements: Any
    observables: Any
    conditions: Any
    parameters: Any
    sbml_ids: dict[str, str]
    compartments: frozenset[str] = frozenset()
    source: str = ""

    @property
    def estimated(self) -> list[str]:
        """Ids of the parameters to estimate, in table order."""
        df = self.parameters
        return [str(p) for p, e in zip(df["parameterId"], df["estimate"], strict=True)
                if int(e) == 1]


def _problem_yaml(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        found = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
        named = [f for f in found if f.stem in (p.name, "problem")]
        if named or len(found) == 1:
            return (named or found)[0]
        if not found:
            raise InvalidInputError(f"no PEtab problem .yaml file in directory {str(p)!r}")
        raise InvalidInputError(f"directory {str(p)!r} holds several .yaml files "
                                f"({', '.join(f.name for f in found)}); name one")
    if not p.is_file():
        raise InvalidInputError(f"PEtab problem {str(p)!r} does not exist")
    return p


#: keys of the ``exobone:`` extension of a problem YAML (the model is an exobone build)
BUILD_KEYS = ("scenario", "species", "site", "interventions", "exosome_layer")


def _build_spec(config: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The ``exobone:`` extension key of a problem YAML: which exobone model the problem fits."""
    spec = config.get("exobone")
    if spec is None:
        return None
    if not isinstance(spec, dict) or "scenario" not in spec or set(spec) - set(BUILD_KEYS):
        raise InvalidInputError(f"{name}: 'exobone' must map 'scenario' (and optionally "
                                f"{', '.join(BUILD_KEYS[1:])}) to the model to build")
    ivs = spec.get("interventions") or []
    if not isinstance(ivs, list) or not all(isinstance(i, str) for i in ivs):
        raise InvalidInputError(f"{name}: exobone.interventions must be a list of "
                                f"intervention texts")
    return {"scenario": str(spec["scenario"]), "species": spec.get("species"),
            "site": spec.get("site"), "interventions": list(ivs),
            "exosome_layer": bool(spec.get("exosome_layer", True))}


def build_spec(path: str | Path) -> dict[str, Any] | None:
    """Return the ``exobone:`` build spec of a problem (YAML file or directory), or None."""
    yaml_path = _problem_yaml(path)
    config = _read_yaml(yaml_path)
    return _build_spec(config, yaml_path.name) if isinstance(config, dict) else None


def _read_yaml(yaml_path: Path) -> Any:
    """The problem file's YAML, or one line naming it when it is not UTF-8 text or not YAML."""
    try:
        return yaml.safe_load(yaml_path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError:
        raise InvalidInputError(f"{yaml_path.name} is not UTF-8 text (a PEtab problem file is "
                                f"YAML)") from None
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"{yaml_path.name} is not YAML: {exc}".splitlines()[0]) \
            from None


#: columns of each PEtab table whose every entry must be a number (petab's linter assumes it
#: and fails inside ``int()`` or a comparison otherwise)
_NUMERIC_COLUMNS = {"parameter_file": ("nominalValue", "lowerBound", "upperBound"),
                    "measurement_files": ("time", "measurement")}


def _check_table_file(path: Path, key: str) -> None:
    """Refuse, naming the file and row, a table that is not UTF-8 text, is empty, is not
    tab-separated with a header, or has a non-numeric cell where PEtab needs a number (and an
    ``estimate`` other than 0 or 1)."""
    import pandas as pd

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path.name} is not UTF-8 text (a PEtab table is "
                                f"tab-separated text)") from None
    if not text.strip():
        raise InvalidInputError(f"{path.name} is empty (a PEtab table needs a header row and "
                                f"at least one row)")
    try:
        df = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InvalidInputError(f"{path.name} is not a tab-separated table: "
                                f"{str(exc).splitlines()[0]}") from None
    if df.empty:
        raise InvalidInputError(f"{path.name} has a header but no rows")
    for col in _NUMERIC_COLUMNS.get(key, ()):
        for row, value in enumerate(df.get(col, ()), start=1):
            if value.strip() and not _is_number(value):
                raise InvalidInputError(f"{path.name} row {row}: {col} {value!r} is not a "
                                        f"number")
    if key == "parameter_file" and "estimate" in df:
        for pid, value in zip(df.get("parameterId", df.index), df["estimate"], strict=True):
            if not _is_number(value) or float(value) not in (0.0, 1.0):
                raise InvalidInputError(f"{path.name}: parameter {str(pid)!r}: estimate "
                                        f"{value!r} is not 0 or 1")


def _read_tables(yaml_path: Path) -> tuple[Any, list[Path]]:
    """Return the petab Problem (tables only) and the SBML files the YAML lists."""
    import petab.v1 as petab

    config = _read_yaml(yaml_path)
    if not isinstance(config, dict) or not config.get("problems"):
        raise InvalidInputError(f"{yaml_path.name}: no 'problems' entry (PEtab format 1)")
    if str(config.get("format_version", "1")).split(".")[0] != "1":
        raise UnsupportedPEtabError(f"{yaml_path.name}: PEtab format version "
                                    f"{config.get('format_version')} (exobone reads format 1)")
    if len(config["problems"]) != 1:
        raise UnsupportedPEtabError(f"{yaml_path.name}: a composite problem "
                                    f"({len(config['problems'])} sub-problems)")
    entry = dict(config["problems"][0])
    base = yaml_path.parent
    sbml = [base / f for f in entry.get("sbml_files") or []]
    for key in ("measurement_files", "condition_files", "observable_files"):
        if not entry.get(key):
            raise InvalidInputError(f"{yaml_path.name}: no {key} listed")
    listed = [config.get("parameter_file")] + [f for key in ("measurement_files",
              "condition_files", "observable_files") for f in entry[key]]
    for f in listed + [str(s.relative_to(base)) for s in sbml]:
        if not f or not (base / str(f)).is_file():
            raise InvalidInputError(f"{yaml_path.name}: listed file {str(f)!r} does not exist")
    _check_table_file(base / str(config["parameter_file"]), "parameter_file")
    for key in ("measurement_files", "condition_files", "observable_files"):
        for f in entry[key]:
            _check_table_file(base / str(f), key)
    # the model is imported by exobone, and visualisation files play no part in the objective
    entry.pop("sbml_files", None)
    entry.pop("visualization_files", None)
    config = {**config, "problems": [entry]}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = petab.Problem.from_yaml(config, base_path=str(base))
    except (ValueError, KeyError, OSError) as exc:
        raise InvalidInputError(f"petab cannot read {yaml_path.name}: "
                                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                                ) from None
    return tables, sbml


def _condition_set_parameters(sbml_model: Any, tables: Any) -> dict[str, float]:
    """Parameters the condition table sets that the model computes by an initial assignment.

    PEtab (format 1, condition table): a parameter column's values "override any parameter
    values specified in the model", so in every condition (each gives a value; NaN for a
    parameter is refused) the value replaces the initial assignment, and whatever depends on
    the parameter follows it. Importing the parameter as a plain constant does exactly that;
    its model value is the first condition's (a number, or the named table parameter's nominal
    value), which every simulation replaces. Targets of rules stay refused (``_check``).
    """
    cond = tables.condition_df
    nominal = dict(zip(tables.parameter_df.index.astype(str),
                       tables.parameter_df["nominalValue"], strict=True))
    out: dict[str, float] = {}
    for col in cond.columns:
        p = sbml_model.getParameter(str(col))
        if (p is None or sbml_model.getInitialAssignmentBySymbol(str(col)) is None
                or sbml_model.getRuleByVariable(str(col)) is not None or not p.getConstant()):
            continue
        first = cond[col].iloc[0]
        value = nominal.get(first, math.nan) if isinstance(first, str) and \
            not _is_number(first) else float(first)
        if math.isfinite(float(value)):
            out[str(col)] = float(value)
    return out


def _lint(tables: Any, yaml_path: Path) -> None:
    """Run petab's linter on the tables (the model checks are exobone's); raise its first error."""
    import logging

    import petab.v1 as petab

    records: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                records.append(record.getMessage())

    logger = logging.getLogger("petab")
    handler = _Keep()
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            failed = petab.lint.lint_problem(tables)
    finally:
        logger.removeHandler(handler)
    if failed:
        first = records[0].splitlines()[0] if records else "see petablint"
        raise InvalidInputError(f"{yaml_path.name} fails the PEtab linter: {first}")


def load_petab(path: str | Path, *, model: ModelSpec | None = None) -> CalibrationProblem:
    """Read, lint and check a PEtab problem (its YAML file, or a directory holding one).

    Parameters
    ----------
    path
        The problem YAML (PEtab format version 1) or its directory.
    model
        Use this model instead of importing the problem's SBML file (PEtab ids are then
        exobone names).

    Raises
    ------
    InvalidInputError
        For a missing file or column, a table the PEtab linter rejects, or an id that is neither
        a model symbol nor a parameter of the problem.
    UnsupportedPEtabError
        For a construct exobone does not evaluate exactly (named in the message).
    UnsupportedSBMLError
        For an SBML construct the importer refuses.
    """
    yaml_path = _problem_yaml(path)
    tables, sbml = _read_tables(yaml_path)
    built = build_spec(yaml_path)
    if built is not None and sbml:
        raise UnsupportedPEtabError(f"{yaml_path.name}: both sbml_files and an 'exobone' build "
                                    f"spec name the model; give one")
    if model is None and built is not None:
        from exobone.model.assemble import build_model

        model = build_model(built["scenario"], built["interventions"],
                            species=built["species"], site=built["site"],
                            exosome_layer=built["exosome_layer"])
    if model is None:
        if len(sbml) != 1:
            raise UnsupportedPEtabError(f"{yaml_path.name}: {len(sbml)} SBML files (exobone "
                                        f"reads exactly one model)")
        from exobone.interop.sbml import import_sbml, read_sbml

        doc = read_sbml(sbml[0])  # held: libsbml frees the model with its document
        compartments = frozenset(c.getId() for c in doc.getModel().getListOfCompartments())
        model = import_sbml(sbml[0], overrides=_condition_set_parameters(doc.getModel(),
                                                                         tables))
    else:
        compartments = frozenset()
    renamed = dict(model.metadata.get("sbml", {}).get("renamed", {}))
    names = (*model.state_names, *model.parameter_names, *model.assignment_names)
    sbml_ids = {renamed.get(n, n): n for n in names}
    _lint(tables, yaml_path)
    prob = CalibrationProblem(model, tables.measurement_df.reset_index(drop=True),
                              tables.observable_df.reset_index(),
                              tables.condition_df.reset_index(),
                              tables.parameter_df.reset_index(), sbml_ids, compartments,
                              str(yaml_path))
    _check(prob, yaml_path.name)
    return prob


def _check(prob: CalibrationProblem, label: str) -> None:
    """Refuse, with one line, every construct the objective would not evaluate exactly."""
    import petab.v1 as petab

    meas, obs, cond, par = prob.measurements, prob.observables, prob.conditions, \
        prob.parameters
    par_ids = set(map(str, par["parameterId"]))
    for col in ("noiseDistribution", "observableTransformation"):
        allowed = NOISE_DISTRIBUTIONS if col == "noiseDistribution" else TRANSFORMATIONS
        if col in obs:
            for oid, v in zip(obs["observableId"], obs[col], strict=True):
                if isinstance(v, str) and v not in allowed:
                    raise UnsupportedPEtabError(f"{label}: observable {oid!r}: {col} {v!r}")
    for pid, scale in zip(par["parameterId"], par["parameterScale"], strict=True):
        if scale not in PARAMETER_SCALES:
            raise UnsupportedPEtabError(f"{label}: parameter {pid!r}: parameterScale {scale!r}")
    if "objectivePriorType" in par:
        for pid, prior in zip(par["parameterId"], par["objectivePriorType"], strict=True):
            if isinstance(prior, str) and prior not in petab.C.PRIOR_TYPES:
                raise UnsupportedPEtabError(f"{label}: parameter {pid!r}: objective prior "
                                            f"{prior!r}")
    model = prob.model
    states = set(model.state_names)
    assigned = set(model.assignment_names)
    for col in cond.columns:
        if col in ("conditionId", "conditionName"):
            continue
        name = prob.sbml_ids.get(str(col))
        if name is None:
            raise InvalidInputError(f"{label}: condition table column {col!r} is not a "
                                    f"parameter, species or compartment of model "
                                    f"{model.name!r}")
        if name in assigned:
            raise UnsupportedPEtabError(f"{label}: condition table column {col!r} overrides "
                                        f"a symbol set by an assignment rule (PEtab format 1 "
                                        f"does not say whether the value replaces the rule)")
        if str(col) in prob.compartments:
            raise UnsupportedPEtabError(f"{label}: condition table column {col!r} changes a "
                                        f"compartment size")
        for cid, v in zip(cond["conditionId"], cond[col], strict=True):
            if isinstance(v, str) and v not in par_ids and not _is_number(v):
                raise InvalidInputError(f"{label}: condition {cid!r}, column {col!r}: {v!r} "
                                        f"is neither a number nor a parameter of the table")
    model_syms = set(prob.sbml_ids)
    for pid in par_ids:
        if pid in prob.sbml_ids and prob.sbml_ids[pid] in states:
            raise UnsupportedPEtabError(f"{label}: parameter table entry {pid!r} is a species "
                                        f"of the model (estimate its initial value through a "
                                        f"parameter instead)")
    for oid, formula, noise in zip(obs["observableId"], obs["observableFormula"],
                                   obs["noiseFormula"], strict=True):
        for what, text in (("observableFormula", formula), ("noiseFormula", noise)):
            from exobone.model import expressions as ex

            for nm in ex.names_in(str(text)):
                if nm in model_syms or nm in par_ids or nm in ex.RESERVED or nm == "time" \
                        or nm.startswith(("observableParameter", "noiseParameter")):
                    continue
                raise InvalidInputError(f"{label}: observable {oid!r}: {what} uses {nm!r}, "
                                        f"which is neither a model symbol nor a parameter of "
                                        f"the table")
    if (meas["time"] < 0).any():
        raise InvalidInputError(f"{label}: a measurement time is negative")
    _check_history(prob, label)


def _check_history(prob: CalibrationProblem, label: str) -> None:
    """Refuse to move a parameter that a build-time history (``pmo``) ran with.

    Such a build starts from the end state of a history simulated when it was built; an
    estimated or condition-set parameter of that history would change the start, which the
    objective does not re-run. Parameters added after the history (an intervention's) are free.
    """
    frozen = set(prob.model.metadata.get("history_parameters", ()))
    if not frozen:
        return
    moved = [str(p) for p in prob.estimated]
    moved += [prob.sbml_ids.get(str(c), str(c)) for c in prob.conditions.columns
              if c not in ("conditionId", "conditionName")]
    for name in moved:
        if prob.sbml_ids.get(name, name) in frozen:
            days = prob.model.metadata.get("history_days", "?")
            raise UnsupportedPEtabError(
                f"{label}: {name!r} shapes the {days}-day history the "
                f"{prob.model.metadata.get('scenario')!r} build runs at build time; its start "
                f"state would not follow a fitted or condition value (fit it on a build "
                f"without history)")


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
