"""The learner's JupyterLab, as ``make lab`` starts it: no instructor tools.

``make lab`` points JUPYTER_CONFIG_PATH at a config directory of the
repository (``deploy/learner``) that turns nbgrader's formgrader, course list
and "Create Assignment" off, in the page (lab plugins) and in the server
(extensions). Validate and the assignment list stay. A plain
``jupyter lab`` (the instructor's) keeps everything: the venv's config is
left alone. The directory is read from ``make -n lab``, so the test and the
Makefile cannot drift apart.
"""
import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
import urllib.error
import urllib.request

import nbformat
import pytest

from conftest import ROOT
from test_browser import jupyter_lab, launch_chromium, missing_browser

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


def learner_config_dir():
    """The JUPYTER_CONFIG_PATH entry that ``make lab`` sets, from its dry run."""
    make = shutil.which("make")
    if make is None:
        if os.environ.get("CI"):
            pytest.fail("make is not installed")
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items()
           if k not in ("JUPYTER_CONFIG_PATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    dry = subprocess.run([make, "--no-print-directory", "-n", "lab"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    recipe = dry.stdout.replace("\\\n", " ")
    lab = [line for line in recipe.splitlines() if re.search(r"/jupyter lab\b", line)]
    assert len(lab) == 1, f"no single `jupyter lab` line in `make -n lab`:\n{dry.stdout}"
    # The Makefile single-quotes the directory: JUPYTER_CONFIG_PATH='<dir>'"${...:+:...}".
    found = re.search(r"\bJUPYTER_CONFIG_PATH='([^']+)'", lab[0])
    assert found, f"`make lab` does not set JUPYTER_CONFIG_PATH='<dir>':\n{lab[0]}"
    assert "--allow-root" in shlex.split(lab[0]) or os.getuid() != 0, lab[0]
    path = found.group(1)
    assert os.path.isabs(path) and os.path.isdir(path), path
    return path


@contextlib.contextmanager
def lab_server(root_dir, config_path=None):
    """``jupyter_lab`` of test_browser, with JUPYTER_CONFIG_PATH as ``make lab`` sets it
    (``config_path``) or unset (the instructor's plain ``jupyter lab``)."""
    with contextlib.ExitStack() as stack:
        # Only the server's start sees the variable, not the other server of this module.
        with pytest.MonkeyPatch.context() as env:
            if config_path:
                env.setenv("JUPYTER_CONFIG_PATH", config_path)
            else:
                env.delenv("JUPYTER_CONFIG_PATH", raising=False)
            url = stack.enter_context(jupyter_lab(root_dir))
        yield url


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
    # With a kernelspec, so that Lab opens it without asking for a kernel.
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("1 + 1")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    nbformat.write(nb, tmp / "hello.ipynb")
    return tmp


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    with lab_server(workspace(tmp_path_factory.mktemp("learner")), learner_config_dir()) as url:
        yield url


@pytest.fixture(scope="module")
def instructor(tmp_path_factory):
    with lab_server(tmp_path_factory.mktemp("instructor")) as url:
        yield url


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


def test_learner_sees_validate_but_no_formgrader(learner):
    reason = missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
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
            browser.close()
