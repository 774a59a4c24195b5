"""The Chinese edition (中文版) in the learner's Lab (the session's: tests/conftest.py): chapter 2
released in Chinese into a folder of its own in the workspace, as ``start.py --language zh``
releases it, and its source's Chinese edition with the solutions, for the explorers."""
import re

import nbformat
import pytest

from conftest import notebook_path
from course_utils import checks
from grading import editions, pipeline
from test_browser import (assert_chinese_in_course_font, explorers, open_notebook,
                          run_all_and_wait, run_all_to_its_one_error, shown_explorers, solved)

CHAPTER = "02_linear_model"
CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def chinese(lab_workspace, tmp_path_factory):
    """The workspace's folder ``zh/`` (its path in Lab)."""
    folder = lab_workspace / "zh"
    pipeline.release([CHAPTER], course_dir=tmp_path_factory.mktemp("course-zh"),
                     workspace=folder, language="zh")
    source = nbformat.read(notebook_path(CHAPTER), as_version=4)
    nbformat.write(editions.edition(source, "zh"), folder / solved(CHAPTER))
    return "zh"


def test_run_all_stops_at_the_first_exercise_in_chinese(browser_context, lab, expect, chinese):
    page = open_notebook(browser_context, lab, f"{chinese}/{CHAPTER}.ipynb")
    assert_chinese_in_course_font(page, ".jp-RenderedHTMLCommon h1")
    message = run_all_to_its_one_error(page, expect)
    first = checks.exercises(CHAPTER)[0].subject
    assert message.startswith(f"✗ {first} 还没有写："), message
    assert "Traceback" not in message
    page.close()


def test_the_explorers_speak_chinese_in_the_course_font(browser_context, lab, expect, chinese):
    page = open_notebook(browser_context, lab, f"{chinese}/{solved(CHAPTER)}")
    run_all_and_wait(page, shown_explorers(notebook_path(CHAPTER)))
    boxes = explorers(page)
    for i in range(boxes.count()):
        box = boxes.nth(i)
        expect(box.locator("> img.widget-image")).to_have_attribute("src", re.compile(r"^blob:"))
        readout = box.locator(".widget-html-content").last
        assert CHINESE.search(readout.text_content()), readout.text_content()
        expect(box).not_to_contain_text("⚠")
    assert_chinese_in_course_font(page, ".jp-OutputArea-output .widget-html-content")
    # The notebook's own checks passed, in Chinese; nothing went to stderr.
    stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert stderr.count() == 0, stderr.all_text_contents()
    page.close()
