"""Browser tests in headless Chromium (Debian's package) driven by Playwright's Python API.

A uvicorn server runs the app on a free loopback port in a thread. The tests search the atlas for
miR-214, open its evidence from the network, run ``ovx`` with BMSC exosomes and see the plot, and
save screenshots to ``tmp_path``. Without Chromium they skip, except under CI (``CI=true``),
where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

#: a page is ready once its first API answers arrive; the first request of a fresh server loads
#: the atlas vocabularies and starts the simulation workers (seen at 30+ s on a busy 2-core
#: machine), so the wait is generous: it only bounds a hang
READY_MS = 120_000
CHROMIUM = os.environ.get("EXOBONE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _need_browser() -> None:
    """Chromium is a system package, not a Python dependency: skip without it, except in CI."""
    if not Path(CHROMIUM).is_file():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + "; scripts/test.sh installs it in CI")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(web_db: Path) -> Iterator[str]:
    _need_browser()
    import uvicorn

    from exobone.web import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db=web_db), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1500, "height": 950})  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_search_mir214_and_open_its_evidence(page: object, base_url: str, tmp_path: Path) -> None:
    pg = page
    pg.goto(base_url + "/")  # type: ignore[attr-defined]
    pg.wait_for_selector("body[data-ready='1']", timeout=READY_MS)  # type: ignore[attr-defined]
    pg.fill("#f-cargo", "miR-214")  # type: ignore[attr-defined]
    pg.click("#search-btn")  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        "new URLSearchParams(location.search).get('cargo') === 'miR-214' && "
        "window.exoboneAtlas.state.cy && window.exoboneAtlas.state.cy.nodes().length > 0 && "
        "window.exoboneAtlas.state.mechanisms.every(m => m.cargo.some(c => c.startsWith('miR-214')))",
        timeout=30_000, polling=100)
    assert pg.locator("#result-count").inner_text().split()[0].isdigit()  # type: ignore[attr-defined]
    # the network holds the miRNA node and signed edges (`void`: returning a Cytoscape element
    # would make Playwright serialise the whole graph)
    assert pg.evaluate("window.exoboneAtlas.state.cy.getElementById('miR-214-3p').length") == 1  # type: ignore[attr-defined]
    assert pg.evaluate("window.exoboneAtlas.state.cy.edges('[sign < 0]').length") > 0  # type: ignore[attr-defined]
    # click the node where Cytoscape drew it, as a user would
    box = pg.locator("#cy").bounding_box()  # type: ignore[attr-defined]
    pos = pg.evaluate(  # type: ignore[attr-defined]
        "(() => { const p = window.exoboneAtlas.state.cy.getElementById('miR-214-3p')"
        ".renderedPosition(); return [p.x, p.y]; })()")
    pg.mouse.click(box["x"] + pos[0], box["y"] + pos[1])  # type: ignore[attr-defined]
    panel = pg.locator("#evidence")  # type: ignore[attr-defined]
    panel.locator(".evidence").first.wait_for(timeout=10_000)
    text = panel.inner_text()
    assert "miR-214-3p" in text
    assert "破骨细胞" in text  # original-language quote (Chinese review)
    assert "osteoclast" in text.lower()  # English rendering
    assert "Li et al., Nat Commun 2016" in text  # citation
    assert "Mus musculus" in text and "in vivo" in text  # species, setting
    assert "source document" in text
    pg.screenshot(path=str(tmp_path / "atlas_mir214_evidence.png"))  # type: ignore[attr-defined]
    # an edge opens the evidence of its mechanism; a table row does too
    pg.evaluate("void window.exoboneAtlas.state.cy.edges('[sign < 0]')[0].emit('tap')")  # type: ignore[attr-defined]
    assert "MECH:" in panel.inner_text()
    pg.click(".tabs button[data-tab='table']")  # type: ignore[attr-defined]
    pg.click("#mech-table tbody tr:first-child")  # type: ignore[attr-defined]
    assert "miR-214" in panel.inner_text() and "Li et al." in panel.inner_text()
    # the download links carry the current selection
    href = pg.get_attribute("#downloads a[data-format='cx2']", "href")  # type: ignore[attr-defined]
    assert href is not None and "cargo=miR-214" in href and "format=cx2" in href


def test_run_ovx_with_bmsc_exosomes_and_see_the_plot(page: object, base_url: str,
                                                      tmp_path: Path) -> None:
    pg = page
    pg.goto(base_url + "/run")  # type: ignore[attr-defined]
    pg.wait_for_selector("body[data-ready='1']", timeout=READY_MS)  # type: ignore[attr-defined]
    assert not pg.locator("#downloads").is_visible()  # type: ignore[attr-defined]  # nothing run yet
    pg.select_option("#scenario", "ovx")  # type: ignore[attr-defined]
    pg.fill("#days", "180")  # type: ignore[attr-defined]
    pg.select_option("#iv-kind", "exosome")  # type: ignore[attr-defined]
    pg.select_option("#iv-source", "bmsc")  # type: ignore[attr-defined]
    pg.fill("#iv-dose", "100")  # type: ignore[attr-defined]
    pg.fill("#iv-start", "28")  # type: ignore[attr-defined]
    pg.fill("#iv-every", "7")  # type: ignore[attr-defined]
    pg.click("#iv-add")  # type: ignore[attr-defined]
    chip = pg.locator("#iv-list code").first  # type: ignore[attr-defined]
    assert chip.inner_text() == "exosome:bmsc,dose=100,start=28,every=7"
    pg.click("#run-btn")  # type: ignore[attr-defined]
    pg.wait_for_selector("#plot-bv_tv .main-svg", timeout=120_000)  # type: ignore[attr-defined]
    # treated and control traces are both drawn
    assert pg.locator("#plot-bv_tv .scatterlayer .trace").count() == 2  # type: ignore[attr-defined]
    assert "BV/TV" in pg.locator("#plot-bv_tv").inner_text()  # type: ignore[attr-defined]
    assert pg.locator("#plot-osteoclasts .main-svg").count() >= 1  # type: ignore[attr-defined]
    table = pg.locator("#outcome-table").inner_text()  # type: ignore[attr-defined]
    assert "BV/TV" in table and "osteoblasts" in table
    assert "ovx (rat)" in pg.locator("#result-title").inner_text()  # type: ignore[attr-defined]
    assert pg.locator("#downloads").is_visible()  # type: ignore[attr-defined]
    href = pg.get_attribute("#dl-sbml", "href")  # type: ignore[attr-defined]
    assert href is not None and "scenario=ovx" in href and "exosome%3Abmsc" in href
    pg.screenshot(path=str(tmp_path / "run_ovx_bmsc.png"), full_page=True)  # type: ignore[attr-defined]


def test_bad_intervention_shows_the_error(page: object, base_url: str, tmp_path: Path) -> None:
    pg = page
    pg.goto(base_url + "/run")  # type: ignore[attr-defined]
    pg.wait_for_selector("body[data-ready='1']", timeout=READY_MS)  # type: ignore[attr-defined]
    pg.fill("#iv-raw", "exosome:nowhere,dose=5")  # type: ignore[attr-defined]
    pg.click("#iv-raw-add")  # type: ignore[attr-defined]
    pg.click("#run-btn")  # type: ignore[attr-defined]
    err = pg.locator("#error")  # type: ignore[attr-defined]
    pg.wait_for_function("document.getElementById('error').textContent.length > 0",
                         polling=100)  # type: ignore[attr-defined]
    assert "unknown exosome source 'nowhere'" in err.inner_text()
    pg.screenshot(path=str(tmp_path / "run_error.png"))  # type: ignore[attr-defined]


@pytest.mark.parametrize("path,selector", [("/scorecard", "#score-table tbody tr"),
                                           ("/api", ".endpoint")])
def test_other_pages_render(page: object, base_url: str, tmp_path: Path, path: str,
                            selector: str) -> None:
    pg = page
    pg.goto(base_url + path)  # type: ignore[attr-defined]
    pg.wait_for_selector(selector, timeout=30_000)  # type: ignore[attr-defined]
    assert pg.locator(selector).count() > 5  # type: ignore[attr-defined]
    pg.screenshot(path=str(tmp_path / f"page{path.replace('/', '_')}.png"))  # type: ignore[attr-defined]
