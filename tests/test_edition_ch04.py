"""Chapter 4 in both editions: every prose cell has its Chinese twin, and the checks and
explorers speak the language in use (the kernel: its notebook's edition; the grader: the
notebook handed in)."""
import nbformat
import pytest

from conftest import grade_id, notebook_path, read_notebook
from course_utils import i18n
from course_utils.checks import CheckFailed, ch04, core
from grading import editions

CHAPTER = "04_backprop"


def test_every_prose_cell_has_its_chinese_twin():
    source = read_notebook(notebook_path(CHAPTER))
    assert editions.problems(source) == []
    chinese = [cell for cell in source.cells if editions.cell_language(cell) == "zh"]
    assert chinese and all(cell.id.endswith("-zh") and not cell.source.isascii()
                           for cell in chinese)


def failure(language, name, subject, hidden=False):
    with i18n.using(language), pytest.raises(CheckFailed) as failed:
        getattr(ch04, name)(subject, hidden=hidden)
    return str(failed.value)


def test_a_wrong_sign_by_hand_is_named_in_the_language_in_use():
    english = failure("en", "dloss_dw_4_1", 8.0)
    chinese = failure("zh", "dloss_dw_4_1", 8.0)
    assert "dloss_dw_4_1 = 8.0 is not ∂loss/∂w for ŷ = x·w at x = 2, y = 4, w = 1." in english
    assert "Likely bug: the sign is wrong." in english
    assert "dloss_dw_4_1 = 8.0 不是 ŷ = x·w 在 x = 2，y = 4，w = 1 处的 ∂loss/∂w。" in chinese
    assert "可能的错误：符号反了。" in chinese
    assert "-8" not in chinese  # the answer stays hidden in Chinese too


SOURCES = {grade_id(cell): cell.source
           for cell in nbformat.read(notebook_path(CHAPTER), as_version=4).cells
           if grade_id(cell)}
RULE = "    a._accumulate(b.value * out.grad.value)\n    b._accumulate(a.value * out.grad.value)\n"
SWAPPED = "    a._accumulate(a.value * out.grad.value)\n    b._accumulate(b.value * out.grad.value)\n"


def swapped_mul_backward():
    """The typical bug: each input gets its own value times out.grad, not the other's."""
    namespace = {}
    for name in ("setup", "setup_tensor", "sol_accumulate_grad", "sol_mul_backward"):
        source = SOURCES[name]
        exec(source.replace(RULE, SWAPPED) if name == "sol_mul_backward" else source, namespace)
    return namespace["mul_backward"]


def test_an_engine_bug_is_named_in_the_language_in_use():
    english = failure("en", "mul_backward", swapped_mul_backward())
    chinese = failure("zh", "mul_backward", swapped_mul_backward())
    assert english.startswith("After\n    x = Tensor(2.0, requires_grad=True)\n")
    assert "x.grad is 10.0, expected 15.0." in english
    assert "Likely bug: each input receives its own value times out.grad; ∂(a·b)/∂a is b, " \
           "the OTHER input's value." in english
    assert chinese.startswith("运行\n    x = Tensor(2.0, requires_grad=True)\n")
    assert "之后，x.grad 是 10.0，应当是 15.0。" in chinese
    assert "可能的错误：每个输入收到的是它自己的值乘以 out.grad；∂(a·b)/∂a 是 b，是另一个输入的值。" \
        in chinese


def test_a_hidden_case_fails_in_the_language_in_use_and_without_its_numbers():
    chinese = failure("zh", "mul_backward", swapped_mul_backward(), hidden=True)
    assert chinese.startswith("一段隐藏的 mul_node 脚本：x.grad 不对。")
    assert "另一个输入的值" in chinese
    assert not any(char.isdigit() for char in chinese.split("\n")[0])


def test_the_cases_are_the_same_in_both_editions():
    """The release writes the visible cases' digest once; both editions' checks must match it."""
    def digests(language):
        with i18n.using(language):
            return {exercise.name: core.cases_digest(exercise.cases(None))
                    for exercise in ch04.EXERCISES}

    assert digests("en") == digests("zh")


def test_an_explorers_verdict_speaks_the_language_in_use():
    from course_utils.widgets import ch04 as explorers
    verdict = explorers.GraphExplorer.verdict
    with i18n.using("en"):
        assert verdict("w", 2.0, True) == "✓ agrees with the loss's slope"
        assert "differs from the slope of the loss (measured by nudging b)" in \
            verdict("b", 2.0, False)
    with i18n.using("zh"):
        assert verdict("w", 2.0, True) == "✓ 与损失的斜率相符"
        assert verdict("w", None, False) == \
            "<span style='color:#b00'>✗ backward() 没有给 w 梯度</span>"
