"""Chapter 2 in two editions: every prose cell has its Chinese twin, and the chapter's checks
and explorers speak the language in use."""
import numpy as np
import pytest

from conftest import notebook_path, read_notebook
from course_utils import i18n
from course_utils.checks import CheckFailed, ch02
from course_utils.widgets import ch02 as widgets_ch02
from grading import editions


def test_every_prose_cell_of_chapter_2_has_its_chinese_twin():
    notebook = read_notebook(notebook_path(ch02.CHAPTER))
    assert editions.problems(notebook) == []
    chinese = [cell for cell in notebook.cells if editions.cell_language(cell) == "zh"]
    assert chinese and all(not cell.source.isascii() for cell in chinese)
    assert all(cell.id.endswith("-zh") for cell in chinese)


def summed_mse(y_hat, y):
    return np.sum((y_hat - y) ** 2)  # the typical bug: a sum, not the mean


def message_of(check, fn, language, hidden=False):
    with i18n.using(language), pytest.raises(CheckFailed) as failure:
        check(fn, hidden=hidden)
    return str(failure.value)


def test_a_typical_bug_is_named_in_each_language():
    english = message_of(ch02.mse, summed_mse, "en")
    chinese = message_of(ch02.mse, summed_mse, "zh")
    assert "returned 14.0, expected 4.666666666666667" in english
    assert "you summed the squared errors instead of taking their mean" in english
    assert english.isascii()
    assert "返回了 14.0，应当是 4.666666666666667" in chinese
    assert "你对误差的平方求了和，而不是取平均值" in chinese
    assert "可能的错误" in chinese  # core's "Likely bug:" line, in Chinese too
    hidden = message_of(ch02.mse, summed_mse, "zh", hidden=True)
    assert hidden.startswith("在隐藏数据上调用 mse(y_hat, y)") and "你对误差的平方求了和" in hidden


def test_a_split_message_names_the_set_in_chinese():
    def overlapping(X, y, dev_frac, test_frac, seed):
        order = np.random.default_rng(seed).permutation(len(X))
        n_dev, n_test = round(dev_frac * len(X)), round(test_frac * len(X))
        dev, test, train = order[:n_dev], order[:n_test], order[n_dev + n_test:]
        return X[train], y[train], X[dev], y[dev], X[test], y[test]

    assert "is in both the dev and the test set" in \
        message_of(ch02.train_dev_test_split, overlapping, "en")
    assert "同时在开发集和测试集里" in message_of(ch02.train_dev_test_split, overlapping, "zh")


def test_the_explorers_labels_follow_the_language():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    for language, label in (("en", "cost over (w, b)"), ("zh", "(w, b) 上的代价")):
        with i18n.using(language):
            explorer = widgets_ch02.LinearExplorer(x, y, namespace={})
        assert explorer.ax_surface.get_title() == label
