"""Load the curated YAML files into validated records, reporting every problem at once.

The curated data lives in ``atlas/data/`` as one folder per record type, one YAML list per
file (usually one file per seed document). Loading checks the schema of every record, that
ids are unique, that every referenced entity, measure and mechanism exists, and then merges
mechanisms that share an identity (their evidence lists are concatenated).
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from exobone.atlas.records import (
    Direction,
    Entity,
    Evidence,
    Experiment,
    Fact,
    Measure,
    Mechanism,
)
from exobone.errors import CurationError, InvalidInputError

R = TypeVar("R", bound=BaseModel)

#: libyaml's safe loader reads the same documents as ``yaml.safe_load`` about 6x faster (the
#: shipped atlas: 3.0 s -> 0.5 s on a loaded 2-core machine), and every command that uses the
#: atlas parses it; PyYAML built without libyaml has only the pure-Python one, same results.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

RECORD_FOLDERS: dict[str, type[BaseModel]] = {
    "entities": Entity,
    "measures": Measure,
    "mechanisms": Mechanism,
    "experiments": Experiment,
    "facts": Fact,
}


def default_data_dir() -> Path:
    """Return the folder of the curated data shipped with the package."""
    return Path(str(resources.files("exobone.atlas") / "data"))


@dataclass(frozen=True)
class Seed:
    """A source document the curated claims were read from."""

    file: str
    sha256: str
    title: str
    language: str
    kind: str
    citation: dict[str, Any]


@dataclass
class Atlas:
    """All curated records after validation and merging."""

    entities: dict[str, Entity]
    measures: dict[str, Measure]
    mechanisms: dict[str, Mechanism]
    experiments: dict[str, Experiment]
    facts: dict[str, Fact]
    seeds: dict[str, Seed]
    alias_of: dict[str, str] = field(default_factory=dict)
    version: str = ""

    def entity(self, key: str) -> Entity:
        """Return the entity with curation key ``key`` (KeyError if absent)."""
        return self.entities[key]

    def mechanism(self, mech_id: str) -> Mechanism:
        """Return a mechanism by id, following merge aliases."""
        return self.mechanisms[self.alias_of.get(mech_id, mech_id)]


def _read_yaml_list(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problems.append(f"{path.name}{where}: not valid YAML ({getattr(exc, 'problem', exc)})")
        return []
    except (OSError, UnicodeDecodeError) as exc:  # unreadable, or not text
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        problems.append(f"{path.name}: cannot be read as UTF-8 YAML ({reason})")
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(f"{path.name}: expected a YAML list of records, got {type(data).__name__}")
        return []
    return data


def _parse(
    cls: type[R], folder: Path, problems: list[str]
) -> list[tuple[str, R]]:
    out: list[tuple[str, R]] = []
    for path in sorted(folder.glob("*.yaml")):
        for i, raw in enumerate(_read_yaml_list(path, problems)):
            label = raw.get("id") or raw.get("key") if isinstance(raw, dict) else None
            where = f"{folder.name}/{path.name} record {i + 1}" + (f" ({label})" if label else "")
            try:
                out.append((where, cls.model_validate(raw)))
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(x) for x in err["loc"])
                    problems.append(f"{where}: {loc}: {err['msg']}")
    return out


def _unique(
    items: Iterable[tuple[str, R]], attr: str, problems: list[str]
) -> dict[str, R]:
    seen: dict[str, tuple[str, R]] = {}
    for where, rec in items:
        k = getattr(rec, attr)
        if k in seen:
            problems.append(f"{where}: duplicate {attr} {k!r} (first in {seen[k][0]})")
            continue
        seen[k] = (where, rec)
    return {k: v for k, (_, v) in seen.items()}


def _evidence_refs(ev: Evidence) -> list[str]:
    return [*ev.cell_models, *(r.entity for r in ev.readouts)]


def _check_references(
    entities: dict[str, Entity],
    measures: dict[str, Measure],
    mechanisms: dict[str, Mechanism],
    experiments: dict[str, Experiment],
    facts: dict[str, Fact],
    seeds: dict[str, Seed],
    problems: list[str],
) -> None:
    def need(owner: str, what: str, key: str | None) -> None:
        if key is not None and key not in entities:
            problems.append(f"{owner}: {what} {key!r} is not a curated entity (add it to entities/)")

    def need_seed(owner: str, name: str) -> None:
        if name not in seeds:
            problems.append(f"{owner}: read_in {name!r} is not a known seed ({', '.join(seeds)})")

    for m in mechanisms.values():
        need(m.id, "source", m.source)
        need(m.id, "vesicle", m.vesicle)
        need(m.id, "target", m.target)
        need(m.id, "effect", m.effect)
        for k in (*m.cargo, *m.pathways, *m.contexts, *(t.entity for t in m.molecular_targets)):
            need(m.id, "entity", k)
        for ev in m.evidence:
            need_seed(m.id, ev.read_in)
            for k in _evidence_refs(ev):
                need(m.id, "evidence entity", k)
    for e in experiments.values():
        need(e.id, "intervention agent", e.intervention.agent)
        for k in (*e.intervention.cargo, *e.contexts, *e.target_cells):
            need(e.id, "entity", k)
        need_seed(e.id, e.read_in)
        for o in e.outcomes:
            if o.measure not in measures:
                problems.append(f"{e.id}: measure {o.measure!r} is not in measures/")
            need(e.id, "outcome entity", o.entity)
        for mid in e.mechanisms:
            if mid not in mechanisms:
                problems.append(f"{e.id}: mechanism {mid!r} does not exist")
    for f in facts.values():
        need(f.id, "subject", f.subject)
        for k in f.items:
            need(f.id, "item", k)
        for ev in f.evidence:
            need_seed(f.id, ev.read_in)


def merge_mechanisms(mechanisms: Iterable[Mechanism]) -> tuple[dict[str, Mechanism], dict[str, str]]:
    """Merge mechanisms that share an identity; return them by id and the alias map.

    The merged record keeps the smallest id, the union of pathways, contexts and molecular
    targets, and all evidence. If the records disagree on direction it becomes ``mixed`` and
    the note says so.
    """
    groups: dict[tuple[Any, ...], list[Mechanism]] = defaultdict(list)
    for m in mechanisms:
        groups[m.identity].append(m)
    merged: dict[str, Mechanism] = {}
    alias_of: dict[str, str] = {}
    for group in groups.values():
        group.sort(key=lambda m: m.id)
        head = group[0]
        if len(group) == 1:
            merged[head.id] = head
            continue
        directions = {m.direction for m in group}
        direction = head.direction if len(directions) == 1 else Direction.MIXED
        notes = [m.note for m in group if m.note]
        if len(directions) > 1:
            notes.append(
                "sources disagree on direction: "
                + ", ".join(f"{m.id} {m.direction.value}" for m in group)
            )

        def union(attr: str) -> tuple[Any, ...]:
            out: list[Any] = []
            for m in group:
                for x in getattr(m, attr):
                    if x not in out:
                        out.append(x)
            return tuple(out)

        others = [m.id for m in group[1:]]
        merged[head.id] = head.model_copy(
            update={
                "pathways": union("pathways"),
                "contexts": union("contexts"),
                "molecular_targets": union("molecular_targets"),
                "evidence": union("evidence"),
                "direction": direction,
                "aliases": tuple([*head.aliases, *others]),
                "note": "; ".join(notes) if notes else None,
            }
        )
        for o in others:
            alias_of[o] = head.id
    return merged, alias_of


def load_seeds(data_dir: Path) -> dict[str, Seed]:
    """Read ``seeds.yaml``: the source documents with their checksums.

    Raises
    ------
    InvalidInputError
        If ``data_dir`` has no readable ``seeds.yaml`` (it is not a curated-data folder).
    CurationError
        If ``seeds.yaml`` is not a YAML list of seed records.
    """
    path = data_dir / "seeds.yaml"
    if not path.is_file():
        raise InvalidInputError(
            f"{data_dir} is not a curated-data folder: it has no seeds.yaml; give --data-dir "
            f"the folder holding seeds.yaml, entities/ and mechanisms/ (or leave it out for "
            f"the shipped data)")
    problems: list[str] = []
    raw = _read_yaml_list(path, problems)
    try:
        seeds = {s["file"]: Seed(**s) for s in raw}
    except (TypeError, KeyError) as exc:
        problems.append(f"seeds.yaml: each seed needs file, sha256, title, language, kind and "
                        f"citation ({type(exc).__name__}: {exc})")
    if problems:
        raise CurationError(problems)
    return seeds


def atlas_version(data_dir: Path) -> str:
    """Return a content hash of the curated data: changes whenever any curated file changes."""
    h = hashlib.sha256()
    for path in sorted(data_dir.rglob("*.yaml")):
        h.update(path.relative_to(data_dir).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def load_atlas(data_dir: Path | None = None) -> Atlas:
    """Load, validate and merge all curated records.

    Parameters
    ----------
    data_dir
        Folder holding ``seeds.yaml`` and the record folders; defaults to the shipped data.

    Returns
    -------
    Atlas
        Records keyed by id (entities and measures by key), mechanisms merged by identity.

    Raises
    ------
    CurationError
        Listing every problem found, with file, record and field.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[str] = []
    seeds = load_seeds(data_dir)
    parsed = {name: _parse(cls, data_dir / name, problems) for name, cls in RECORD_FOLDERS.items()}
    entities: dict[str, Entity] = _unique(parsed["entities"], "key", problems)  # type: ignore[arg-type]
    measures: dict[str, Measure] = _unique(parsed["measures"], "key", problems)  # type: ignore[arg-type]
    raw_mechs: dict[str, Mechanism] = _unique(parsed["mechanisms"], "id", problems)  # type: ignore[arg-type]
    experiments: dict[str, Experiment] = _unique(parsed["experiments"], "id", problems)  # type: ignore[arg-type]
    facts: dict[str, Fact] = _unique(parsed["facts"], "id", problems)  # type: ignore[arg-type]
    _check_references(entities, measures, raw_mechs, experiments, facts, seeds, problems)
    if problems:
        raise CurationError(problems)
    mechanisms, alias_of = merge_mechanisms(raw_mechs.values())
    # experiments may cite a mechanism id that was merged into another one
    experiments = {
        k: e.model_copy(update={"mechanisms": tuple(dict.fromkeys(alias_of.get(m, m) for m in e.mechanisms))})
        for k, e in experiments.items()
    }
    return Atlas(
        entities=entities,
        measures=measures,
        mechanisms=dict(sorted(mechanisms.items())),
        experiments=dict(sorted(experiments.items())),
        facts=dict(sorted(facts.items())),
        seeds=seeds,
        alias_of=alias_of,
        version=atlas_version(data_dir),
    )


@functools.cache
def default_atlas() -> Atlas:
    """Return the shipped curated atlas, loaded once per process.

    Loading and validating the curated YAML takes about a second and the shipped data do not
    change while a process runs; an atlas a caller loads from another folder is never cached.
    Treat the returned atlas as read-only: every caller shares it.

    Raises
    ------
    CurationError
        If the shipped data do not validate.
    """
    return load_atlas()
