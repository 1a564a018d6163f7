"""Write the PEtab problems of data/calibration/petab from its recipe and the calibration records.

    python scripts/build_petab.py [--out DIR] [--check]

For each problem of ``data/calibration/petab/recipe.yaml`` this writes ``DIR/<problem>/``:
``<problem>.yaml`` (PEtab format 1 with the ``exobone:`` build spec), ``parameters.tsv``,
``conditions.tsv``, ``observables.tsv``, ``measurements.tsv`` (records with ``use: fit``),
``validation.tsv`` (``use: validate``, same columns) and ``README.md`` (each row's record,
citation, where it was read and its quote). Values, dispersions and times are read from the
records of ``data/calibration/*.yaml`` by the recipe's paths; a path that does not resolve to a
number is an error naming the record. ``--check`` writes to a temporary folder and fails if the
shipped tables differ (they are reproducible from the data).
"""

from __future__ import annotations

import argparse
import filecmp
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "calibration"
PETAB = DATA / "petab"
RECORD_FILES = ("physiology.yaml", "pharmacology.yaml")
#: days per time unit of the recipe (month: 365.25 / 12)
DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375}
CONVERSIONS = {"ratio_from_percent_change": lambda v: 1.0 + v / 100.0,
               "fraction_from_percent": lambda v: v / 100.0}
PREEQ = "healthy"


class RecipeError(ValueError):
    """The recipe names something the records or the model do not have."""


def load_records() -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for name in RECORD_FILES:
        for rec in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["records"]:
            if rec["id"] in records:
                raise RecipeError(f"record id {rec['id']!r} appears twice")
            records[rec["id"]] = rec
    return records


def _at(record: dict[str, Any], path: list[Any]) -> float:
    node: Any = record
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            raise RecipeError(f"record {record['id']!r} has no {'.'.join(map(str, path))}") \
                from None
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise RecipeError(f"record {record['id']!r}: {'.'.join(map(str, path))} is "
                          f"{node!r}, not a number")
    return float(node)


def _value(rec: dict[str, Any], spec: Any) -> float:
    """A path to a number, or ``{difference: [path_a, path_b]}`` (a - b: one arm's change
    minus the other's, both printed in the record)."""
    if isinstance(spec, dict):
        if set(spec) != {"difference"} or len(spec["difference"]) != 2:
            raise RecipeError(f"record {rec['id']!r}: a value is a path or "
                              f"{{difference: [path_a, path_b]}}, not {spec!r}")
        a, b = (_at(rec, path) for path in spec["difference"])
        return a - b
    return _at(rec, spec)


def _row(rec: dict[str, Any], row: dict[str, Any], preeq: bool) -> dict[str, Any]:
    value = _value(rec, row["value"])
    if "to" in row:
        value = CONVERSIONS[row["to"]](value)
    sigma = row["sigma"]
    if isinstance(sigma, dict) and "ci95" in sigma:  # a normal 95 % CI: half-width / 1.96
        low, high = (_at(rec, [*sigma["ci95"], k]) for k in (0, 1))
        noise = (high - low) / (2.0 * 1.959963984540054)
    elif isinstance(sigma, dict):
        noise = float(sigma["assumed"])
    else:
        noise = _at(rec, sigma)
    if "model_error" in row:  # an assumed structural error, added in quadrature (reason: note)
        noise = math.hypot(noise, float(row["model_error"]))
    time = row["time"]
    # offset_days: e.g. -2, the trough sampled before a dose that falls on the trial month
    # `assumed`: a time the record does not give (the recipe's sigma_note says why)
    at = float(time["assumed"]) if "assumed" in time else _at(rec, time["path"])
    days = at * DAYS[time["unit"]] + float(time.get("offset_days", 0.0))
    if not (math.isfinite(noise) and noise > 0):
        raise RecipeError(f"record {rec['id']!r}: noise {noise} is not positive")
    return {"observableId": row["observable"],
            "preequilibrationConditionId": PREEQ if preeq else float("nan"),
            "simulationConditionId": row["condition"], "time": days, "measurement": value,
            "noiseParameters": noise, "datasetId": rec["id"]}


def _citation(rec: dict[str, Any]) -> str:
    c = rec.get("citation") or {}
    parts = [str(c.get(k)) for k in ("authors", "year", "title", "journal", "volume", "pages")
             if c.get(k)]
    ids = [f"{k}:{c[k]}" for k in ("doi", "pmid") if c.get(k)]
    return ", ".join(parts + ids)


def _build(spec: dict[str, Any]) -> Any:
    from exobone.model.assemble import build_model

    return build_model(spec["scenario"], spec.get("interventions") or [],
                       species=spec.get("species"), site=spec.get("site"),
                       exosome_layer=spec.get("exosome_layer", True))


def _placebo_values(name: str, model: Any, recipe: dict[str, Any],
                    conditions: dict[str, dict[str, float]],
                    rows: list[dict[str, Any]]) -> list[float]:
    """The ``observableParameter1`` of each row: its observable's placebo quantity, simulated.

    A treated-minus-placebo datum is two arms; the placebo arm is the build under the placebo
    condition, where no estimated parameter acts (checked: the arm is simulated with each
    estimated parameter at both bounds and must not move), so its value is a constant of the
    problem and is written into the table. A change of the build (core, history) changes it:
    ``--check`` then reports the problem stale.
    """
    from exobone.simulate import SaveAt, simulate

    wanted = {oid: o["placebo"] for oid, o in recipe["observables"].items() if "placebo" in o}
    out = [math.nan] * len(rows)
    for cid in sorted({pl["condition"] for pl in wanted.values()}):
        # one simulation per placebo condition (and per bound) serves all its observables
        oids = [oid for oid, pl in wanted.items() if pl["condition"] == cid]
        idx = [i for i, r in enumerate(rows) if r["observableId"] in oids]
        if not idx:
            continue
        times = sorted({0.0, *(rows[i]["time"] for i in idx)})
        quantities = sorted({wanted[oid]["of"] for oid in oids})

        def arm(extra: dict[str, float], cid: str = cid, times: list[float] = times,
                quantities: list[str] = quantities) -> dict[tuple[str, float], float]:
            traj = simulate(model, (0.0, times[-1]), saveat=SaveAt(times=times),
                            params={**conditions[cid], **extra})
            return {(q, t): float(v) for q in quantities
                    for t, v in zip(times, traj[q], strict=True)}

        ref = arm({})
        for p in recipe["parameters"]:
            for bound in (p["lower"], p["upper"]):
                moved = arm({p["id"]: bound})
                for key, v in ref.items():
                    if not math.isclose(moved[key], v, rel_tol=1e-9, abs_tol=1e-12):
                        raise RecipeError(f"problem {name!r}: the placebo arm ({cid}) of "
                                          f"{key[0]} moves with {p['id']} (= {bound}); it is "
                                          f"no constant")
        for i in idx:
            out[i] = ref[(wanted[rows[i]["observableId"]]["of"], rows[i]["time"])]
    return out
    for oid, pl in wanted.items():
        idx = [i for i, r in enumerate(rows) if r["observableId"] == oid]
        if not idx:
            continue
        times = sorted({0.0, *(rows[i]["time"] for i in idx)})
        base = dict(conditions[pl["condition"]])

        def arm(extra: dict[str, float], quantity: str = pl["of"]) -> dict[float, float]:
            traj = simulate(model, (0.0, times[-1]), saveat=SaveAt(times=times),
                            params={**base, **extra})
            return dict(zip(times, map(float, traj[quantity]), strict=True))

        ref = arm({})
        for p in recipe["parameters"]:
            for bound in (p["lower"], p["upper"]):
                moved = arm({p["id"]: bound})
                if any(not math.isclose(moved[t], ref[t], rel_tol=1e-9, abs_tol=1e-12)
                       for t in times):
                    raise RecipeError(f"problem {name!r}: the placebo arm of {oid!r} moves "
                                      f"with {p['id']} (= {bound}); it is no constant")
        for i in idx:
            out[i] = ref[rows[i]["time"]]
    return out


def build_problem(name: str, recipe: dict[str, Any], records: dict[str, dict[str, Any]],
                  out: Path) -> Path:
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    # the healthy steady state as preequilibration, or none (``preequilibration: null``: the
    # build itself starts where the data start, e.g. pmo's pretreatment state after its history)
    preeq = recipe.get("preequilibration")
    rows: dict[str, list[dict[str, Any]]] = {"fit": [], "validate": []}
    notes = []
    for m in recipe["measurements"]:
        rec = records.get(m["record"])
        if rec is None:
            raise RecipeError(f"problem {name!r}: no record {m['record']!r} in "
                              f"{', '.join(RECORD_FILES)}")
        use = rec.get("use")
        if use not in rows:
            raise RecipeError(f"record {rec['id']!r}: use is {use!r}, not fit or validate")
        for row in m["rows"]:
            rows[use].append(_row(rec, row, preeq is not None))
        notes.append((rec, use, m.get("sigma_note", "")))
    cond_cols = sorted({k for c in (preeq or {}, *recipe["conditions"].values()) for k in c})
    everyone = {**({PREEQ: preeq} if preeq is not None else {}), **recipe["conditions"]}
    missing = [(cid, k) for cid, c in everyone.items() for k in cond_cols if k not in c]
    if missing:  # PEtab leaves a parameter's NaN undefined: every condition sets every column
        raise RecipeError(f"problem {name!r}: condition {missing[0][0]!r} does not set "
                          f"{missing[0][1]!r}")
    model = _build(recipe["model"])
    built = {n: model.require_parameter(n).value for n in sorted(
        {p["id"] for p in recipe["parameters"]}
        | {k for c in everyone.values() for k, v in c.items() if v == "nominal"})}
    # "nominal": the build's own value (e.g. the regimen's dose in the treated arm)
    everyone = {cid: {k: built[k] if v == "nominal" else v for k, v in c.items()}
                for cid, c in everyone.items()}
    preeq = everyone.get(PREEQ) if preeq is not None else None
    recipe = {**recipe, "conditions": {cid: everyone[cid] for cid in recipe["conditions"]}}
    conditions = pd.DataFrame(
        ([{"conditionId": PREEQ, "conditionName": "healthy steady state",
           **{k: preeq.get(k) for k in cond_cols}}] if preeq is not None else [])
        + [{"conditionId": cid, "conditionName": cid, **{k: c.get(k) for k in cond_cols}}
           for cid, c in recipe["conditions"].items()])
    observables = pd.DataFrame([
        {"observableId": oid, "observableName": o.get("unit", ""),
         "observableFormula": o["formula"], "observableTransformation": "lin",
         "noiseFormula": f"noiseParameter1_{oid}", "noiseDistribution": "normal"}
        for oid, o in recipe["observables"].items()])
    parameters = pd.DataFrame([
        {"parameterId": p["id"], "parameterScale": p["scale"], "lowerBound": p["lower"],
         "upperBound": p["upper"], "nominalValue": built[p["id"]], "estimate": 1}
        for p in recipe["parameters"]])
    with_placebo = any("placebo" in o for o in recipe["observables"].values())
    every_row = rows["fit"] + rows["validate"]
    for r, v in zip(every_row, _placebo_values(name, model, recipe, recipe["conditions"],
                                                every_row), strict=True):
        r["observableParameters"] = v
    cols = ["observableId", *(["preequilibrationConditionId"] if preeq is not None else []),
            "simulationConditionId", "time", "measurement",
            *(["observableParameters"] if with_placebo else []), "noiseParameters",
            "datasetId"]
    for frame, file in ((conditions, "conditions.tsv"), (observables, "observables.tsv"),
                        (parameters, "parameters.tsv"),
                        (pd.DataFrame(rows["fit"], columns=cols), "measurements.tsv"),
                        (pd.DataFrame(rows["validate"], columns=cols), "validation.tsv")):
        frame.to_csv(folder / file, sep="\t", index=False, float_format="%.10g")
    problem = {
        "format_version": 1, "parameter_file": "parameters.tsv",
        "problems": [{"condition_files": ["conditions.tsv"],
                      "measurement_files": ["measurements.tsv"],
                      "observable_files": ["observables.tsv"]}],
        "exobone": {k: recipe["model"][k] for k in ("scenario", "species", "site",
                                                     "interventions", "exosome_layer")
                    if k in recipe["model"]},
    }
    (folder / f"{name}.yaml").write_text(
        "# PEtab problem written by scripts/build_petab.py from recipe.yaml: do not edit.\n"
        "# validation.tsv holds the held-out (use: validate) measurements in the same format.\n"
        + yaml.safe_dump(problem, sort_keys=False), encoding="utf-8")
    (folder / "README.md").write_text(_readme(name, recipe, notes, rows), encoding="utf-8")
    return folder


def _readme(name: str, recipe: dict[str, Any], notes: list[Any],
            rows: dict[str, list[dict[str, Any]]]) -> str:
    lines = [f"# PEtab problem `{name}`", "", recipe.get("description", ""), "",
             f"Written by `scripts/build_petab.py` from `recipe.yaml`; model: exobone "
             f"`{recipe['model']}`. " + (
                 f"Every experiment starts from the healthy steady state (preequilibration "
                 f"condition `{PREEQ}`)." if recipe.get("preequilibration") is not None else
                 "No preequilibration: the build starts where the data start."), "",
             "| datasetId (record) | use | rows | citation | read at | verified |",
             "| --- | --- | --- | --- | --- | --- |"]
    for rec, use, _ in notes:
        n = sum(r["datasetId"] == rec["id"] for r in rows[use])
        lines.append(f"| `{rec['id']}` | {use} | {n} | {_citation(rec)} | "
                     f"{rec.get('read_at', '')} | {rec.get('verified')} |")
    lines += ["", "## Quotes and noise", ""]
    for rec, _, sigma_note in notes:
        lines.append(f"- `{rec['id']}`: \"{str(rec.get('quote', '')).strip()}\"")
        if sigma_note:
            lines.append(f"  Noise: {' '.join(sigma_note.split())}")
    for oid, o in recipe["observables"].items():
        if o.get("note"):
            lines.append(f"- observable `{oid}` = `{o['formula']}`: {' '.join(o['note'].split())}")
    return "\n".join(lines) + "\n"


def build_all(out: Path, only: list[str] | None = None) -> list[Path]:
    recipe = yaml.safe_load((PETAB / "recipe.yaml").read_text(encoding="utf-8"))
    unknown = set(only or ()) - set(recipe["problems"])
    if unknown:
        raise RecipeError(f"no problem {', '.join(sorted(unknown))} in recipe.yaml")
    records = load_records()
    return [build_problem(n, r, records, out) for n, r in recipe["problems"].items()
            if not only or n in only]


def _same(fresh: Path, shipped: Path) -> bool:
    """Equal files; a table's numbers equal to 1e-6 relative (a simulated placebo value differs
    in its last digits between integrator backends)."""
    if filecmp.cmp(fresh, shipped, shallow=False):
        return True
    if fresh.suffix != ".tsv":
        return False
    a, b = (pd.read_csv(f, sep="\t", dtype=str, keep_default_na=False) for f in (fresh, shipped))
    if list(a.columns) != list(b.columns) or a.shape != b.shape:
        return False
    for col in a.columns:
        for x, y in zip(a[col], b[col], strict=True):
            if x == y:
                continue
            try:
                if math.isclose(float(x), float(y), rel_tol=1e-6, abs_tol=1e-12):
                    continue
            except ValueError:
                pass
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=PETAB)
    ap.add_argument("--check", action="store_true",
                    help="fail if the shipped problems differ from freshly written ones")
    ap.add_argument("--problem", action="append", help="only this problem (repeatable)")
    args = ap.parse_args(argv)
    if not args.check:
        for folder in build_all(args.out, args.problem):
            print(f"wrote {folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        stale = []
        for folder in build_all(Path(tmp), args.problem):
            for f in sorted(folder.iterdir()):
                shipped = PETAB / folder.name / f.name
                if not shipped.is_file() or not _same(f, shipped):
                    stale.append(str(shipped.relative_to(ROOT)))
        if stale:
            print("stale (run scripts/build_petab.py): " + ", ".join(stale), file=sys.stderr)
            return 1
    print("the shipped PEtab problems match the records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
