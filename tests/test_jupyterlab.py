"""JupyterLab itself: a real ``jupyter lab`` server on a free loopback port, driven by Playwright
with Debian's chromium. explore.ipynb runs there (Run ▸ Run All Cells), and each inline diagram
is real ``<svg>`` with ``<title>`` elements, fits the notebook's width, and shows a tooltip when
an arrow is hovered."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_report_browser import ARGS, CHROMIUM

from conftest import ABSOLOOP, ROOT

pytestmark = pytest.mark.slow
TOKEN = "flowatlas-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the notebooks and the Absoloop map; its URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    work = tmp_path_factory.mktemp("lab")
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(nb, work / nb.name)
    shutil.copytree(ABSOLOOP, work / "dataflows" / "absoloop")
    port = _free_port()
    jupyter = {"JUPYTER_CONFIG_DIR": str(work / ".config"), "JUPYTER_RUNTIME_DIR": str(work / ".runtime")}
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={TOKEN}",
        f"--ServerApp.root_dir={work}", f"--LabApp.workspaces_dir={work / '.ws'}",
        f"--LabApp.user_settings_dir={work / '.settings'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    with open(work / "lab.log", "w") as log:
        yield from _serve(cmd, work, log, {**os.environ, **jupyter}, f"http://127.0.0.1:{port}")


def _serve(cmd: list[str], work: Path, log, env: dict, url: str):
    proc = subprocess.Popen(cmd, cwd=work, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("jupyter lab did not start: " + (work / "lab.log").read_text()[-2000:])
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


DIAGRAM = ".jp-OutputArea-output .fa-zoom[data-fa-ready] svg"


def _run_all(page, shot: Path, until: str = DIAGRAM) -> None:
    """Run ▸ Run All Cells once the kernel is up, until ``until`` (the first diagram) is there. A
    kernel that is still starting can make JupyterLab ask which kernel to use: the dialog's
    default is taken."""
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").first.wait_for(timeout=90_000)
    for _ in range(3):
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count():
            dialog.first.click()
        page.locator(".jp-Notebook:visible").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            # (JupyterLab renders cells out of view lazily: wait for the output to be there)
            page.wait_for_selector(until, state="attached", timeout=60_000)
            return
        except Exception:
            page.screenshot(path=str(shot))
    pytest.fail(f"the notebook showed no {until} after Run All Cells (screenshot: {shot})")


def test_explore_runs_in_jupyterlab_with_real_svg_and_tooltips(lab, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab) else r.abort())
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{lab}/lab/tree/explore.ipynb?token={TOKEN}&reset")
            _run_all(page, tmp_path / "lab.png")
            stderr = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            assert page.locator(stderr).count() == 0
            boxes = page.locator(".jp-OutputArea-output .fa-zoom")
            assert boxes.count() >= 1
            assert page.locator(".jp-OutputArea-output img[src^='data:image/svg+xml']").count() == 0  # not <img>
            for i in range(boxes.count()):
                box = boxes.nth(i)
                box.scroll_into_view_if_needed()
                svg = box.locator("svg")
                assert svg.locator("title").count() > 0
                width = box.evaluate("b => b.getBoundingClientRect().width")
                area = box.evaluate("b => b.closest('.jp-OutputArea').getBoundingClientRect().width")
                assert 100 < width <= area  # the box fits the notebook's width; the drawing pans inside it
                assert float(box.get_attribute("data-label-px")) >= 9  # opened with readable labels
                box.locator("g.edge path").first.dispatch_event("mouseover")
                tip = page.locator(".fa-tip")
                assert tip.is_visible() and tip.inner_text().startswith(("flow ", "flows "))
            # the notebook opens with its controls: the first picker is on the first screen, and
            # each picker lists names with their ids
            page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").first.evaluate("e => { e.scrollTop = 0; }")
            page.wait_for_timeout(300)
            drop = page.locator(".jp-OutputArea-output .widget-dropdown select").first
            drop.wait_for(timeout=60_000)
            top = drop.evaluate("d => d.getBoundingClientRect().top")
            assert 0 < top < page.viewport_size["height"], top
            labels = drop.evaluate("d => [...d.options].map(o => o.textContent)")
            assert len(labels) > 5 and all(re.fullmatch(r".+\s\([^()]+\)", x) for x in labels), labels[:5]
            page.screenshot(path=str(tmp_path / "explore-1280.png"))
            assert errors == []
        finally:
            browser.close()


def test_audit_tables_sort_search_and_filter_in_jupyterlab(lab, tmp_path):
    """audit.ipynb in JupyterLab: every finding in an interactive table (itables, offline: no
    request leaves the server) that sorts by a heading, searches, filters a column and wraps
    its messages; the page is read at 1280 px."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        outside: list[str] = []

        def route(r):
            if r.request.url.startswith(lab):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{lab}/lab/tree/audit.ipynb?token={TOKEN}&reset")
            _run_all(page, tmp_path / "audit.png", until=".jp-OutputArea-output table.dataTable")
            tables = page.locator(".jp-OutputArea-output table.dataTable")
            findings = tables.last  # every finding
            findings.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            wrapper = findings.locator("xpath=ancestor::*[contains(@class, 'dt-container')][1]")
            info = wrapper.locator(".dt-info")
            total = int(re.search(r"of ([\d,]+) entr", info.inner_text()).group(1).replace(",", ""))
            assert total == len(json.loads(subprocess.run(
                [sys.executable, "-m", "flowatlas", "audit", str(ABSOLOOP), "--format", "json"],
                capture_output=True, text=True).stdout))  # every finding, in the table (paged)  # fmt: skip

            def first_cells(col: int) -> list[str]:
                return findings.evaluate(
                    f"t => [...t.tBodies[0].rows].map(r => (r.cells[{col}] || {{}}).textContent || '')"
                )

            heads = findings.evaluate(  # each heading is its column's filter box, named by its placeholder
                "t => [...t.tHead.rows[0].cells].map(c => (c.querySelector('input') || {}).placeholder || '')"
            )
            rule = heads.index("rule")
            th = findings.locator("thead tr").first.locator("th").nth(rule)
            th.locator(".dt-column-order").click()
            page.wait_for_timeout(300)
            rules = first_cells(rule)
            assert rules == sorted(rules) or rules == sorted(rules, reverse=True), rules[:5]
            th.locator("input").press_sequentially("cross-border-basis")  # the rule column's filter (on keyup)
            page.wait_for_timeout(400)
            shown = int(re.search(r"of ([\d,]+) entr", info.inner_text()).group(1).replace(",", ""))
            assert 0 < shown < total and all(r == "cross-border-basis" for r in first_cells(rule))
            th.locator("input").fill("")
            th.locator("input").press("Backspace")
            wrapper.locator(".dt-search input").fill("Mixpanel")  # any word, in any column
            page.wait_for_timeout(400)
            found = int(re.search(r"of ([\d,]+) entr", info.inner_text()).group(1).replace(",", ""))
            assert 0 < found < total
            message = heads.index("message")
            height = findings.evaluate(f"t => t.tBodies[0].rows[0].cells[{message}].getBoundingClientRect().width")
            assert height > 200  # the message column is wide enough to read (it was ~4 characters)
            left = findings.evaluate(f"t => t.tBodies[0].rows[0].cells[{message}].getBoundingClientRect().left")
            assert left + 200 < page.viewport_size["width"]  # and on the first screen (short columns narrow)
            assert outside == [] and errors == []
            page.screenshot(path=str(tmp_path / "audit-1280.png"))
        finally:
            browser.close()
