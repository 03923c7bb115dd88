"""report.html in a real browser (headless Debian chromium driven by Playwright).

The report must open offline with no console error, show its diagrams and findings table, and
treat hostile text from a map as text: a map whose names carry <script>, onerror= and onload=
payloads executes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reportkit import ABSOLOOP, TINY, hostile, run_cli, session_base, shared, write_map

from flowatlas.report.runner import latest_run

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _absoloop(folder: Path) -> dict:
    return run_cli(folder, str(ABSOLOOP), "--out", str(folder / "out"), "--fail-on", "high")


def _hostile(folder: Path) -> dict:
    m = write_map(folder / "map", hostile(TINY))
    return run_cli(folder, str(m), "--out", str(folder / "out"))


def _open(browser, html: Path):
    """Open ``html`` with the network cut off; returns (page, console errors, blocked requests, dialogs)."""
    ctx = browser.new_context(offline=True, java_script_enabled=True)
    page = ctx.new_page()
    errors, blocked, dialogs = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def block(route):
        blocked.append(route.request.url)
        route.abort()

    page.route("http*://**/*", block)
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_timeout(200)
    return page, errors, blocked, dialogs


def test_absoloop_report_in_chromium(browser, tmp_path_factory):
    r = shared(session_base(tmp_path_factory), "absoloop", _absoloop)
    run = latest_run(Path(r["folder"]) / "out" / "absoloop")
    assert run is not None, r["stderr"]
    page, errors, blocked, dialogs = _open(browser, run / "report.html")
    try:
        assert errors == [] and blocked == [] and dialogs == []
        diagrams = page.locator("img[src^='data:image/svg+xml']")
        assert diagrams.count() >= 2
        for i in range(2):
            img = diagrams.nth(i)
            img.scroll_into_view_if_needed()
            assert img.is_visible()
            assert img.evaluate("i => i.complete && i.naturalWidth > 100 && i.naturalHeight > 50")
        table = page.locator("table", has=page.locator("th", has_text="remedy")).first
        table.scroll_into_view_if_needed()
        assert table.is_visible()
        assert table.locator("td", has_text="cross-border-basis").count() >= 1
        assert page.locator("h2", has_text="Data inventory").is_visible()
        assert page.locator("text=import flowatlas").count() == 0  # no code in the report
    finally:
        page.context.close()


def test_hostile_names_execute_nothing(browser, tmp_path_factory):
    r = shared(session_base(tmp_path_factory), "hostile", _hostile)
    assert r["code"] == 0, r["stderr"]
    run = latest_run(Path(r["folder"]) / "out" / "tiny")
    page, errors, blocked, dialogs = _open(browser, run / "report.html")
    try:
        assert page.evaluate("window.__pwned") is None
        assert errors == [] and blocked == [] and dialogs == []
        assert page.locator("script").count() == 0
        assert page.locator("img[src='x'], svg[onload], [onerror]").count() == 0
        body = page.inner_text("body")
        assert "<script>window.__pwned=1</script>" in body  # shown as text
        assert '<img src=x onerror="window.__pwned=2">Web & <b>shop</b>' in body
        assert page.locator("img[src^='data:image/svg+xml']").count() >= 2  # diagrams still drawn
    finally:
        page.context.close()
