"""Typed, validated records of the atlas: entities, mechanisms, evidence, experiments, facts.

A mechanism is an identity plus evidence (the INDRA pattern): its identity is
``(kind, source, cargo, target, effect)`` and two curated records with the same identity are
one mechanism whose evidence lists merge at load time. Evidence carries the citation of the
primary paper, the seed document it was read from and the verbatim quote in its original
language with an English rendering.
"""

from __future__ import annotations

import enum
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{1,9}$")
TAXON_RE = re.compile(r"^NCBITaxon:\d+$")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.+/]*$")
CURIE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_\-.:]+$")

SPECIES = {
    "NCBITaxon:9606": "Homo sapiens",
    "NCBITaxon:10090": "Mus musculus",
    "NCBITaxon:10116": "Rattus norvegicus",
    "NCBITaxon:7227": "Drosophila melanogaster",
    "NCBITaxon:7955": "Danio rerio",
}
SPECIES_SHORT = {"human": "NCBITaxon:9606", "mouse": "NCBITaxon:10090", "rat": "NCBITaxon:10116"}


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class EntityType(str, enum.Enum):
    """What kind of thing an entity is; decides which vocabulary its identifier comes from."""

    CELL = "cell"  # Cell Ontology (CL)
    CELL_LINE = "cell_line"  # Cellosaurus (CVCL)
    TISSUE = "tissue"  # Uberon, or a CL cell for cell-derived material
    GENE = "gene"  # HGNC, with MGI/RGD orthologs
    FAMILY = "family"  # gene/protein family or complex (FamPlex), e.g. PI3K, ESCRT, Wnt
    MIRNA = "mirna"  # miRBase, arm-aware canonical mature name
    PATHWAY = "pathway"  # GO biological process (signalling pathways)
    PROCESS = "process"  # GO biological process (differentiation, proliferation, ...)
    DISEASE = "disease"  # Disease Ontology (DOID)
    CONTEXT = "context"  # experimental model context (OVX, CD9 knockout, defect model)
    CHEMICAL = "chemical"  # ChEBI (glucocorticoids, estrogen)
    VESICLE = "vesicle"  # GO cellular component (extracellular exosome)
    SPECIES = "species"  # NCBITaxon
    OTHER = "other"


class Direction(str, enum.Enum):
    """Sign of an effect on its target."""

    INCREASE = "increase"
    DECREASE = "decrease"
    MIXED = "mixed"
    NONE = "none"


class Setting(str, enum.Enum):
    """Where the evidence was obtained."""

    IN_VITRO = "in_vitro"
    IN_VIVO = "in_vivo"
    IN_VITRO_AND_IN_VIVO = "in_vitro_and_in_vivo"
    CLINICAL = "clinical"
    REVIEW = "review"  # a review's own general statement, no primary experiment named
    FIGURE = "figure"  # a figure caption (Pathway Figure OCR record)


class MechanismKind(str, enum.Enum):
    """Structural form of a mechanism; picks its rate template in the model."""

    EXOSOME_TRANSFER = "exosome_transfer"  # source cell exosomes (+cargo) change a target process
    REGULATION = "regulation"  # a molecule or condition changes a process/expression, no vesicle
    RELEASE_CONTROL = "release_control"  # a gene or condition changes exosome release of a cell
    CARGO_PROFILE = "cargo_profile"  # cargo abundance in exosomes changes with a cell state
    UPTAKE = "uptake"  # how exosomes reach/enter a target cell


# What a mechanism's `source` is, by kind: only transfer and uptake start from an exosome
# donor; a cargo profile starts from the cell state or disease whose exosome cargo changes
# (`osteoporosis → miR-214 → osteoclast`), regulation and release control from what acts
# (`RAB27A → osteoclast`). Shown beside the source in `atlas search` and its --json/csv.
SOURCE_ROLES: dict[MechanismKind, str] = {
    MechanismKind.EXOSOME_TRANSFER: "source cell",
    MechanismKind.UPTAKE: "source cell",
    MechanismKind.CARGO_PROFILE: "context",
    MechanismKind.REGULATION: "regulator",
    MechanismKind.RELEASE_CONTROL: "regulator",
}


class Entity(_Record):
    """A cell, molecule, pathway, process, disease or context with its identifier."""

    key: str = Field(description="curation key other records refer to")
    name: str
    type: EntityType
    id: str | None = Field(default=None, description="CURIE, e.g. CL:0000092; null if none exists")
    unmapped_reason: str | None = Field(default=None, description="why `id` is null")
    synonyms: tuple[str, ...] = ()
    note: str | None = None

    @field_validator("key")
    @classmethod
    def _key_shape(cls, v: str) -> str:
        if not KEY_RE.match(v):
            raise ValueError(f"entity key {v!r} must match {KEY_RE.pattern}")
        return v

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str | None) -> str | None:
        if v is not None and not CURIE_RE.match(v):
            raise ValueError(f"identifier {v!r} is not a CURIE like 'CL:0000092'")
        return v

    @model_validator(mode="after")
    def _id_or_reason(self) -> Entity:
        if self.id is None and not self.unmapped_reason:
            raise ValueError(f"entity {self.key!r} has no id; give `unmapped_reason`")
        return self


class Citation(_Record):
    """The primary paper a claim rests on. DOI/PMID only where read in a source, never guessed."""

    first_author: str
    journal: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    title: str | None = None
    volume: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    ref: str | None = Field(default=None, description="reference number in the seed, e.g. '27'")

    @field_validator("doi")
    @classmethod
    def _doi(cls, v: str | None) -> str | None:
        if v is not None and not DOI_RE.match(v):
            raise ValueError(f"DOI {v!r} does not match {DOI_RE.pattern}")
        return v

    @field_validator("pmid")
    @classmethod
    def _pmid(cls, v: str | None) -> str | None:
        if v is not None and not PMID_RE.match(v):
            raise ValueError(f"PMID {v!r} is not numeric")
        return v

    def short(self) -> str:
        """Return 'Li et al., Nat Commun 2016'."""
        parts = [f"{self.first_author} et al."]
        tail = " ".join(str(x) for x in (self.journal, self.year) if x)
        return ", ".join([*parts, tail]) if tail else parts[0]


class Readout(_Record):
    """One measured quantity in an evidence item (a marker, a gene) and its direction."""

    entity: str = Field(description="entity key")
    direction: Direction


class Evidence(_Record):
    """One source's support for a mechanism."""

    citation: Citation
    read_in: str = Field(description="seed file name the claim was read from")
    quote: str = Field(description="verbatim sentence(s) in the seed's original language")
    quote_en: str = Field(description="English rendering (verbatim if the seed is English)")
    species: tuple[str, ...] = ()
    setting: Setting
    methods: tuple[str, ...] = ()
    cell_models: tuple[str, ...] = Field(default=(), description="entity keys of cell lines used")
    readouts: tuple[Readout, ...] = ()
    conflict: str | None = Field(default=None, description="disagreement with another source")

    @field_validator("species")
    @classmethod
    def _taxa(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for t in v:
            if not TAXON_RE.match(t):
                raise ValueError(f"species {t!r} must be an NCBITaxon CURIE like NCBITaxon:10090")
        return v


class MolecularTarget(_Record):
    """A molecule whose level or activity the mechanism changes in the target cell."""

    entity: str
    direction: Direction


class Mechanism(_Record):
    """How something from a source changes a process in a target, with its evidence."""

    id: Annotated[str, Field(pattern=r"^MECH:\d{4}$")]
    kind: MechanismKind
    source: str = Field(
        description="entity key: exosome donor cell (transfer, uptake), cell state or disease "
        "(cargo_profile) or regulator (regulation, release_control); see SOURCE_ROLES"
    )
    vesicle: str | None = Field(default=None, description="entity key of the vesicle, if any")
    cargo: tuple[str, ...] = ()
    target: str = Field(description="entity key of the target cell (or tissue)")
    molecular_targets: tuple[MolecularTarget, ...] = ()
    pathways: tuple[str, ...] = ()
    effect: str = Field(description="entity key of the process changed")
    direction: Direction
    contexts: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    aliases: tuple[str, ...] = Field(default=(), description="ids of records merged into this one")
    note: str | None = None

    @property
    def source_role(self) -> str:
        """What ``source`` is for this kind: ``source cell``, ``context`` or ``regulator``."""
        return SOURCE_ROLES[self.kind]

    @property
    def identity(self) -> tuple[str, str, tuple[str, ...], str, str]:
        """Identity key: two records with the same key are the same mechanism."""
        return (self.kind.value, self.source, tuple(sorted(self.cargo)), self.target, self.effect)


class InterventionKind(str, enum.Enum):
    """What was done to the experimental group."""

    EXOSOME = "exosome"
    EXOSOME_DEPLETED_MEDIUM = "exosome_depleted_medium"
    CONDITIONED_MEDIUM = "conditioned_medium"
    CELL_TRANSPLANT = "cell_transplant"
    RELEASE_INHIBITION = "release_inhibition"  # e.g. Rab27a knockdown
    KNOCKOUT = "knockout"
    KNOCKDOWN = "knockdown"
    OVEREXPRESSION = "overexpression"
    ANTAGOMIR = "antagomir"
    MIMIC = "mimic"
    DRUG = "drug"
    CYTOKINE = "cytokine"  # a protein factor added (myostatin, TNF-alpha)
    PRECONDITIONING = "preconditioning"
    CONDITION = "condition"  # a disease or state compared with healthy (OVX, aging, tumour)
    DIFFERENTIATION = "differentiation"  # cells at a differentiation stage compared


class Intervention(_Record):
    """The experimental manipulation."""

    kind: InterventionKind
    agent: str = Field(description="entity key: exosome source cell, gene, miRNA, drug or context")
    cargo: tuple[str, ...] = ()
    description: str
    dose: str | None = None
    route: str | None = Field(default=None, description="local | systemic | in_culture")
    schedule: str | None = None


class Outcome(_Record):
    """One measured outcome of an experiment."""

    measure: str = Field(description="key from data/measures/*.yaml")
    entity: str | None = Field(default=None, description="entity key (marker gene, cell)")
    direction: Direction
    time: str | None = Field(default=None, description="time point as stated in the source")
    time_days: float | None = Field(default=None, ge=0)
    note: str | None = None


class Experiment(_Record):
    """A reported experiment: intervention against control in a context, with outcomes."""

    id: Annotated[str, Field(pattern=r"^EXP:\d{4}$")]
    title: str
    intervention: Intervention
    control: str
    contexts: tuple[str, ...] = Field(min_length=1, description="entity keys of model contexts")
    system: Setting
    target_cells: tuple[str, ...] = ()
    species: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    citation: Citation
    read_in: str
    quote: str
    quote_en: str
    mechanisms: tuple[str, ...] = ()
    conflict: str | None = None

    @field_validator("species")
    @classmethod
    def _taxa(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for t in v:
            if not TAXON_RE.match(t):
                raise ValueError(f"species {t!r} must be an NCBITaxon CURIE like NCBITaxon:10116")
        return v


class Fact(_Record):
    """A property of exosomes or of the system that is not a causal mechanism.

    Examples: the size range of exosomes, their marker proteins, the body fluids they occur in.
    """

    id: Annotated[str, Field(pattern=r"^FACT:\d{4}$")]
    subject: str = Field(description="entity key")
    property: str = Field(description="size_range | density | marker | shape | found_in | ...")
    value: str
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    items: tuple[str, ...] = Field(default=(), description="entity keys (e.g. marker proteins)")
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    note: str | None = None


class Measure(_Record):
    """A measurable outcome name used by experiments (BV/TV, ALP, osteoclast number...)."""

    key: str
    name: str
    category: str = Field(description="bone | cell | marker | vessel | serum | cartilage | other")
    description: str
    unit: str | None = None


__all__ = [
    "SOURCE_ROLES",
    "SPECIES",
    "SPECIES_SHORT",
    "Citation",
    "Direction",
    "Entity",
    "EntityType",
    "Evidence",
    "Experiment",
    "Fact",
    "Intervention",
    "InterventionKind",
    "Measure",
    "Mechanism",
    "MechanismKind",
    "MolecularTarget",
    "Outcome",
    "Readout",
    "Setting",
]
