"""The code generator's sparse Jacobian and the on-disk cache of generated source."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

import exobone
from exobone.model import Assignment, Assumed, ModelSpec, Parameter, State, Term
from exobone.simulate import compile as compile_module
from exobone.simulate import model_cache
from exobone.simulate.compile import clear_cache, compile_model

SRC = Assumed("test")


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh EXOBONE_CACHE and an empty in-memory cache (and messages said anew)."""
    monkeypatch.setenv("EXOBONE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(model_cache, "_SAID", set())
    clear_cache()
    yield tmp_path / "cache"
    clear_cache()


def chained(n: int = 6) -> ModelSpec:
    """States coupled only through chains of assignments, one state nothing reads, and an
    assignment whose dependence on a state cancels (x - x)."""
    states = [State(f"x{i}", 1.0 + 0.1 * i) for i in range(n)]
    assignments = [Assignment("a0", "x0 * x1 / (k + x2)"),
                   Assignment("a1", "a0 ** 2 + exp(-x3) + x4 - x4"),
                   Assignment("a2", "k * a1 + a0 * x1"),
                   Assignment("unused", "x5 * 3")]
    terms = [Term("t0", "a2 - x0", {"x0": 1, "x1": -2.5}),
             Term("t1", "k * x3 * a1", {"x3": -1, "x2": 1}),
             Term("t2", "0.5 * x4", {"x4": -1})]
    return ModelSpec("chained", states=states, parameters=[Parameter("k", 0.7, unit="1", source=SRC)],
                     assignments=assignments, terms=terms)


def dense_jacobian(spec: ModelSpec, y: np.ndarray, k: float) -> np.ndarray:
    """d(dy/dt)/dy from sympy's own dense Jacobian of the fully substituted right-hand side."""
    syms = {s.name: sympy.Symbol(s.name) for s in spec.states}
    syms["k"] = sympy.Symbol("k")
    values: dict[str, sympy.Expr] = dict(syms)
    for a in spec.assignments:
        values[a.name] = sympy.sympify(a.expr, locals=values)
    rhs = [sympy.Integer(0)] * len(spec.states)
    index = {s.name: i for i, s in enumerate(spec.states)}
    for t in spec.terms:
        rate = sympy.sympify(t.rate, locals=values)
        for target, coef in t.stoichiometry.items():
            rhs[index[target]] += coef * rate
    state_syms = [syms[s.name] for s in spec.states]
    jac = sympy.Matrix(rhs).jacobian(state_syms)
    point = {**dict(zip(state_syms, y, strict=True)), syms["k"]: k}
    return np.array(jac.subs(point).evalf(), dtype=float)


def test_sparse_jacobian_equals_sympys_dense_jacobian(cache_root: Path) -> None:
    spec = chained()
    cm = compile_model(spec)
    p = cm.parameter_vector(spec)
    y = np.array([1.3, 0.7, 2.1, 0.4, 1.9, 3.3])
    dense = dense_jacobian(spec, y, 0.7)
    np.testing.assert_allclose(cm.jacobian(0.0, y, p), dense, rtol=1e-12, atol=1e-12)
    # only the structurally non-zero entries are written (x5 is read by nothing, x4 - x4 cancels)
    written = {divmod(int(m), 6) for m in re.findall(r"^\s+out\[(\d+)\] = ",
                                                     cm.source.split("def jac")[1]
                                                     .split("def assignments")[0], re.MULTILINE)}
    assert written == set(zip(*np.nonzero(dense), strict=True))


def test_jacobian_of_the_ovx_model_matches_finite_differences(ovx_model: ModelSpec) -> None:
    cm = compile_model(ovx_model)
    p = cm.parameter_vector(ovx_model)
    y = cm.initial_state(ovx_model, p) * 1.1 + 1e-3
    jac = cm.jacobian(30.0, y, p)
    for j in range(cm.n_states):
        h = 1e-6 * max(abs(y[j]), 1e-3)
        up, down = y.copy(), y.copy()
        up[j] += h
        down[j] -= h
        column = (cm.rhs(30.0, up, p) - cm.rhs(30.0, down, p)) / (2 * h)
        scale = np.abs(jac).max(axis=1) + 1e-12
        np.testing.assert_allclose(jac[:, j] / scale, column / scale, atol=1e-5,
                                   err_msg=f"column {cm.states[j]}")


def test_second_compile_reads_the_disk_not_sympy(cache_root: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    first = compile_model(chained())
    assert len(list((cache_root / "models").glob("*.json"))) == 1
    clear_cache()

    def no_sympy(spec: ModelSpec) -> None:
        raise AssertionError("generated again instead of read from the cache")

    monkeypatch.setattr(compile_module, "_generate", no_sympy)
    second = compile_model(chained())
    assert second is not first and second.source == first.source
    y, p = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], second.parameter_vector(chained())
    np.testing.assert_array_equal(second.jacobian(0.0, y, p), first.jacobian(0.0, y, p))
    np.testing.assert_array_equal(second.rhs(0.0, y, p), first.rhs(0.0, y, p))


def test_bypassed_neither_reads_nor_writes(cache_root: Path) -> None:
    with model_cache.bypassed():
        compile_model(chained())
    assert not list(cache_root.glob("models/*.json"))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "edited", "other key"])
def test_a_corrupt_entry_is_regenerated_with_one_line(cache_root: Path, damage: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    good = compile_model(chained())
    clear_cache()
    (path,) = (cache_root / "models").glob("*.json")
    text = path.read_text()
    record = json.loads(text)
    if damage == "garbage":
        path.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2])
    elif damage == "edited":
        path.write_text(json.dumps({**record, "source": record["source"] + "\nx = 1\n"}))
    else:
        path.write_text(json.dumps({**record, "key": "0" * 32}))
    again = compile_model(chained())
    err = capsys.readouterr().err
    assert again.source == good.source
    assert err.count("\n") == 1, err
    assert ("corrupt compiled-model cache file" in err
            or "cannot read the compiled-model cache file" in err), err
    rewritten = json.loads(path.read_text())  # whole again
    assert {**rewritten, "seconds": 0} == {**record, "seconds": 0}


def test_an_unwritable_cache_compiles_without_it(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("EXOBONE_CACHE", str(blocker))
    monkeypatch.setattr(model_cache, "_SAID", set())
    clear_cache()
    cm = compile_model(chained())
    clear_cache()
    compile_model(chained())  # said once, not at every compile
    err = capsys.readouterr().err
    assert cm.has_jacobian
    assert err.count("\n") == 1 and "compiling without it" in err, err


def test_the_key_changes_with_the_version_and_the_structure(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    spec = chained()
    key = model_cache.cache_key(spec.name, spec.structure_hash())
    other = chained(7)
    assert model_cache.cache_key(other.name, other.structure_hash()) != key
    model_cache._generator_digest.cache_clear()
    monkeypatch.setattr(exobone, "__version__", "0.0.0-test")
    try:
        assert model_cache.cache_key(spec.name, spec.structure_hash()) != key
    finally:
        monkeypatch.undo()
        model_cache._generator_digest.cache_clear()
    assert model_cache.cache_key(spec.name, spec.structure_hash()) == key


def test_cli_with_a_cache_that_is_a_file_says_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "cache-file"
    blocker.write_text("")
    env = {**os.environ, "EXOBONE_CACHE": str(blocker),
           "PYTHONPATH": str(Path(exobone.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-m", "exobone", "simulate", "ovx", "--days", "2",
                           "--no-exosomes", "--json"],
                          capture_output=True, text=True, env=env, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot write the compiled-model cache" in done.stderr


def test_a_long_code_generation_is_announced_once(cache_root: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(compile_module, "_SAY_ABOVE_SECONDS", 0.0)
    compile_model(chained())
    clear_cache()
    compile_model(chained())  # from the disk: nothing to announce
    err = capsys.readouterr().err
    assert err.count("compiling model chained (6 states; once per model, about ") == 1, err
    assert str(cache_root / "models") in err


def test_a_small_model_compiles_silently(cache_root: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    compile_model(chained())
    assert capsys.readouterr().err == ""
