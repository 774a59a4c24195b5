"""Chapter 3's explorers in a real JupyterLab (the session's Lab: tests/conftest.py).

One run of the solved notebook for the whole module.
"""
import re

import numpy as np
import pytest

from conftest import notebook_path
from course_utils import data
from test_browser import (assert_every_explorer_follows_each_of_its_sliders, explorers,
                          open_notebook, run_all_and_wait, shown_explorers, solved)

CHAPTER = "03_gradient_descent"


@pytest.fixture(scope="module")
def page(browser_context, lab):
    page = open_notebook(browser_context, lab, solved(CHAPTER))
    run_all_and_wait(page, shown_explorers(notebook_path(CHAPTER)))
    yield page
    page.close()


def explorer(page, number):
    """The ``number``-th explorer of the chapter, in the notebook's order (0: saddle,
    1: learning rate, 2: batches, 3: two parameters)."""
    box = explorers(page).nth(number)
    box.scroll_into_view_if_needed()
    return box


def slider(page, box, description):
    """The slider labelled ``description`` in the explorer ``box``."""
    label = page.locator(".widget-label", has_text=re.compile(f"^{re.escape(description)}$"))
    return box.locator(".widget-slider").filter(has=label)


def type_into(page, box, description, text):
    """Type ``text`` into the readout of the slider ``description`` and press Enter."""
    readout = slider(page, box, description).locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def table_width(box):
    """The width of the table in ``box``, found and measured in one go: the explorer
    replaces its table on each update, and a replaced table measures 0."""
    return box.evaluate("b => Math.round(b.querySelector('table').getBoundingClientRect().width)")


def lecture_w(lr, epochs=100, w=1.0):
    x, y = data.hours_points()
    for _ in range(epochs):
        w = w - lr * np.mean(2 * x * (x * w - y))
    return w


def test_the_two_parameter_explorer_opens_at_the_texts_100_epochs(page, expect):
    box = explorer(page, 3)
    expect(slider(page, box, "epochs").locator(".widget-readout")).to_have_text("100")
    expect(box.locator(".widget-html-content")).to_contain_text(re.compile(r"100 epochs"))


@pytest.mark.parametrize("lr", ["0.22", "0.5"])
def test_divergence_is_unmistakable(page, expect, lr, tmp_path):
    box = explorer(page, 1)
    type_into(page, box, "lr", lr)
    text = box.locator(".widget-html-content")
    expect(text).to_contain_text("diverges")
    expect(text).to_contain_text(f"after 100 epochs: w = {lecture_w(float(lr)):.6g}")
    box.screenshot(path=str(tmp_path / f"diverging-{lr}.png"))


def test_a_typed_learning_rate_is_taken_exactly(page, expect):
    box = explorer(page, 1)
    type_into(page, box, "lr", "0.2143")
    expect(slider(page, box, "lr").locator(".widget-readout")).to_have_text("0.2143")
    # 0.2143 exactly, not a neighbouring step of the slider: the w after 100 epochs says so.
    expect(box.locator(".widget-html-content")).to_contain_text(
        f"after 100 epochs: w = {lecture_w(0.2143):.6g},")


def test_the_play_buttons_have_tooltips(page):
    box = explorer(page, 1)
    buttons = box.locator(".widget-play button")
    assert buttons.count() == 3
    for i in range(3):
        title = buttons.nth(i).evaluate("b => b.closest('[title]')?.title || ''")
        assert "▶" in title and "■" in title and "🔁" in title


def test_the_batch_table_keeps_its_width(page, expect):
    box = explorer(page, 2)
    table = box.locator("table")
    widths = set()
    handle = slider(page, box, "batch size").locator(".noUi-handle")
    for _ in range(4):
        before = table.inner_text()
        handle.focus()
        page.keyboard.press("ArrowLeft")
        expect(table).not_to_have_text(before)
        widths.add(table_width(box))
    type_into(page, box, "lr", "0.1")  # diverging methods write longer cells
    expect(table).to_contain_text("diverged")
    widths.add(table_width(box))
    assert len(widths) == 1, widths


def test_every_explorer_follows_each_of_its_sliders(page, expect):
    """Last, from the notebook's learning rate again: a diverged explorer's figure stops
    changing."""
    for number in (1, 2):
        type_into(page, explorer(page, number), "lr", "0.01")
        expect(explorer(page, number)).not_to_contain_text(re.compile("diverge"))
    assert_every_explorer_follows_each_of_its_sliders(page, expect)
