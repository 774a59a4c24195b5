"""Chapter 2 in a real JupyterLab, driven by Debian's Chromium through Playwright.

One Lab server serves a workspace made by ``python -m grading release``, plus
each chapter's source notebook as ``solved_<chapter>.ipynb`` so that its
explorers have working functions.
``benchmarks/explorer_latency.py`` reuses the helpers of this module.
"""
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import numpy as np
import pytest

from conftest import CHAPTERS, ROOT, notebook_path
from course_utils import data

STUDENT = "02_linear_model.ipynb"


def solved(chapter):
    return f"solved_{chapter}.ipynb"


SOLVED = solved("02_linear_model")
JUPYTER = os.path.join(os.path.dirname(sys.executable), "jupyter")
# Playwright cannot download its own browser build here, so Debian's is used.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def missing_browser():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return "Chromium is not installed (apt-get install chromium)"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(root_dir, timeout=60):
    """A JupyterLab server on ``root_dir``; yields its base URL."""
    root_dir = os.fspath(root_dir)
    port = free_port()
    state = os.path.join(root_dir, ".lab-state")
    log = open(os.path.join(root_dir, ".lab.log"), "w+")
    cmd = [JUPYTER, "lab", "--allow-root", "--no-browser", f"--port={port}",
           "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root_dir}",
           # The developer's own Lab layout and settings must not leak into what is tested.
           f"--LabApp.workspaces_dir={state}", f"--LabApp.user_settings_dir={state}"]
    # Its own session, so stopping it stops everything it started.
    server = subprocess.Popen(cmd, cwd=root_dir, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2).close()
                break
            except OSError:
                log.seek(0)
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{log.read()[-3000:]}")
                time.sleep(0.3)
        yield url
    finally:
        # SIGTERM first: the server then shuts its kernels down, which live in sessions of their own.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_notebook(context, url, name):
    """A new page with ``name`` open in Lab and its kernel idle."""
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    # ?reset: only this notebook, whatever tabs an earlier page left open.
    page.goto(f"{url}/lab/tree/{name}?reset")
    # The toolbar says "idle" before a kernel exists; the status bar waits for a real one.
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$")).wait_for(timeout=60_000)
    return page


def run_all(page):
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def run_all_and_wait(page, timeout=180_000):
    """Run every cell and wait until the last code cell has run."""
    run_all(page)
    prompt = page.locator(".jp-CodeCell").last.locator(".jp-InputPrompt")
    prompt.filter(has_text=re.compile(r"\[\d+\]")).wait_for(timeout=timeout)
    # A widget renders after its cell has run, into an output that stays empty until then.
    from playwright.sync_api import expect as playwright_expect
    unrendered = page.locator(".jp-OutputArea-output:empty")
    playwright_expect(unrendered).to_have_count(0, timeout=timeout)


def explorers(page):
    """Every explorer on the page: a box holding its own image (the figure)."""
    return page.locator(".jp-OutputArea-output .widget-vbox:has(> img.widget-image)")


def step(page, handle):
    """Move a slider one step with the keyboard, backwards when it is at its end."""
    readout = handle.locator("xpath=ancestor::div[contains(@class, 'widget-slider')][1]"
                             "//*[contains(@class, 'widget-readout')]")
    # text_content, not inner_text: an explorer scrolled out of view renders no inner text.
    before = readout.text_content() if readout.count() else None
    handle.focus()
    page.keyboard.press("ArrowRight")
    if before is not None and readout.text_content() == before:
        page.keyboard.press("ArrowLeft")


def slider(scope, description):
    """The ipywidgets slider labelled ``description``."""
    label = scope.locator(".widget-label", has_text=re.compile(f"^{re.escape(description)}$"))
    return scope.locator(".widget-slider").filter(has=label)


def slider_handle(scope, description):
    return slider(scope, description).locator(".noUi-handle")


def code_cell(page, text):
    return page.locator(".jp-CodeCell").filter(has_text=text)


def release_workspace(tmp):
    """The learner's folder as ``make lab`` gives it, plus the solved chapter."""
    ws = tmp / "workspace"
    released = subprocess.run(
        [sys.executable, "-m", "grading", "release", "--course-dir", str(tmp / "course"),
         "--workspace", str(ws)], cwd=ROOT, capture_output=True, text=True)
    if released.returncode:
        pytest.fail(f"python -m grading release failed:\n{released.stdout}{released.stderr}")
    for chapter in CHAPTERS:
        shutil.copy(notebook_path(chapter), ws / solved(chapter))
    return ws


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    reason = missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    with jupyter_lab(release_workspace(tmp_path_factory.mktemp("browser"))) as url:
        yield url


@pytest.fixture(scope="module")
def browser_context(lab):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context()
        context.requested = []
        context.on("request", lambda request: context.requested.append(request.url))
        yield context
        browser.close()


@pytest.fixture
def expect():
    from playwright.sync_api import expect
    # Lab and the kernel share two cores with Chromium in CI: 5 s is too tight a default.
    expect.set_options(timeout=15_000)
    return expect


def test_validate_reports_unfinished_exercises(browser_context, lab, expect):
    page = open_notebook(browser_context, lab, STUDENT)
    validate = page.locator("jp-button.validate-button")
    expect(validate).to_have_text("Validate")
    validate.click()
    message = page.locator("#validation-message")
    message.wait_for(timeout=60_000)
    expect(page.locator(".jp-Dialog-header")).to_have_text("Validation Results")
    expect(message).to_have_class(re.compile(r"\bvalidation-failed\b"))
    expect(message).to_contain_text(re.compile(r"The following cells? failed"))
    expect(message).to_contain_text("forward is not implemented yet")
    expect(message).not_to_contain_text("Traceback")
    page.close()


def test_explorer_follows_the_w_slider(browser_context, lab, expect):
    page = open_notebook(browser_context, lab, SOLVED)
    run_all(page)
    handle = slider_handle(page, "w")
    image, readout = page.locator("img.widget-image"), page.locator(".widget-html-content")
    handle.wait_for(timeout=60_000)
    expect(slider_handle(page, "b")).to_be_visible()
    expect(readout).to_contain_text("MSE")
    expect(image).to_have_attribute("src", re.compile(r"^blob:"))
    first_src, first_text = image.get_attribute("src"), readout.inner_text()

    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    # The explorer starts at w = 1 and steps by 0.05.
    w = 1.15
    expect(slider(page, "w").locator(".widget-readout")).to_have_text(f"{w:.2f}")
    x, y = data.hours_points()
    expect(readout).to_contain_text(f"{np.mean((x * w - y) ** 2):.4f}")
    assert readout.inner_text() != first_text
    assert image.get_attribute("src") != first_src
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    page.close()


def test_student_explorer_says_not_implemented(browser_context, lab, expect):
    page = open_notebook(browser_context, lab, STUDENT)
    # The imports, the data and the exercise stubs, then the explorer; no exercise is solved.
    for text in ["SEED = 0", "cu.data.hours_points()", "def forward(", "def mse(",
                 "cu.widgets.linear_explorer("]:
        cell = code_cell(page, text)
        cell.locator(".jp-InputPrompt").click()
        page.keyboard.press("Control+Enter")
    explorer = code_cell(page, "cu.widgets.linear_explorer(")
    expect(explorer.locator(".widget-html-content")).to_contain_text(
        "is not implemented yet", timeout=30_000)
    expect(explorer.locator(".jp-OutputArea")).not_to_contain_text("Traceback")
    expect(explorer.locator('[data-mime-type="application/vnd.jupyter.stderr"]')).to_have_count(0)
    page.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_explorer_follows_each_of_its_sliders(browser_context, lab, expect, chapter):
    page = open_notebook(browser_context, lab, solved(chapter))
    run_all_and_wait(page)
    boxes = explorers(page)
    assert boxes.count() >= 1, f"{chapter} shows no explorer"
    for i in range(boxes.count()):
        box = boxes.nth(i)
        image = box.locator("> img.widget-image")
        expect(image).to_have_attribute("src", re.compile(r"^blob:"))
        handles = box.locator(".widget-slider .noUi-handle")
        assert handles.count() >= 1, f"explorer {i} of {chapter} has no slider"
        for j in range(handles.count()):
            before = image.get_attribute("src")
            step(page, handles.nth(j))
            expect(image).not_to_have_attribute("src", before)
        expect(box).not_to_contain_text("⚠")
    page.close()


def test_lab_only_talks_to_the_local_server(browser_context, lab):
    """Run last so that it also covers the requests of the tests above."""
    open_notebook(browser_context, lab, SOLVED).close()
    server = urlsplit(lab).netloc
    elsewhere = sorted({url for url in browser_context.requested
                        if urlsplit(url).scheme not in ("data", "blob")
                        and urlsplit(url).netloc != server})
    assert browser_context.requested and not elsewhere, elsewhere
