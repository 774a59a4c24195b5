"""The learner's JupyterLab, as a learner starts it (``python3 start.py``): no instructor tools.

``start.py`` (which ``make lab`` runs) puts a config directory of the
repository (``deploy/learner``) first in JUPYTER_CONFIG_PATH; it turns
nbgrader's formgrader, course list and "Create Assignment" off, in the page
(lab plugins) and in the server (extensions), and serves the course's Chinese
font with the Lab's custom CSS. Validate and the assignment list stay. A plain
``jupyter lab`` (the instructor's) keeps everything: the venv's config is
left alone. The learner's server here is started exactly as the README's
start says, from a plain Python (the one this venv was made from), with the
venv that ``make test`` set up.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import nbformat
import pytest

from conftest import CHAPTERS, ROOT
from course_utils import fonts
from test_browser import jupyter_lab

NBGRADER = "@jupyter/nbgrader"
# Lab plugins of nbgrader 0.9 (ids as in its labextension's remoteEntry).
INSTRUCTOR_PLUGINS = [f"{NBGRADER}:formgrader", f"{NBGRADER}:create-assignment",
                      f"{NBGRADER}:course-list"]
LEARNER_PLUGINS = [f"{NBGRADER}:validate-assignment", f"{NBGRADER}:assignment-list",
                   f"{NBGRADER}:menu"]
# Server routes: the formgrader and the course list (a list of formgraders), then
# the learner's assignment list and Validate (GET-only probes: 405 is fine).
INSTRUCTOR_ROUTES = ["/formgrader", "/formgraders"]
LEARNER_ROUTES = ["/assignments", "/assignments/validate"]
# The README's start on Linux and macOS: `python3 start.py`, with a plain Python >= 3.11
# (here the one the project's venv was made from, which start.py finds set up).
START = [getattr(sys, "_base_executable", sys.executable), "start.py"]


def test_make_lab_runs_start_py():
    make = shutil.which("make")
    if make is None:
        if os.environ.get("CI"):
            pytest.fail("make is not installed")
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHON")}
    dry = subprocess.run([make, "--no-print-directory", "-n", "lab", "LAB_ARGS=--port 9000"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == "python3 start.py --port 9000"


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def page_config(url):
    """The page config JupyterLab embeds in ``/lab`` (what the front end loads)."""
    with urllib.request.urlopen(f"{url}/lab", timeout=30) as response:
        html = response.read().decode()
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert found, html[:2000]
    return json.loads(found.group(1))


def workspace(tmp):
    tmp.mkdir(parents=True, exist_ok=True)
    # With a kernelspec, so that Lab opens it without asking for a kernel.
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("1 + 1")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    nbformat.write(nb, tmp / "hello.ipynb")
    return tmp


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    folder = workspace(tmp_path_factory.mktemp("learner") / "workspace")
    with jupyter_lab(folder, timeout=300, start=START) as url:
        yield url


@pytest.fixture(scope="module")
def instructor(tmp_path_factory):
    with jupyter_lab(tmp_path_factory.mktemp("instructor")) as url:
        yield url


def test_start_py_releases_the_workspace_and_serves_the_font(learner):
    with urllib.request.urlopen(f"{learner}/api/contents", timeout=30) as response:
        names = {item["name"] for item in json.load(response)["content"]}
    assert names >= {f"{chapter}.ipynb" for chapter in CHAPTERS} | {"hello.ipynb"}
    with urllib.request.urlopen(f"{learner}/api/contents/{CHAPTERS[0]}.ipynb", timeout=30) as got:
        notebook = nbformat.from_dict(json.load(got)["content"])
    assert notebook.metadata.language_info.name == "python"
    assert notebook.metadata.language_info.version == ".".join(map(str, sys.version_info[:3]))
    with urllib.request.urlopen(f"{learner}/lab", timeout=30) as page:
        assert 'href="/custom/custom.css"' in page.read().decode()
    with urllib.request.urlopen(f"{learner}/custom/custom.css", timeout=30) as css:
        assert f'font-family: "{fonts.FAMILY}"' in css.read().decode()
    for path in fonts.FILES.values():
        with urllib.request.urlopen(f"{learner}/custom/{path.name}", timeout=30) as font:
            assert font.read() == path.read_bytes()


def test_learner_page_has_no_instructor_plugins(learner):
    config = page_config(learner)
    assert NBGRADER in [ext["name"] for ext in config["federated_extensions"]]
    disabled = set(config["disabledExtensions"])
    assert disabled >= set(INSTRUCTOR_PLUGINS)
    assert not disabled & set(LEARNER_PLUGINS + [NBGRADER])
    # Locked too, so the plugin manager offers no switch to turn them back on.
    assert set(config.get("lockedExtensions", [])) >= set(INSTRUCTOR_PLUGINS)


def test_learner_server_has_no_formgrader(learner):
    for route in INSTRUCTOR_ROUTES:
        assert status(learner + route) == 404, route
    for route in LEARNER_ROUTES:
        assert status(learner + route) != 404, route


def test_instructor_lab_keeps_everything(instructor):
    """Plain ``jupyter lab`` in the venv: the learner's config must not leak into it."""
    assert not set(page_config(instructor)["disabledExtensions"]) & set(
        INSTRUCTOR_PLUGINS + LEARNER_PLUGINS)
    for route in INSTRUCTOR_ROUTES + LEARNER_ROUTES:
        assert status(instructor + route) != 404, route


def test_learner_sees_validate_but_no_formgrader(learner, browser_context):
    # The session's Chromium (tests/conftest.py): one Playwright per process.
    from playwright.sync_api import expect
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(f"{learner}/lab/tree/hello.ipynb?reset")
        expect(page.locator("jp-button.validate-button")).to_have_text(
            "Validate", timeout=60_000)
        dialogs = page.locator(".jp-Dialog")
        assert dialogs.count() == 0, dialogs.all_inner_texts()
        page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
        menu = page.locator("#jp-mainmenu-nbgrader")
        items = menu.locator(".lm-Menu-item:visible .lm-Menu-itemLabel")
        expect(items.first).to_be_visible(timeout=15_000)
        assert items.all_inner_texts() == ["Assignment List"]
        page.keyboard.press("Escape")
        create_assignment = page.locator('.lm-TabBar-tab[title^="Nbgrader Create Assignment"]')
        expect(create_assignment).to_have_count(0)
    finally:
        page.close()
