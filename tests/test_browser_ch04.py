"""Chapter 4's explorers in a real JupyterLab (issue 17): the graph's text readable at the
default zoom with no wide empty band, sliders wide enough to use, the nudge table a real
table with a header row whose columns keep their place and width, tooltips on icon buttons.

The approach is tests/test_browser_ch0102.py's: the Lab server and the browser are the
session's (tests/conftest.py), the solved notebook runs once for the module, and what the
figures' pixels hold is judged in the notebook's own kernel, after the browser moved the
sliders, by a probe cell added to a copy of the notebook.
"""
import inspect
import json
import os

import nbformat
import pytest

from conftest import notebook_path
from test_browser import (assert_every_explorer_follows_each_of_its_sliders, code_cell,
                          explorers, open_notebook, run_all_and_wait, shown_explorers, step)
from test_widgets import figure_problems

CHAPTER = "04_backprop"
PROBED = f"probe_{CHAPTER}.ipynb"
PROBE = "PROBE_EXPLORERS"
MIN_TRACK_PIXELS = 150
MIN_TEXT_PIXELS = 10
# The longest run of blank pixel rows a figure may hold, as a share of its height
# (the graph once left a quarter of its height empty above the boxes).
MAX_BLANK_BAND = 0.1


def graph_problems(figure, min_pixels=MIN_TEXT_PIXELS, max_band=MAX_BLANK_BAND):
    """What figure_problems does not see in chapter 4's graph: the boxes' numbers, drawn
    from glyphs rather than Text, smaller than ``min_pixels``, and a band of blank rows
    higher than ``max_band`` of the figure."""
    import numpy as np

    from course_utils.widgets.ch04 import GlyphLines

    figure.canvas.draw()
    problems = [f"numbers {lines.get_text()!r} are {lines.fontsize * figure.dpi / 72:.1f} px"
                for lines in figure.findobj(GlyphLines)
                if lines.fontsize * figure.dpi / 72 < min_pixels]
    blank = (np.asarray(figure.canvas.buffer_rgba())[..., :3] >= 250).all(axis=(1, 2))
    longest = run = 0
    for row in blank:
        run = run + 1 if row else 0
        longest = max(longest, run)
    if longest > max_band * len(blank):
        problems.append(f"{longest} of {len(blank)} pixel rows in a row are blank")
    return problems


def _probe_source():
    """A cell that prints, for every explorer in the kernel, what makes its figure hard to
    read."""
    return "\n".join([
        # First: the editor renders only the lines in view, and the cell is found by this name.
        f"{PROBE} = globals().get('{PROBE}', 0) + 1",
        "import gc, json",
        "from course_utils.widgets import Explorer",
        inspect.getsource(figure_problems),
        f"MIN_TEXT_PIXELS, MAX_BLANK_BAND = {MIN_TEXT_PIXELS}, {MAX_BLANK_BAND}",
        inspect.getsource(graph_problems),
        "print('PROBE', PROBE_EXPLORERS, json.dumps(sorted(",
        "    [type(e).__name__, figure_problems(e.figure) + graph_problems(e.figure)]",
        "    for e in gc.get_objects() if isinstance(e, Explorer))))",
    ])


# The notebook's explorers: the graph, the graph with a bias, the nudge.
CLEAN = [["GraphExplorer", []], ["GraphExplorer", []], ["NudgeExplorer", []]]


@pytest.fixture(scope="module")
def page(browser_context, lab, lab_workspace):
    """Chapter 4's solved notebook with the probe cell at its end, after Run All."""
    nb = nbformat.read(notebook_path(CHAPTER), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_probe_source()))
    nbformat.write(nb, lab_workspace / PROBED)
    page = open_notebook(browser_context, lab, PROBED)
    run_all_and_wait(page, shown_explorers(notebook_path(CHAPTER)))
    yield page
    page.close()


def _probe(page, expect, run):
    """The probe's report after its ``run``-th run: [class name, problems] per explorer."""
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
    """The readout table's width, the number of header and data cells, and the left edge
    and width of each column of its last row, in pixels."""
    return box.evaluate("""box => {
        const table = box.querySelector('.widget-html-content table');
        if (!table) return null;
        const cells = [...table.rows[table.rows.length - 1].cells];
        return [Math.round(table.getBoundingClientRect().width),
                table.rows[0].querySelectorAll('th').length, cells.length,
                ...cells.map(cell => {
                    const box = cell.getBoundingClientRect();
                    return [Math.round(box.left), Math.round(box.width)];
                })];
    }""")


def screenshot(page, box, name):
    """What a learner sees of an explorer, kept under pytest's tmp dir for a look."""
    path = os.environ.get("BROWSER_SCREENSHOTS")
    if path:
        box.screenshot(path=os.path.join(path, name))


def test_figures_are_readable_and_controls_usable(page):
    boxes = explorers(page)
    assert boxes.count() == len(CLEAN)
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        screenshot(page, box, f"ch04_explorer_{i}.png")
        shown, natural = box.locator("> img.widget-image").evaluate(
            "img => [img.getBoundingClientRect().width, img.naturalWidth]")
        # At its own size, the figure's text is as large as the kernel drew it (>= 10 px).
        assert shown >= natural - 1, (i, shown, natural)
        sliders = box.locator(".widget-slider").all()
        assert sliders
        for slider in sliders:
            label = slider.locator(".widget-label")
            assert label.evaluate("label => label.scrollWidth <= label.clientWidth"), \
                f"the label {label.inner_text()!r} is cut"
            track = slider.locator(".noUi-target").evaluate(
                "track => track.getBoundingClientRect().width")
            assert track >= MIN_TRACK_PIXELS, (label.inner_text(), track)
        # An icon button (▶ ■ 🔁) says what it does when hovered.
        for button in box.locator("button").all():
            assert button.get_attribute("title"), f"the button {button.inner_text()!r}"
        font = _readout(box).evaluate("html => parseFloat(getComputedStyle(html).fontSize)")
        assert font >= 12


def test_the_nudge_table_keeps_its_columns_across_slider_steps(page, expect):
    assert _probe(page, expect, 1) == CLEAN
    boxes = explorers(page)
    tables = 0
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        geometry = _table_geometry(box)
        if geometry is not None:
            tables += 1
            width, headers, cells, *columns = geometry
            assert headers == cells == len(columns) == 5, "a header over every column"
            lefts = [left for left, _ in columns]
            assert lefts == sorted(lefts) and min(w for _, w in columns) > 40
        for handle in box.locator(".widget-slider .noUi-handle").all():
            for _ in range(3):
                before = _readout(box).inner_text()
                step(page, handle)
                expect(_readout(box)).not_to_have_text(before)
                if geometry is not None:
                    assert _table_geometry(box) == geometry, "the readout table moved"
        expect(box).not_to_contain_text("⚠")
        screenshot(page, box, f"ch04_explorer_{i}_moved.png")
    assert tables == 1, "the nudge explorer's readout is a table"
    # The figures as the sliders left them: still readable, still without an empty band.
    assert _probe(page, expect, 2) == CLEAN


def test_every_explorer_follows_each_of_its_sliders(page, expect):
    """Last: it leaves the sliders where it stepped them."""
    assert_every_explorer_follows_each_of_its_sliders(page, expect)
