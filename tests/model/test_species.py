"""Per-species physiology: species differ where data say so, every number is sourced, sites
without data are refused."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from exobone.errors import UnknownNameError
from exobone.model.assemble import build_model
from exobone.model.core import healthy_values
from exobone.model.parameters import Assumed, Reference
from exobone.model.species import SPECIES_PHYSIOLOGY, require_site
from exobone.simulate import compile_model

DATA = Path(__file__).resolve().parents[2] / "data" / "calibration"


def _records() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name in ("physiology.yaml", "pharmacology.yaml"):
        for rec in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["records"]:
            out[rec["id"]] = rec
    return out


def _core(species: str, site: str | None = None):
    return build_model("healthy", species=species, site=site, exosome_layer=False)


def _value(model, name: str) -> float:
    return model.require_parameter(name).value


def test_turnover_and_remodeling_periods_differ_by_species() -> None:
    human, rat, mouse = _core("human"), _core("rat"), _core("mouse")
    # human iliac trabecular ~25 %/yr; the rodents an order of magnitude faster (rat fit)
    assert _value(human, "trabecular_turnover") == pytest.approx(0.25)
    assert _value(rat, "trabecular_turnover") > 10 * _value(human, "trabecular_turnover")
    # human BMU: resorbs ~27 d (Agerbaek 1991), forms ~69 d (iliac trabecular formation time)
    assert 1 / _value(human, "k_oc_apoptosis") == pytest.approx(27.0)
    assert 1 / _value(human, "k_ob_removal") == pytest.approx(69.0)
    assert 1 / _value(rat, "k_oc_apoptosis") < 1 / _value(human, "k_oc_apoptosis")
    assert _value(mouse, "estrogen_sensitivity") != _value(rat, "estrogen_sensitivity")


@pytest.mark.parametrize(("species", "site", "bv_tv"), [
    ("human", None, 18.3), ("human", "lumbar_spine", 16.3), ("human", "proximal_tibia", 21.5),
    ("rat", None, 17.6), ("mouse", None, 8.5)])
def test_healthy_bv_tv_by_site_is_a_steady_state(species: str, site: str | None,
                                                 bv_tv: float) -> None:
    model = _core(species, site)
    assert _value(model, "bv_tv_healthy") == bv_tv
    assert model.metadata["site"] == (site or SPECIES_PHYSIOLOGY[species].default_site)
    cm = compile_model(model)
    p = cm.parameter_vector(model, None)
    y = cm.initial_state(model, p, None)
    assert dict(zip(cm.states, y.tolist())) == pytest.approx(healthy_values(species, site))
    assert np.abs(cm.rhs(0.0, y, p)).max() < 1e-12


@pytest.mark.parametrize(("species", "site", "message"), [
    ("mouse", "femoral_neck", r"unknown site for mouse 'femoral_neck' \(known: proximal_tibia\)"),
    ("rat", "lumbar_spine", (r"^no rat data for site 'lumbar_spine': healthy BV/TV of rat was "
                            r"read only for proximal_tibia$")),
    ("human", "lumbar-spin", r"did you mean 'lumbar_spine'"),
])
def test_a_site_without_data_is_refused_in_one_line(species: str, site: str,
                                                    message: str) -> None:
    with pytest.raises(UnknownNameError, match=message) as err:
        build_model("healthy", species=species, site=site, exosome_layer=False)
    assert "\n" not in str(err.value)


def test_unknown_species_is_refused() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'human'"):
        require_site("humam")


def test_every_species_number_cites_a_record_or_says_why_it_is_assumed() -> None:
    records = _records()
    text = "\n".join((DATA / n).read_text(encoding="utf-8")
                     for n in ("physiology.yaml", "pharmacology.yaml"))
    for phys in SPECIES_PHYSIOLOGY.values():
        sources = [s.source for s in phys.sites.values()]
        sources += [source for _, _, source in phys.parameters.values()]
        for source in sources:
            assert isinstance(source, (Reference, Assumed)), (phys.name, source)
            if isinstance(source, Assumed):
                assert len(source.reason) > 40, source
                continue
            cited = re.findall(r"record (\w+)", source.note)
            fitted = "calibrate_" in source.note
            model = "BIOMD" in source.note  # a published model's value (shared/reference)
            assert cited or fitted or model, (phys.name, source.note)
            for rid in cited:
                assert rid in records, rid
            if source.doi:  # only identifiers read in a retrieved text (kept in the records)
                assert source.doi in text, source.doi


def test_fitted_species_values_are_those_the_species_script_fits() -> None:
    import ast

    script = Path(__file__).resolve().parents[2] / "scripts" / "calibrate_species.py"
    tree = ast.parse(script.read_text(encoding="utf-8"))
    fitted = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Assign)
                  and any(getattr(t, "id", "") == "FITTED" for t in node.targets))
    said = {(phys.name, name) for phys in SPECIES_PHYSIOLOGY.values()
            for name, (_, _, source) in phys.parameters.items()
            if isinstance(source, Reference) and "calibrate_species.py" in source.note}
    assert said == set(fitted)
