"""Chapters 1 and 2's explorers in a real JupyterLab (issue 17): text readable at the
default zoom, sliders wide enough to use, readout tables that keep their width, legends
clear of the data.

The Lab server and the browser are the session's (tests/conftest.py); each chapter's solved
notebook runs once for the module. What the figure's pixels hold (text sizes, where the
legends are) is judged in the notebook's own kernel, after the browser moved the sliders,
by a probe cell added to a copy of the notebook.
"""
import inspect
import json

import nbformat
import pytest

from conftest import notebook_path
from test_browser import (assert_every_explorer_follows_each_of_its_sliders, code_cell,
                          explorers, open_notebook, run_all_and_wait, shown_explorers, step)
from test_widgets import figure_problems

CHAPTERS = ["01_overview", "02_linear_model"]
PROBE = "PROBE_EXPLORERS"
MIN_TRACK_PIXELS = 150


def _probe_source():
    """A cell that prints, for every explorer in the kernel, what makes its figure hard to read."""
    return "\n".join([
        "import gc, json",
        "from course_utils.widgets import Explorer",
        inspect.getsource(figure_problems),
        f"{PROBE} = globals().get('{PROBE}', 0) + 1",
        "print('PROBE', PROBE_EXPLORERS, json.dumps([figure_problems(e.figure) for e in "
        "gc.get_objects() if isinstance(e, Explorer)]))",
    ])


def probed(chapter):
    return f"probe_{chapter}.ipynb"


@pytest.fixture(scope="module", params=CHAPTERS)
def page(request, browser_context, lab, lab_workspace):
    """The chapter's solved notebook with the probe cell at its end, after Run All."""
    nb = nbformat.read(notebook_path(request.param), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_probe_source()))
    nbformat.write(nb, lab_workspace / probed(request.param))
    page = open_notebook(browser_context, lab, probed(request.param))
    run_all_and_wait(page, shown_explorers(notebook_path(request.param)))
    yield page
    page.close()


def _probe(page, expect, run):
    """The probe's report after its ``run``-th run: one list of problems per explorer."""
    cell = code_cell(page, PROBE)
    if run > 1:
        cell.locator(".jp-InputPrompt").click()
        page.keyboard.press("Control+Enter")
    output = cell.locator(".jp-OutputArea-output")
    expect(output).to_contain_text(f"PROBE {run} ")
    return json.loads(output.inner_text().split(f"PROBE {run} ", 1)[1])


def _readout(box):
    return box.locator(".widget-html-content")


def _table_geometry(box):
    """The readout table's width and the left edge of each of its columns, in pixels."""
    return box.evaluate("""box => {
        const table = box.querySelector('.widget-html-content table');
        if (!table) return null;
        const cells = [...table.rows[table.rows.length - 1].cells];
        return [table.getBoundingClientRect().width,
                ...cells.map(cell => Math.round(cell.getBoundingClientRect().left))];
    }""")


def test_figures_are_not_shrunk_and_sliders_are_usable(page):
    boxes = explorers(page)
    assert boxes.count() == 2
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        shown, natural = box.locator("> img.widget-image").evaluate(
            "img => [img.getBoundingClientRect().width, img.naturalWidth]")
        # At its own size, the figure's text is as large as the kernel drew it (>= 10 px).
        assert shown >= natural - 1, (i, shown, natural)
        for slider in box.locator(".widget-slider").all():
            label = slider.locator(".widget-label")
            assert label.evaluate("label => label.scrollWidth <= label.clientWidth"), \
                f"the label {label.inner_text()!r} is cut"
            track = slider.locator(".noUi-target").evaluate(
                "track => track.getBoundingClientRect().width")
            assert track >= MIN_TRACK_PIXELS, (label.inner_text(), track)
        font = _readout(box).evaluate("html => parseFloat(getComputedStyle(html).fontSize)")
        assert font >= 12


def test_tables_keep_their_width_and_legends_stay_clear_across_slider_steps(page, expect):
    assert _probe(page, expect, 1) == [[], []]
    boxes = explorers(page)
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        geometry = _table_geometry(box)
        for handle in box.locator(".widget-slider .noUi-handle").all():
            for _ in range(3):
                before = _readout(box).inner_text()
                step(page, handle)
                expect(_readout(box)).not_to_have_text(before)
                if geometry is not None:
                    assert _table_geometry(box) == geometry, "the readout table moved"
        expect(box).not_to_contain_text("⚠")
    # The figures as the sliders left them: readable text, legends clear of the data.
    assert _probe(page, expect, 2) == [[], []]


def test_every_explorer_follows_each_of_its_sliders(page, expect):
    """Last: it leaves the sliders where it stepped them."""
    assert_every_explorer_follows_each_of_its_sliders(page, expect)
