"""The README's newcomer section: every example input it names exists, and the example commands
that read a shipped file run as written (from the repository root, as a newcomer would)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Before you start"

#: every ``examples/`` path the newcomer section names, and whether this branch ships it. The
#: atlas inputs come with the atlas work; set them to True once they are in ``examples/``.
EXAMPLE_FILES: dict[str, bool] = {
    "examples/calibrate/": True,
    "examples/calibrate/model.xml": True,
    "examples/cohort_priors.yaml": True,
    "examples/enrich_mirnas.txt": True,
    "examples/pfocr_figure.md": True,
}

#: what a successful run of each shipped example prints (a command's first word after exobone)
EXPECTED_OUTPUT = {
    "calibrate": ("k_loss", "k_supply"),
    "cohort": ("status: treated: ok 20; control: ok 20",),
    "sbml": ("species / variable", "t=15"),
}


def newcomer_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:end if end >= 0 else None]


def example_commands() -> list[list[str]]:
    """The ``exobone ...`` lines of the section's code blocks (continuations joined, comments
    dropped), as argument lists."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", newcomer_section(), flags=re.DOTALL):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            args = shlex.split(line, comments=True)
            if args and args[0] == "exobone":
                commands.append(args[1:])
    return commands


def test_every_example_path_named_is_listed_and_shipped_ones_exist() -> None:
    named = set(re.findall(r"examples/[\w./-]*[\w/]", newcomer_section()))
    assert named == set(EXAMPLE_FILES), "list each examples/ path of the README in EXAMPLE_FILES"
    for path, shipped in EXAMPLE_FILES.items():
        if shipped:
            assert (REPO / path).exists(), path
    # and nothing ships in examples/ that the newcomer section does not name
    on_disk = {f"examples/{p.name}" + ("/" if p.is_dir() else "")
               for p in (REPO / "examples").iterdir()}
    top = {p for p in EXAMPLE_FILES if "/" not in p.removeprefix("examples/").rstrip("/")}
    assert on_disk == top


def test_each_command_reading_a_shipped_example_runs_as_written(tmp_path: Path) -> None:
    shipped = [p for p, ok in EXAMPLE_FILES.items() if ok]
    # the atlas examples run as docs/atlas.md writes them, in tests/atlas/test_examples.py
    runs = [args for args in example_commands()
            if any(a in shipped for a in args) and args[0] != "atlas"]
    assert sorted(args[0] for args in runs) == sorted(EXPECTED_OUTPUT)
    env = {**os.environ, "EXOBONE_HOME": str(tmp_path / "home")}
    for args in runs:
        done = subprocess.run([sys.executable, "-m", "exobone", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=1800, check=False)
        assert done.returncode == 0, (args, done.stderr[-2000:])
        for expected in EXPECTED_OUTPUT[args[0]]:
            assert expected in done.stdout, (args, expected, done.stdout[-2000:])


@pytest.mark.parametrize("path", [p for p, ok in EXAMPLE_FILES.items() if ok])
def test_shipped_examples_are_small(path: str) -> None:
    """Examples are for reading: a few kilobytes, not data sets."""
    target = REPO / path
    files = [target] if target.is_file() else [f for f in target.rglob("*") if f.is_file()]
    assert files and sum(f.stat().st_size for f in files) < 20_000


#: what issue 15 found "not said anywhere a user looks", and the words that say it
NEWCOMER_TOPICS = {
    "times are days": "Times are days everywhere",
    "exosome dose unit": "µg of exosome protein per administration",
    "drug dose units": "take `dose=` per administration as `60mg`",
    "default route": "`route=systemic`",
    "what BV/TV is and which site": "BV/TV is the trabecular bone volume per tissue volume",
    "1.0 is healthy": "1.0 is the healthy steady state",
    "species per scenario": "| scenario | default | also |",
    "what is assumed": "**What is assumed.**",
    "what the seeds are": "five source documents (\"seeds\"",
    "where the seeds are": "EXOBONE_SEEDS=",
    "where the reference models are": "EXOBONE_SHARED=",
    "how long things take": "**How long things take.**",
    "example inputs": "**Example inputs**",
}


@pytest.mark.parametrize("topic", sorted(NEWCOMER_TOPICS))
def test_the_newcomer_section_says_it(topic: str) -> None:
    assert NEWCOMER_TOPICS[topic] in " ".join(newcomer_section().split()), topic


def test_the_first_commands_are_install_and_demo_then_the_suite() -> None:
    """The README opens with the two commands a newcomer runs: set up + demo, and the tests."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, flags=re.DOTALL).group(1)  # type: ignore[union-attr]
    commands = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/exobone demo",
        "bash scripts/test.sh"]
    assert (REPO / "scripts" / "test.sh").is_file()
    assert 'exobone = "exobone.cli:main"' in (REPO / "pyproject.toml").read_text()
