"""The learner's JupyterLab, driven by Debian's Chromium through Playwright.

One Lab server, started as the README's conda route does (``python start.py
--here``, which releases the student notebooks into its workspace), serves
them plus each chapter's source notebook as ``solved_<chapter>.ipynb`` so
that its explorers have working functions. Chinese must be drawn with the
course's own font (course_utils/fonts), whatever fonts the machine has.
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

import nbformat
import numpy as np
import pytest

from conftest import CHAPTERS, ROOT, notebook_path
from course_utils import checks, data, fonts
from course_utils.fonts.subset import is_wide

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
def jupyter_lab(root_dir, timeout=60, start=None, config_path=None):
    """A JupyterLab server on ``root_dir``; yields its base URL.

    ``start``: the command a learner starts it with (``start.py``, which first
    releases the course into ``root_dir``), run from the repository as the
    README says, instead of a plain ``jupyter lab``. ``config_path``: the
    server's JUPYTER_CONFIG_PATH (by default none).
    """
    root_dir = os.fspath(root_dir)
    port = free_port()
    state = os.path.join(root_dir, ".lab-state")
    log = open(os.path.join(root_dir, ".lab.log"), "w+")
    options = ["--no-browser", f"--port={port}",
               "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
               "--ServerApp.token=", "--ServerApp.password=",
               # The developer's own Lab layout and settings must not leak into what is tested.
               f"--LabApp.workspaces_dir={state}", f"--LabApp.user_settings_dir={state}"]
    env = {key: value for key, value in os.environ.items() if key != "JUPYTER_CONFIG_PATH"}
    if config_path:
        env["JUPYTER_CONFIG_PATH"] = config_path
    # The English edition, whatever the machine's language (start.py would follow it).
    env["COURSE_LANGUAGE"] = "en"
    if start:
        cmd, cwd = [*start, *options], ROOT
        # The course's release goes beside the workspace, not into the repository's course/.
        env.update(PYTORCH_PRACTICE_WORKSPACE=root_dir,
                   PYTORCH_PRACTICE_COURSE=os.path.join(os.path.dirname(root_dir), "course"))
    else:
        cmd = [JUPYTER, "lab", "--allow-root", f"--ServerApp.root_dir={root_dir}", *options]
        cwd = root_dir
    # Its own session, so stopping it stops everything it started.
    server = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
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


def shown_explorers(path):
    """How many explorers the notebook at ``path`` shows: its code cells that build one."""
    cells = nbformat.read(path, as_version=4).cells
    return sum(bool(re.search(r"_explorer\(", cell.source)) for cell in cells
               if cell.cell_type == "code")


def run_all_and_wait(page, explorers, timeout=180_000):
    """Run every cell and wait until the last code cell has run and ``explorers``
    explorers are drawn."""
    run_all(page)
    prompt = page.locator(".jp-CodeCell").last.locator(".jp-InputPrompt")
    prompt.filter(has_text=re.compile(r"\[\d+\]")).wait_for(timeout=timeout)
    # A widget renders after its cell has run, into an output that stays empty until then.
    from playwright.sync_api import expect as playwright_expect
    unrendered = page.locator(".jp-OutputArea-output:empty")
    playwright_expect(unrendered).to_have_count(0, timeout=timeout)
    # Lab numbers a cell before its outputs arrive, and a widget draws after its output.
    playwright_expect(page.locator(EXPLORER)).to_have_count(explorers, timeout=timeout)


# An explorer: a box holding its own image (the figure).
EXPLORER = ".jp-OutputArea-output .widget-vbox:has(> img.widget-image)"


def explorers(page):
    """Every explorer on the page."""
    return page.locator(EXPLORER)


def readout_of(handle):
    """The readout (the number shown) of the slider whose handle is ``handle``."""
    return handle.locator("xpath=ancestor::div[contains(@class, 'widget-slider')][1]"
                          "//*[contains(@class, 'widget-readout')]")


def step(page, handle):
    """Move a slider one step with the keyboard, backwards when it is at its end."""
    readout = readout_of(handle)
    # text_content, not inner_text: an explorer scrolled out of view renders no inner text.
    before = readout.text_content() if readout.count() else None
    handle.focus()
    page.keyboard.press("ArrowRight")
    if before is not None and readout.text_content() == before:
        page.keyboard.press("ArrowLeft")


def slider(scope, description):
    """The ipywidgets slider labelled ``description``."""
    # The label's locator is relative to the slider: made from the page, not from ``scope``.
    page = scope.page if hasattr(scope, "page") else scope
    label = page.locator(".widget-label", has_text=re.compile(f"^{re.escape(description)}$"))
    return scope.locator(".widget-slider").filter(has=label)


def slider_handle(scope, description):
    return slider(scope, description).locator(".noUi-handle")


def chinese_fonts(page, scope):
    """``(text, {font family: glyphs})``: the text of the first element under ``scope``
    (a CSS selector) with Chinese of its own, and the fonts Chromium drew that text with
    (DevTools' record of the platform fonts used, not what CSS asks for)."""
    text = page.evaluate("""scope => {
        for (const root of document.querySelectorAll(scope)) {
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (/[\\u2e80-\\u9fff\\uff00-\\uffef]/.test(node.data)) {
                    document.querySelectorAll("[data-cjk-probe]")
                        .forEach(element => element.removeAttribute("data-cjk-probe"));
                    const parent = node.parentElement;
                    parent.setAttribute("data-cjk-probe", "");
                    return Array.from(parent.childNodes).filter(child => child.nodeType === 3)
                        .map(child => child.data).join("");
                }
            }
        }
        return null;
    }""", scope)
    assert text, f"no Chinese under {scope}"
    # Lab skips drawing cells out of view (content-visibility): bring it into view first.
    page.locator("[data-cjk-probe]").scroll_into_view_if_needed()
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-cjk-probe]"})
        used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    finally:
        cdp.detach()
    return text, {font["familyName"]: font["glyphCount"] for font in used}


def assert_chinese_in_course_font(page, scope):
    text, used = chinese_fonts(page, scope)
    assert used.get(fonts.FAMILY) == sum(map(is_wide, text)), (text, used)


def run_all_to_its_one_error(page, expect):
    """Run All on a fresh notebook; the text of the one error it shows (asserted one)."""
    run_all(page)
    # Lab renders an error (and any stderr) as text of this type.
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    errors.first.wait_for(state="attached", timeout=120_000)
    expect(page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$"))).to_be_attached(
        timeout=60_000)
    assert errors.count() == 1, errors.all_text_contents()
    return errors.first.text_content()


def code_cell(page, text):
    return page.locator(".jp-CodeCell").filter(has_text=text)


def add_solved(ws):
    """``ws`` with each chapter's source notebook, solved, beside the student ones."""
    ws.mkdir(parents=True, exist_ok=True)
    for chapter in CHAPTERS:
        shutil.copy(notebook_path(chapter), ws / solved(chapter))
    return ws


# The conda route's start (README): `python start.py --here`, the active environment's Python.
START_HERE = [sys.executable, "start.py", "--here"]


# The Lab server, the browser and `expect` are tests/conftest.py's, for the session: every
# browser module shares one Lab (the conda route's start) and one Chromium.


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_fresh_chapter_opens_unmodified_in_chinese_and_run_all_stops_at_its_first_exercise(
        browser_context, lab, expect, chapter):
    page = open_notebook(browser_context, lab, f"{chapter}.ipynb")
    # Lab writes the kernel's language_info into the notebook once the kernel answers;
    # the release wrote the same, so nothing changes. Nothing to wait for but time.
    page.wait_for_timeout(3000)
    expect(page.locator(".lm-TabBar-tab.jp-mod-current")).not_to_have_class(
        re.compile(r"\bjp-mod-dirty\b"))
    # The title, and a table's Chinese (the summary's terms) where the chapter has one, in
    # the course's font.
    assert_chinese_in_course_font(page, ".jp-RenderedHTMLCommon h1")
    if "|---" in notebook_path(chapter).read_text(encoding="utf-8").replace(" ", ""):
        # Lab renders a markdown cell when it first comes near the view: go to the end.
        page.locator(".jp-WindowedPanel-outer").evaluate("panel => panel.scrollTop = 1e9")
        page.locator(".jp-RenderedHTMLCommon table", has_text=re.compile("[\u4e00-\u9fff]")) \
            .last.wait_for(state="attached", timeout=30_000)
        assert_chinese_in_course_font(page, ".jp-RenderedHTMLCommon table")

    first = checks.exercises(chapter)[0].subject
    message = run_all_to_its_one_error(page, expect)
    assert message.startswith(f"✗ {first} is not written yet:"), message
    assert "Traceback" not in message and len(message) < 250, message
    page.close()


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
    slider_handle(page, "w").wait_for(timeout=60_000)
    box = explorers(page).filter(has=slider(page, "w"))  # the linear model's explorer
    handle = slider_handle(box, "w")
    image, readout = box.locator("> img.widget-image"), box.locator(".widget-html-content")
    expect(slider_handle(box, "b")).to_be_visible()
    expect(readout).to_contain_text("MSE")
    expect(image).to_have_attribute("src", re.compile(r"^blob:"))
    first_src, first_text = image.get_attribute("src"), readout.inner_text()

    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    # The explorer starts at w = 1 and steps by 0.05.
    w = 1.15
    expect(slider(box, "w").locator(".widget-readout")).to_have_text(f"{w:.2f}")
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


def assert_every_explorer_follows_each_of_its_sliders(page, expect):
    """On ``page`` (a solved notebook after Run All): each explorer's figure changes at
    each step of each of its sliders, and none shows a ⚠. Each chapter's browser module
    runs it last on its own page, so that a notebook is run once for the whole session."""
    boxes = explorers(page)
    assert boxes.count() >= 1, "no explorer"
    for i in range(boxes.count()):
        box = boxes.nth(i)
        image = box.locator("> img.widget-image")
        expect(image).to_have_attribute("src", re.compile(r"^blob:"))
        handles = box.locator(".widget-slider .noUi-handle")
        assert handles.count() >= 1, f"explorer {i} has no slider"
        for j in range(handles.count()):
            before = image.get_attribute("src")
            step(page, handles.nth(j))
            expect(image).not_to_have_attribute("src", before)
        expect(box).not_to_contain_text("⚠")
    if any(is_wide(char) for char in "".join(boxes.all_text_contents())):  # chapter 4's steps
        assert_chinese_in_course_font(page, ".jp-OutputArea-output .jupyter-widgets")


def test_lab_only_talks_to_the_local_server(browser_context, lab):
    """Run last so that it also covers the requests of the tests above."""
    open_notebook(browser_context, lab, SOLVED).close()
    server = urlsplit(lab).netloc
    elsewhere = sorted({url for url in browser_context.requested
                        if urlsplit(url).scheme not in ("data", "blob")
                        and urlsplit(url).netloc != server})
    assert browser_context.requested and not elsewhere, elsewhere
