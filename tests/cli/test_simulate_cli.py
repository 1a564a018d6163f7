"""``exobone simulate``, ``exobone list`` and ``exobone model explain``: output and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exobone.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulate_prints_a_table(capsys) -> None:
    code, out, err = run(capsys, "simulate", "ovx", "--no-exosomes", "--days", "100")
    assert code == 0, err
    assert "BV/TV" in out and "osteoclasts" in out and "day 100" in out
    assert "ctx" in out and "p1np" in out


def test_simulate_compare_shows_treated_and_control(capsys) -> None:
    code, out, err = run(capsys, "simulate", "ovx", "--no-exosomes", "--days", "60",
                         "--intervention", "denosumab,start=0", "--compare")
    assert code == 0, err
    assert "treated | control" in out and "denosumab" in out


def test_simulate_json_shape(capsys) -> None:
    code, out, err = run(capsys, "simulate", "ovx", "--species", "rat", "--no-exosomes",
                         "--days", "120", "-i", "bisphosphonate,start=28", "--compare", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["scenario"] == "ovx"
    assert data["interventions"] == ["bisphosphonate:start=28"]
    times = data["times"]
    assert times[0] == 0 and times[-1] == 120
    for name in ("bv_tv", "osteoblasts", "osteoclasts"):
        assert len(data["outcomes"][name]) == len(times)
    control = data["control"]
    assert control["interventions"] == [] and control["times"] == times
    assert set(control["outcomes"]) == set(data["outcomes"])
    assert data["outcomes"]["bv_tv"][-1] > control["outcomes"]["bv_tv"][-1]
    prov = data["provenance"]
    assert prov["model_hash"] and prov["solver"]["method"] == "LSODA"
    assert prov["parameters"]["trabecular_turnover"] > 0 and prov["metadata"]["atlas_version"]


def test_simulate_json_without_compare_has_no_control(capsys) -> None:
    code, out, _ = run(capsys, "simulate", "healthy", "--no-exosomes", "--days", "30", "--json")
    assert code == 0 and "control" not in json.loads(out)


def test_simulate_plot_writes_a_png(capsys, tmp_path: Path) -> None:
    png = tmp_path / "ovx.png"
    code, _, err = run(capsys, "simulate", "ovx", "--no-exosomes", "--days", "90",
                       "-i", "pth-intermittent,start=14", "--plot", str(png))
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_simulate_with_the_exosome_layer(capsys) -> None:
    code, out, err = run(capsys, "simulate", "fracture", "--days", "56", "--json")
    assert code == 0, err
    assert json.loads(out)["outcomes"]["defect_fill"][-1] > 0.5


@pytest.mark.parametrize("args, message", [
    (("simulate", "ovxx"), "did you mean 'ovx'"),
    (("simulate", "ovx", "--species", "dog"), "unknown species"),
    (("simulate", "ovx", "-i", "denosumab,dose=-1"), "dose must be >= 0"),
    (("simulate", "ovx", "-i", "denosumab,start=90,stop=30"), "impossible schedule"),
    (("simulate", "ovx", "-i", "bisphosphonate,every=0"), "every must be > 0"),
    (("simulate", "ovx", "-i", "denosumb"), "did you mean 'denosumab'"),
    (("simulate", "ovx", "--days", "-5"), "days must be"),
    (("simulate", "ovx", "--days", "100", "--times", "0,200"), "outside the run"),
])
def test_bad_input_is_one_line_and_exit_code_1(capsys, args, message) -> None:
    code, _out, err = run(capsys, *args, "--no-exosomes")
    assert code == 1
    assert message in err and err.startswith("error:") and err.count("\n") == 1


def test_unknown_exosome_source_suggests_one(capsys) -> None:
    code, _, err = run(capsys, "simulate", "ovx", "-i", "exosome:hipsc-mcs,dose=100")
    assert code == 1 and "did you mean" in err


def test_list_scenarios_and_interventions(capsys) -> None:
    code, out, _ = run(capsys, "list", "scenarios")
    assert code == 0
    lines = out.strip().splitlines()
    assert any(line.startswith("ovx ") for line in lines)
    assert any(line.startswith("lung-tumor-angiogenesis") for line in lines)
    code, out, _ = run(capsys, "list", "interventions")
    assert code == 0 and "denosumab" in out and "pth-intermittent" in out
    # each drug regimen shows its units and defaults on the line after its kind
    lines = out.splitlines()
    for kind, default in (("denosumab", "human default 60mg every 182 d"),
                          ("zoledronate", "human default 5mg every 365 d"),
                          ("alendronate", "human default 70mg every 7 d"),
                          ("teriparatide", "human default 20ug every 1 d")):
        i = next(i for i, line in enumerate(lines) if line.startswith(kind + " "))
        assert "units: dose in ug, mg, ug/kg or mg/kg" in lines[i + 1], kind
        assert default in lines[i + 1], kind


def test_simulate_json_records_the_resolved_drug_regimen(capsys) -> None:
    code, out, _ = run(capsys, "simulate", "healthy", "--species", "human", "--days", "30",
                       "-i", "denosumab,dose=60mg,every=182", "--json")
    assert code == 0
    meta = json.loads(out)["provenance"]["metadata"]
    assert meta["interventions"] == ["denosumab:dose=60mg,every=182"]
    (regimen,) = meta["drug_regimens"]
    assert "60 mg per dose = 0.8571 mg/kg (human, 70 kg)" in regimen


def test_list_sources(capsys) -> None:
    code, out, _ = run(capsys, "list", "sources")
    assert code == 0 and "hipsc-msc" in out


def test_model_explain(capsys) -> None:
    code, out, err = run(capsys, "model", "explain", "osteoclasts", "--scenario", "ovx")
    assert code == 0, err
    assert "oc_differentiation" in out and "oc_apoptosis" in out and "Komarova" in out
    assert "estrogen" in out


def test_model_explain_unknown_state(capsys) -> None:
    code, _, err = run(capsys, "model", "explain", "osteoclast")
    assert code == 1 and "did you mean 'osteoclasts'" in err


def test_model_explain_an_outcome_explains_its_state(capsys) -> None:
    code, out, err = run(capsys, "model", "explain", "bv_tv", "--scenario", "ovx")
    assert code == 0, err
    assert "bone_volume" in out and "m_bone_resorption" in out


def test_help_shows_the_defaults_written_in_brackets(capsys) -> None:
    """rich markup would swallow an unescaped "[default: ...]" in option help."""
    code, out, _ = run(capsys, "simulate", "--help")
    assert code == 0
    text = " ".join(out.replace("│", " ").split())  # undo the panel's wrapping
    assert "[default: the scenario's]" in text and "[default: 0,14,35,100,180,365" in text


def test_simulate_shows_the_scenario_default_route(capsys) -> None:
    """Issue 13 point 2: without route= the dose takes the route of the scenario's experiments
    (calvarial defects: local, EXP:1020/EXP:1024), and every output names it."""
    code, out, err = run(capsys, "simulate", "calvarial-defect", "--days", "14", "--json",
                         "-i", "exosome:hipsc-msc,dose=100,every=7")
    assert code == 0, err
    assert json.loads(out)["interventions"] == [
        "exosome:hipsc-msc,dose=100ug,route=local,start=0,every=7"]
    code, out, err = run(capsys, "simulate", "myeloma", "--days", "14",
                         "-i", "exosome:bmsc,dose=100")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "exosome:bmsc,dose=100: no experiment" in err
    assert "give route=local or route=systemic" in err
