"""Chapter 1 in both editions: every prose cell has its Chinese twin, and the chapter's checks
and explorers speak the language in use (no kernel, no sandbox)."""
import re

import pytest

from conftest import notebook_path, read_notebook
from course_utils import i18n
from course_utils.checks import CheckFailed, ch01
from course_utils.widgets import ch01 as explorers
from grading import editions

# Until the course font is rebuilt with the catalogue's characters (python -m course_utils.fonts),
# matplotlib warns of glyphs it lacks; the readouts tested here are HTML.
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font")


@pytest.fixture(scope="module")
def notebook():
    return read_notebook(notebook_path(ch01.CHAPTER))


def twins(notebook):
    """``(English cell, Chinese cell)`` for every prose cell of the source."""
    cells = notebook.cells
    return [(cell, cells[i + 1]) for i, cell in enumerate(cells)
            if editions.cell_language(cell) == "en"]


def test_every_prose_cell_has_its_chinese_twin(notebook):
    assert editions.problems(notebook) == []
    pairs = twins(notebook)
    assert len(pairs) == len([cell for cell in notebook.cells
                              if editions.cell_language(cell) == "zh"])
    for english, chinese in pairs:
        assert chinese.id == f"{english.id}-zh"
        assert not chinese.source.isascii(), chinese.id


def test_a_twin_keeps_the_structure_code_names_and_numbers(notebook):
    """The same headings, formulas and code names, and the numbers the prose promises (those
    with two digits or more, or a decimal point: what a learner compares with the output)."""
    for english, chinese in twins(notebook):
        for pattern in (r"^#+ ", r"\$\$.*?\$\$", r"<details>|<summary>|</details>"):
            assert re.findall(pattern, english.source, re.M | re.S) == \
                re.findall(pattern, chinese.source, re.M | re.S), (english.id, pattern)
        for code in re.findall(r"`[^`]+`", english.source):
            assert code in chinese.source or not code.isascii() or "is not written yet" in code, \
                (english.id, code)
        for number in re.findall(r"\d+\.\d+|\d\d+", english.source):
            assert number in chinese.source, (english.id, number)


def test_the_chinese_edition_keeps_the_chinese_prose_only(notebook):
    chinese = editions.edition(notebook, "zh")
    prose = [cell.source for cell in chinese.cells if cell.cell_type == "markdown"]
    assert prose[0].startswith("# 第 1 章 · 概述")
    assert "### 练习 3：`de_db`（2 分）" in "\n".join(prose)
    assert editions.language_of(chinese) == "zh"


def failure(exercise, fn, language, hidden=False):
    with i18n.using(language), pytest.raises(CheckFailed) as raised:
        exercise(fn, hidden=hidden)
    return str(raised.value)


def test_a_typical_bug_is_named_in_the_language_in_use():
    only_through_c = lambda a, b: b + 1.0  # noqa: E731 (the path b → c → e alone)
    english = failure(ch01.de_db, only_through_c, "en")
    assert "de_db(2.0, 1.0) returned 2.0, expected 5.0." in english
    assert "Likely bug: only the path b → c → e" in english
    chinese = failure(ch01.de_db, only_through_c, "zh")
    assert "de_db(2.0, 1.0) 返回了 2.0，应当是 5.0。" in chinese
    assert "可能的错误：只算了路径 b → c → e" in chinese and "请加上路径 b → d → e" in chinese
    hidden = failure(ch01.de_db, only_through_c, "zh", hidden=True)
    assert hidden.startswith("用隐藏的数调用 de_db(a, b)")
    assert "可能的错误：只算了路径 b → c → e" in hidden


@pytest.mark.parametrize("exercise, buggy, english, chinese", [
    (ch01.samples_needed, lambda points_per_axis, dims: points_per_axis * dims,
     "grows linearly", "线性增长"),
    (ch01.edge_fraction, lambda eps, dims: (1 - 2 * eps) ** dims,
     "volume of the inner cube", "内部小立方体的体积"),
    (ch01.de_db, lambda a, b: [b + 1, a + b], "these are the two paths' products",
     "这是两条路径各自的乘积"),
], ids=["samples_needed", "edge_fraction", "de_db"])
def test_each_exercises_bug_in_both_languages(exercise, buggy, english, chinese):
    assert english in failure(exercise, buggy, "en")
    message = failure(exercise, buggy, "zh")
    assert chinese in message and english not in message


def test_the_explorers_readouts_follow_the_language():
    wrong = {"de_db": lambda a, b: b + 1.0}
    with i18n.using("zh"):
        readout = explorers.path_sum_explorer(namespace=dict(wrong)).readout.value
    assert "路径 b → c → e" in readout and "你的 de_db(2.00, 1.00)" in readout
    assert "✗ 它的切线与曲线相交而不相切" in readout
    with i18n.using("en"):
        readout = explorers.path_sum_explorer(namespace=dict(wrong)).readout.value
    assert explorers.TANGENT_VERDICTS[False] in readout and "path b → c → e" in readout
