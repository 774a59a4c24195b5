"""Static plots of course_utils.plots."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import data, plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def lecture_surface(solutions, b_grid=np.arange(-2.0, 2.01, 0.25)):
    x, y = data.hours_points()
    w_grid = data.lecture_w_grid()
    return w_grid, b_grid, solutions["cost_surface"](x, y, w_grid, b_grid)


def test_surface_draws_3d_and_contours_with_the_minimum(solutions):
    fig = plots.surface(*lecture_surface(solutions))
    ax3d, ax2d = fig.axes[:2]
    assert ax3d.name == "3d" and ax3d.collections, "the 3-D surface must not be empty"
    assert "minimum at w = 2.00, b = 0.00" in ax2d.get_legend().get_texts()[0].get_text()


def test_surface_refuses_a_transposed_cost(solutions):
    w_grid, b_grid, cost = lecture_surface(solutions)
    with pytest.raises(ValueError, match="is it transposed"):
        plots.surface(w_grid, b_grid, cost.T)


def test_cost_curve_marks_the_least_cost(solutions):
    x, y = data.hours_points()
    best_w, costs = solutions["exhaustive_search"](x, y, data.lecture_w_grid())
    ax = plots.cost_curve(data.lecture_w_grid(), costs)
    assert ax.get_ylabel() == "Loss"
    assert ax.lines[1].get_xdata()[0] == best_w == 2.0


def test_cost_levels_span_the_cost_and_crowd_near_the_minimum():
    cost = np.array([[0.0, 1.0], [4.0, 100.0]])
    levels = plots.cost_levels(cost, count=11)
    assert levels[0] == 0.0 and levels[-1] == pytest.approx(100.0)
    assert np.all(np.diff(levels) > 0)
    assert np.diff(levels)[0] < np.diff(levels)[-1]


def test_split_fits_draws_train_and_dev_but_not_the_test_set():
    x, y = data.noisy_line(20, w=2.0)
    order = np.random.default_rng(0).permutation(20)
    train, dev, test = ((x[idx], y[idx]) for idx in np.split(order, [12, 16]))
    fits = {"degree 1": np.polyfit(*train, deg=1), "degree 3": np.polyfit(*train, deg=3)}
    ax = plots.split_fits(train, dev, fits)
    drawn = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections])
    assert len(ax.collections) == 2 and not set(test[1]) & set(drawn)
    assert [line.get_label() for line in ax.lines] == list(fits)


def test_contours_mark_the_minimum(solutions):
    w_grid, b_grid, cost = lecture_surface(solutions)
    ax = plt.figure().add_subplot()
    _, minimum = plots.contours(ax, w_grid, b_grid, cost)
    assert minimum == (pytest.approx(2.0), pytest.approx(0.0))


@pytest.mark.parametrize("spoil", [lambda c: c - 10.0, lambda c: c * 0.0],
                         ids=["negative", "flat"])
def test_surface_draws_an_unfinished_cost_too(solutions, spoil):
    w_grid, b_grid, cost = lecture_surface(solutions)
    fig = plots.surface(w_grid, b_grid, spoil(cost))
    assert fig.axes[1].collections


def figure_texts(figure):
    from matplotlib.text import Text
    figure.canvas.draw()
    return [text.get_text() for text in figure.findobj(Text) if text.get_text().strip()]


def test_the_chinese_edition_labels_its_figures_in_chinese(solutions, recwarn):
    from course_utils import fonts, i18n
    fonts.register()
    with i18n.using("zh"):
        figures = {"pipeline": plots.pipeline_diagram(),
                   "timeline": plots.timeline(data.milestones()),
                   "surface": plots.surface(*lecture_surface(solutions)),
                   "cost per epoch": plots.cost_per_epoch([3.0, 2.0, 1.0]).figure,
                   "local optima": plots.local_optima().figure}
    for name, figure in figures.items():
        texts = figure_texts(figure)
        assert any(re.search("[\u4e00-\u9fff]", text) for text in texts), (name, texts)
    assert "基于规则的系统" in figure_texts(figures["pipeline"])
    assert "最小值在 w = 2.00, b = 0.00" in figure_texts(figures["surface"])
    # Every character was drawn from a font that has it (matplotlib warns of a missing glyph).
    assert not [str(w.message) for w in recwarn if "missing from font" in str(w.message)]
    with i18n.using("en"):
        assert "Rule-based systems" in figure_texts(plots.pipeline_diagram())
