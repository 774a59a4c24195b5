"""Chapter 3 in both editions: every prose cell has its Chinese twin, and the checks speak the
language in use (the kernel: its notebook's edition; the grader: the notebook handed in)."""
import numpy as np
import pytest

from conftest import notebook_path, read_notebook
from course_utils import i18n
from course_utils.checks import CheckFailed, ch03
from grading import editions

CHAPTER = "03_gradient_descent"


def test_every_prose_cell_has_its_chinese_twin():
    source = read_notebook(notebook_path(CHAPTER))
    assert editions.problems(source) == []
    chinese = [cell for cell in source.cells if editions.cell_language(cell) == "zh"]
    assert chinese and all(cell.id.endswith("-zh") and not cell.source.isascii()
                           for cell in chinese)


def summed_gradient(x, y, w):
    """The typical bug: a sum over the samples instead of their mean."""
    return np.sum(2 * x * (x * w - y))


def failure(language, name, fn, **options):
    with i18n.using(language), pytest.raises(CheckFailed) as failed:
        getattr(ch03, name)(fn, **options)
    return str(failed.value)


def test_a_typical_bug_is_named_in_the_language_in_use():
    english = failure("en", "cost_gradient", summed_gradient)
    chinese = failure("zh", "cost_gradient", summed_gradient)
    assert english.isascii()
    assert "cost_gradient(x, y, 1.0) on the lecture's data returned -28.0, expected " \
           "-9.333333333333334" in english
    assert "Likely bug: you summed over the samples instead of taking the mean" in english
    assert not chinese.isascii()
    assert "在课上的数据上调用 cost_gradient(x, y, 1.0)" in chinese
    assert "返回了 -28.0，应当是 -9.333333333333334" in chinese
    assert "可能的错误：你对样本求了和，而不是取均值" in chinese


def test_a_hidden_case_fails_in_the_language_in_use_and_without_its_numbers():
    chinese = failure("zh", "cost_gradient", summed_gradient, hidden=True)
    assert chinese.startswith("在隐藏数据上调用 cost_gradient(x, y, w)")
    assert "你对样本求了和" in chinese and "-28.0" not in chinese


def test_a_length_mistake_is_named_in_chinese():
    def one_cost_per_sample(x, y, w0, lr, epochs):
        w, costs = w0, []
        for epoch in range(epochs):
            for x_n, y_n in zip(x, y):
                costs.append((x_n * w - y_n) ** 2)
            w = w - lr * np.mean(2 * x * (x * w - y))
        return w, costs

    chinese = failure("zh", "gradient_descent", one_cost_per_sample)
    assert "costs 有 300 个元素，应当有 100 个。" in chinese
    assert "每个样本记了一个代价" in chinese


def test_the_cases_are_the_same_in_both_editions():
    """The release writes the visible cases' digest once; both editions' checks must match it."""
    from course_utils.checks import core
    for exercise in ch03.EXERCISES:
        with i18n.using("en"):
            english = core.cases_digest(exercise.cases(None))
        with i18n.using("zh"):
            chinese = core.cases_digest(exercise.cases(None))
        assert english == chinese, exercise.name


def test_an_explorers_verdict_speaks_the_language_in_use():
    from course_utils.widgets import ch03 as explorers
    zig_zag = [1.0, 2.5, 1.75]  # w around the minimum 2: each jump half the last
    with i18n.using("en"):
        assert explorers._verdict(zig_zag, 2.0).startswith("<b>zig-zag</b>: w jumps across")
    with i18n.using("zh"):
        assert explorers._verdict(zig_zag, 2.0) == \
            "<b>之字形</b>：w 每一步都跳到最小值的另一侧，每一跳是上一跳的 0.5 倍：它收敛。"


def test_the_explorers_figures_speak_the_language_in_use(recwarn):
    """Labels, titles and legends drawn in the figure too, every glyph from a font that has it."""
    from matplotlib.text import Text

    from conftest import chapter_namespace
    from course_utils import data, fonts
    from course_utils.widgets import ch03 as explorers
    fonts.register()
    solutions = chapter_namespace(CHAPTER)
    factories = [explorers.saddle_explorer, explorers.learning_rate_explorer,
                 explorers.batch_size_explorer, explorers.two_parameter_explorer]
    for language in ("en", "zh"):
        with i18n.using(language):
            for factory in factories:
                explorer = factory(*data.hours_points(), namespace=solutions)
                explorer.figure.canvas.draw()
                texts = " ".join(text.get_text() for text in explorer.figure.findobj(Text))
                chinese = any("\u4e00" <= char <= "\u9fff" for char in texts)
                assert chinese == (language == "zh"), (factory.__name__, texts)
                # The sliders' words too; code names (lr, w0) stay as they are.
                assert explorer.controls["epochs"].description == \
                    {"en": "epochs", "zh": "轮次"}[language]
                if "lr" in explorer.controls:
                    assert explorer.controls["lr"].description == "lr"
    assert not [str(w.message) for w in recwarn if "missing from font" in str(w.message)]
