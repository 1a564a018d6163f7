"""``exobone atlas ...``: check, build, search, export, ingest and enrich the atlas.

Every command is a thin shell: it parses options, calls the public API
(:mod:`exobone.atlas.store`, :mod:`exobone.atlas.query`, :mod:`exobone.atlas.export`,
:mod:`exobone.atlas.figures`, :mod:`exobone.atlas.enrich`) and formats the result. Commands
that read the store build it first when it is missing or stale, saying so on stderr.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exobone.errors import CurationError

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.atlas.export.registry import Selection
    from exobone.atlas.store import Store

app = typer.Typer(
    help="Curated mechanisms with evidence: check, build, search, export, ingest, enrich.",
    no_args_is_help=True,
)

# ---------------------------------------------------------------------------- shared options

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="EXOBONE_DB",
        help="Atlas database file \\[default: $EXOBONE_HOME/atlas.sqlite or "
        "~/.local/share/exobone/atlas.sqlite].",
        dir_okay=False,
    ),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="EXOBONE_DATA",
        help="Curated-data folder \\[default: the data shipped with exobone].",
        file_okay=False,
    ),
]
WhatOption = Annotated[
    str, typer.Option("--what", help="mechanisms or experiments.", show_default=True)
]
CargoOpt = Annotated[
    str | None, typer.Option(help="Cargo: miRNA (arm-aware: miR-214 finds miR-214-3p) or gene (OPN finds SPP1).")
]
SourceOpt = Annotated[
    str | None,
    typer.Option(help="The first of the chain: source cell (transfer, uptake), context (cargo "
                 "profile) or regulator (regulation, release control); experiments: the agent."),
]
TargetOpt = Annotated[str | None, typer.Option(help="Target cell, or a molecule the mechanism changes.")]
PathwayOpt = Annotated[str | None, typer.Option(help="Signalling pathway (mechanisms only).")]
DiseaseOpt = Annotated[
    str | None, typer.Option(help="Disease or model context (osteoporosis also finds OVX).")
]
SpeciesOpt = Annotated[str | None, typer.Option(help="human, mouse, rat or an NCBITaxon id.")]
SettingOpt = Annotated[str | None, typer.Option(help="in_vitro, in_vivo, clinical, review or figure.")]
DirectionOpt = Annotated[str | None, typer.Option(help="increase, decrease, mixed or none.")]
TextOpt = Annotated[str | None, typer.Option(help="Full-text query, any language (e.g. 破骨细胞).")]
KindOpt = Annotated[
    str | None, typer.Option(help="Mechanism kind, or intervention kind for experiments.")
]
MeasureOpt = Annotated[str | None, typer.Option(help="Outcome measure (experiments only).")]
MechanismOpt = Annotated[
    str | None, typer.Option("--mechanism", help="Mechanism id an experiment supports (experiments only).")
]
MinEvidenceOpt = Annotated[
    int | None, typer.Option("--min-evidence", help="At least this many evidence items (mechanisms only).")
]
LimitOpt = Annotated[int | None, typer.Option(help="Show at most this many records.")]


# A curator fixes the first problems first: one file that does not parse makes every record
# that names its entities fail too (one broken YAML gave 1,135 problems). Show this many.
PROBLEMS_SHOWN = 10
_YAML_LINE = re.compile(r"^(?P<file>[^\s:]+\.ya?ml) line (?P<line>\d+):")


@contextmanager
def _curation_summary(show_all: bool = False) -> Iterator[None]:
    """Shorten a long :class:`CurationError` to its first problems and a count of the rest.

    Problems located in a file (``core.yaml:3: not valid YAML``) come first: they are the
    causes; the cross-reference problems after them are often their consequences.
    """
    try:
        yield
    except CurationError as exc:
        if show_all or len(exc.problems) <= PROBLEMS_SHOWN:
            raise
        located = [_YAML_LINE.sub(r"\g<file>:\g<line>:", p) for p in exc.problems if _YAML_LINE.match(p)]
        ordered = located + [p for p in exc.problems if not _YAML_LINE.match(p)]
        rest = len(ordered) - PROBLEMS_SHOWN
        lines = [f"{len(ordered)} problems in the curated data; the first {PROBLEMS_SHOWN}:"]
        lines += [f"  - {p}" for p in ordered[:PROBLEMS_SHOWN]]
        hint = "fix the files that do not load first: records in them are missing for the rest; "
        lines.append(
            f"  ... and {rest} more ({hint if located else ''}"
            "`exobone atlas check --all` lists every one)"
        )
        short = CurationError(exc.problems)
        short.args = ("\n".join(lines),)
        raise short from None


def _store(db: Path | None, data_dir: Path | None) -> Store:
    """Open the store, building it first (with one line on stderr) if missing or stale."""
    from exobone.atlas.store import default_store_path, ensure_store

    with _curation_summary():
        store, rebuilt = ensure_store(db, data_dir=data_dir)
    if rebuilt is not None:
        typer.echo(f"{rebuilt}; built it now at {db or default_store_path()}", err=True)
    return store


def _filters(what: str, **given: Any) -> dict[str, Any]:
    """Keep the filters that were given; reject those that do not apply to ``what``."""
    from exobone.atlas.export.registry import WHATS
    from exobone.errors import ExportError, InvalidInputError, suggest

    if what not in WHATS:
        raise ExportError(f"unknown selection {what!r}{suggest(what, WHATS)} (known: {', '.join(WHATS)})")
    only = {
        "mechanisms": {"pathway", "min_evidence"},
        "experiments": {"measure", "mechanism"},
    }
    other = "experiments" if what == "mechanisms" else "mechanisms"
    out = {k: v for k, v in given.items() if v is not None}
    for k in out:
        if k in only[other]:
            flag = "--" + k.replace("_", "-")
            raise InvalidInputError(f"{flag} filters {other} only; drop it or use --what {other}")
    return out


def _select(store: Store, what: str, filters: dict[str, Any]) -> Selection:
    from exobone.atlas.export.registry import Selection
    from exobone.atlas.query import search, search_experiments

    atlas = store.atlas()
    if not filters:
        return Selection.of(store)
    if what == "experiments":
        hits: list[Any] = search_experiments(store, **filters)
    else:
        hits = search(store, **filters)
    return Selection.from_hits(atlas, hits, store.figures())


def _arrow(atlas: Atlas, source: str, cargo: tuple[str, ...], target: str) -> str:
    from exobone.atlas.query import display_name

    parts = [display_name(atlas, source)]
    if cargo:
        parts.append(", ".join(display_name(atlas, c) for c in cargo))
    parts.append(display_name(atlas, target))
    return " → ".join(parts)


# ---------------------------------------------------------------------------- commands


@app.command("check")
def check(
    data_dir: DataOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help=f"List every problem, not the first {PROBLEMS_SHOWN}.")
    ] = False,
) -> None:
    """Validate every curated record, cross-reference and quote; list the problems found."""
    from exobone.atlas.curation import load_atlas
    from exobone.atlas.validate import check_quotes, find_seed_dir, missing_seeds_message

    with _curation_summary(show_all):
        atlas = load_atlas(data_dir)
        seed_dir = find_seed_dir()
        if seed_dir is None:
            typer.echo(f"{missing_seeds_message()}; quotes not checked", err=True)
        else:
            check_quotes(atlas, seed_dir)
    typer.echo(
        f"ok: {len(atlas.entities)} entities, {len(atlas.mechanisms)} mechanisms, "
        f"{len(atlas.experiments)} experiments, {len(atlas.facts)} facts (atlas {atlas.version})"
    )


@app.command("build")
def build(db: DbOption = None, data_dir: DataOption = None) -> None:
    """Build the SQLite store with full-text search (atomic: a failed build changes nothing)."""
    from exobone.atlas.store import build_store

    with _curation_summary():
        report = build_store(path=db, data_dir=data_dir)
    c = report.counts
    kept = f", {report.figures_kept} ingested figures kept" if report.figures_kept else ""
    typer.echo(
        f"built {report.path}: {c['entities']} entities, {c['mechanisms']} mechanisms "
        f"({c['evidence']} evidence items), {c['experiments']} experiments, {c['facts']} facts, "
        f"{c['gene_sets']} gene sets{kept} (atlas {report.atlas_version})"
    )


@app.command("search")
def search_cmd(
    cargo: CargoOpt = None,
    source: SourceOpt = None,
    target: TargetOpt = None,
    pathway: PathwayOpt = None,
    disease: DiseaseOpt = None,
    species: SpeciesOpt = None,
    setting: SettingOpt = None,
    direction: DirectionOpt = None,
    text: TextOpt = None,
    kind: KindOpt = None,
    measure: MeasureOpt = None,
    mechanism: MechanismOpt = None,
    min_evidence: MinEvidenceOpt = None,
    limit: LimitOpt = None,
    what: WhatOption = "mechanisms",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON objects, as `export --format json`.")] = False,
    db: DbOption = None,
    data_dir: DataOption = None,
) -> None:
    """Search mechanisms (or experiments) by cargo, cells, pathway, disease, species, text."""
    from exobone.atlas.export import export
    from exobone.errors import InvalidInputError

    if limit is not None and limit < 0:  # before the store is opened (or built: ~30 s)
        raise InvalidInputError(f"--limit must be a count >= 0, got {limit}")
    filters = _filters(
        what, cargo=cargo, source=source, target=target, pathway=pathway, disease=disease,
        species=species, setting=setting, direction=direction, text=text, kind=kind,
        measure=measure, mechanism=mechanism, min_evidence=min_evidence, limit=limit,
    )
    with _store(db, data_dir) as store:
        selection = _select(store, what, filters)
        if as_json:
            sys.stdout.write(str(export(selection, "json", what)))
            return
        if what == "experiments":
            _print_experiments(selection)
        else:
            _print_mechanisms(selection)


@app.command("network")
def network_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False,
                                         help="PNG (or PDF, SVG) file to write.")],
    cargo: CargoOpt = None,
    source: SourceOpt = None,
    target: TargetOpt = None,
    pathway: PathwayOpt = None,
    disease: DiseaseOpt = None,
    species: SpeciesOpt = None,
    setting: SettingOpt = None,
    direction: DirectionOpt = None,
    text: TextOpt = None,
    min_evidence: MinEvidenceOpt = None,
    db: DbOption = None,
    data_dir: DataOption = None,
) -> None:
    """Draw the signed network of the selected mechanisms: one circle by kind (source cells,
    miRNAs, genes and proteins, target cells, other), edges bundled, labels outwards."""
    from exobone.atlas.export._graph import mechanism_graph
    from exobone.errors import InvalidInputError
    from exobone.outputs import check_output_path
    from exobone.plotting import plot_network

    check_output_path(output, what="figure")
    filters = _filters("mechanisms", cargo=cargo, source=source, target=target, pathway=pathway,
                       disease=disease, species=species, setting=setting, direction=direction,
                       text=text, min_evidence=min_evidence)
    with _store(db, data_dir) as store:
        selection = _select(store, "mechanisms", filters)
    if not selection.mechanisms:
        raise InvalidInputError("no mechanism matches these filters: nothing to draw")
    graph = mechanism_graph(selection.atlas, list(selection.mechanisms))
    plot_network(graph, output, title=f"Atlas mechanism network ({len(selection.mechanisms)} "
                                      f"mechanisms): {graph.number_of_nodes()} entities, "
                                      f"{graph.number_of_edges()} signed links")
    typer.echo(f"wrote {output}", err=True)


def _check_writable_folder(output: Path) -> None:
    """Refuse a read-only destination folder before the store is opened or built (a device
    such as /dev/stdout is written in place and is left to the writer)."""
    import os

    from exobone.errors import InvalidInputError

    if output.exists() and not output.is_file():
        return
    folder = output.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInputError(f"cannot write {output}: the folder {folder} is not writable")


def _console() -> Any:
    from rich.console import Console

    probe = Console()
    # a terminal gets its own width; a pipe or file gets wide rows that grep can find
    return Console(soft_wrap=False, width=probe.width if probe.is_terminal else 200)


def _row(*cells: str) -> list[Any]:
    from rich.text import Text

    return [Text(c) for c in cells]  # plain text: brackets in names are not rich markup


def _print_mechanisms(selection: Selection) -> None:
    from rich.table import Table

    atlas = selection.atlas
    table = Table(show_lines=False)
    table.add_column("id", no_wrap=True)
    # the first of the chain is not always an exosome donor: name its role per record kind
    table.add_column("from is", no_wrap=True)
    table.add_column("from → cargo → target")
    table.add_column("effect")
    table.add_column("direction", no_wrap=True)
    table.add_column("evidence", justify="right")
    table.add_column("first citation")
    for m in selection.mechanisms:
        effect = atlas.entities[m.effect].name if m.effect in atlas.entities else m.effect
        table.add_row(*_row(
            m.id, m.source_role, _arrow(atlas, m.source, m.cargo, m.target), effect, m.direction.value,
            str(len(m.evidence)), m.evidence[0].citation.short(),
        ))
    console = _console()
    if selection.mechanisms:
        console.print(table)
    console.print(f"{len(selection.mechanisms)} mechanism(s)")


def _print_experiments(selection: Selection) -> None:
    from rich.table import Table

    atlas = selection.atlas
    table = Table()
    table.add_column("id", no_wrap=True)
    table.add_column("intervention")
    table.add_column("context")
    table.add_column("outcomes")
    table.add_column("citation")
    for x in selection.experiments:
        iv = x.intervention
        agent = atlas.entities[iv.agent].name if iv.agent in atlas.entities else iv.agent
        contexts = ", ".join(atlas.entities[k].name if k in atlas.entities else k for k in x.contexts)
        outcomes = "; ".join(
            f"{o.entity + ' ' if o.entity else ''}{o.measure} {o.direction.value}"
            + (f" ({o.time})" if o.time else "")
            for o in x.outcomes
        )
        table.add_row(*_row(x.id, f"{iv.kind.value}: {agent}", contexts, outcomes, x.citation.short()))
    console = _console()
    if selection.experiments:
        console.print(table)
    console.print(f"{len(selection.experiments)} experiment(s)")


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, csv, cx2, graphml, sif or gmt.")] = "json",
    what: WhatOption = "mechanisms",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.", dir_okay=False)
    ] = None,
    cargo: CargoOpt = None,
    source: SourceOpt = None,
    target: TargetOpt = None,
    pathway: PathwayOpt = None,
    disease: DiseaseOpt = None,
    species: SpeciesOpt = None,
    setting: SettingOpt = None,
    direction: DirectionOpt = None,
    text: TextOpt = None,
    db: DbOption = None,
    data_dir: DataOption = None,
) -> None:
    """Export mechanisms or experiments (all, or those matching the filters)."""
    from exobone.atlas.export import export, require_exporter
    from exobone.atlas.export.output import check_output_path, write_output

    exporter = require_exporter(fmt)  # fail on a bad format or path before building anything
    if output is not None:
        check_output_path(output)
        _check_writable_folder(output)
    filters = _filters(
        what, cargo=cargo, source=source, target=target, pathway=pathway, disease=disease,
        species=species, setting=setting, direction=direction, text=text,
    )
    with _store(db, data_dir) as store:
        selection = _select(store, what, filters)
        document = export(selection, exporter.name, what)
    if output is None:
        if isinstance(document, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(document)
        else:
            sys.stdout.write(document)
        sys.stdout.flush()
        return
    write_output(output, document)
    count = len(selection.experiments if what == "experiments" else selection.mechanisms)
    typer.echo(f"wrote {count} {what} as {exporter.name} to {output}", err=True)


@app.command("ingest-pfocr")
def ingest_pfocr_cmd(
    files: Annotated[list[Path], typer.Argument(help="PFOCR figure record files (.md).", dir_okay=False)],
    db: DbOption = None,
    data_dir: DataOption = None,
) -> None:
    """Add Pathway Figure OCR records as gene sets; all files or none; list touched mechanisms."""
    from exobone.atlas.figures import ingest_pfocr
    from exobone.atlas.ingest.pfocr import parse_pfocr_many

    parse_pfocr_many(files)  # every file checked before the store is opened or built
    with _store(db, data_dir) as store:
        figures = ingest_pfocr(files, store)
    for f in figures:
        touched = ", ".join(f.mechanisms) if f.mechanisms else "no mechanisms"
        typer.echo(
            f"{f.figid} ({f.source_file}): {len(f.genes)} genes, {len(f.unmatched)} unmatched "
            f"words; touches {touched}"
        )
    typer.echo(f"added {len(figures)} figure(s) as gene sets", err=True)


@app.command("enrich")
def enrich_cmd(
    file: Annotated[Path, typer.Argument(help="Gene/miRNA list: one per line or comma/space separated; '-' for stdin.", allow_dash=True)],
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only sets of this kind (pathway, effect, source, cargo_change, figure); repeatable."),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list sets without overlap.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
    data_dir: DataOption = None,
) -> None:
    """Over-representation of your gene/miRNA list in atlas sets (hypergeometric, BH q-values)."""
    from exobone.atlas.enrich import check_list_length, enrich, read_names
    from exobone.atlas.genesets import SET_KINDS
    from exobone.errors import InvalidInputError, unknown_name

    for k in kind or ():
        if k not in SET_KINDS:
            raise unknown_name("set kind", k, SET_KINDS)
    text = _read_list(file)
    names = read_names(text)
    if not names:
        raise InvalidInputError(f"{file} holds no gene or miRNA names; give one per line")
    check_list_length(names)  # before the store is opened or built
    with _store(db, data_dir) as store:
        sets = store.gene_sets(kind or None)
    result = enrich(names, sets)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    _print_enrichment(result, show_all=show_all)


def _read_list(file: Path) -> str:
    """Read a gene list (``-``: stdin), refusing one over :data:`MAX_LIST_BYTES` before reading it."""
    from exobone.atlas.enrich import MAX_LIST_BYTES
    from exobone.errors import InvalidInputError

    too_big = InvalidInputError(
        f"the gene list {file} is over {MAX_LIST_BYTES // 2**20} MiB; give the hits, one name per line"
    )
    try:
        if str(file) == "-":
            data = sys.stdin.buffer.read(MAX_LIST_BYTES + 1)
        else:
            if file.stat().st_size > MAX_LIST_BYTES:
                raise too_big
            data = file.read_bytes()
        if len(data) > MAX_LIST_BYTES:
            raise too_big
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInputError(f"cannot read the gene list {file}: {reason}") from exc


def _print_enrichment(result: Any, *, show_all: bool) -> None:
    from rich.table import Table

    console = _console()
    rows = [s for s in result.sets if show_all or s.overlap]
    table = Table()
    table.add_column("set", overflow="fold", ratio=3)
    for col in ("overlap", "size", "p", "q (BH)"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("hits", ratio=2)
    for s in rows:
        table.add_row(*_row(
            s.name, str(s.overlap), str(s.size), f"{s.p_value:.3g}", f"{s.q_value:.3g}", ", ".join(s.hits)
        ))
    if rows:
        console.print(table)
    console.print(
        f"{len(result.query)} of your names in the universe of {result.universe_size} "
        f"({result.universe_rule}); {len(result.sets)} sets tested, "
        f"{len([s for s in result.sets if s.overlap])} with overlap"
    )
    console.print(f"{result.counting_rule[0].upper()}{result.counting_rule[1:]} (one observation).")
    if result.unmatched:
        console.print(f"unmatched ({len(result.unmatched)}): {', '.join(result.unmatched)}", markup=False)
    if result.ambiguous:
        amb = "; ".join(f"{w} ({'/'.join(c)})" for w, c in result.ambiguous.items())
        console.print(f"ambiguous ({len(result.ambiguous)}): {amb}", markup=False)
