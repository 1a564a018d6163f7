"""``exobone validate``: table and JSON output, a failing id as one line with exit code 1."""

from __future__ import annotations

import json

from exobone.cli import main

SOME = ("-e", "EXP:1025", "-e", "EXP:1005", "-e", "EXP:1030", "-e", "EXP:4013")


def test_json_output_has_the_documented_shape(capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["validate", "--json", *SOME])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert set(data["summary"]) >= {"total", "representable", "agreement",
                                    "held_out_agreement", "in_vitro", "readouts", "no_data"}
    assert [e["id"] for e in data["experiments"]] == ["EXP:1025", "EXP:1005", "EXP:1030",
                                                      "EXP:4013"]
    missing = next(e for e in data["experiments"] if e["id"] == "EXP:1005")
    assert not missing["representable"] and "osteocyte_deficient" in missing["reason"]
    outcome = data["experiments"][0]["outcomes"][0]
    assert set(outcome) >= {"measure", "expected", "predicted", "agree", "status", "held_out"}
    assert outcome["held_out"]["status"]
    assert data["experiments"][0]["held_out_mechanisms"]
    # plasma miR-31: the model has no plasma compartment, so no readout, never an agreement
    mir31 = next(e for e in data["experiments"] if e["id"] == "EXP:4013")["outcomes"][0]
    assert mir31["relative_change"] is None
    assert mir31["status"] == "no readout" and mir31["agree"] is None
    assert "no plasma compartment" in mir31["note"]


def test_table_names_citations_thresholds_and_failures(capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["validate", "--no-held-out", "-j", "1", *SOME])
    out = capsys.readouterr().out
    assert code == 0
    assert "Zhang et al." in out and "Furuta et al." in out
    assert "counts as no change" in out
    assert "not representable:" in out and "EXP:1005" in out
    assert "held-out model" in out and "in vitro (" in out
    assert "no data" in out


def test_unknown_experiment_is_one_line_and_exit_1(capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["validate", "-e", "EXP:99999"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: unknown experiment 'EXP:99999'")
    assert len(err.strip().splitlines()) == 1
