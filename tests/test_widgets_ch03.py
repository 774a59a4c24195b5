"""Chapter 3's explorers, headless: sliders move artists of one figure, run the learner's
functions, survive divergence and unfinished exercises, and step fast enough."""

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from ipywidgets.widgets.widget_link import Link

from conftest import chapter_namespace
from course_utils import data
from course_utils.widgets import ch03

# A numpy warning from an explorer would reach the learner's notebook.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

LECTURE = data.hours_points()
BIG = data.noisy_line(12, w=2.0, noise=1.0, seed=0)


@pytest.fixture(scope="module")
def solutions():
    return chapter_namespace("03_gradient_descent")


def make(factory, solutions, **replaced):
    """An explorer of ``factory`` over its notebook data, with some functions replaced."""
    namespace = {**solutions, **replaced}
    x, y = BIG if factory is ch03.batch_size_explorer else LECTURE
    return factory(x, y, namespace=namespace)


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


def artist_counts(figure):
    return [(len(ax.lines), len(ax.collections), len(ax.texts)) for ax in figure.axes]


def moving_data(explorer):
    return [np.asarray(artist.get_xydata()).copy() for artist in explorer.live.moving
            if hasattr(artist, "get_xydata")]


# Each explorer with a slider and a new value for it.
STEPS = [(ch03.learning_rate_explorer, "lr", 0.15), (ch03.learning_rate_explorer, "w0", 3.0),
         (ch03.learning_rate_explorer, "epochs", 7),
         (ch03.saddle_explorer, "noise", 0.1), (ch03.saddle_explorer, "epochs", 20),
         (ch03.saddle_explorer, "off ridge", 0.01),
         (ch03.batch_size_explorer, "batch size", 1), (ch03.batch_size_explorer, "lr", 0.02),
         (ch03.batch_size_explorer, "epochs", 5),
         (ch03.batch_size_explorer, "new cost's weight", 1.0),
         (ch03.batch_size_explorer, "shuffle", True),
         (ch03.two_parameter_explorer, "lr", 0.16), (ch03.two_parameter_explorer, "epochs", 10)]
IDS = [f"{factory.__name__}-{name}" for factory, name, _ in STEPS]


@pytest.mark.parametrize("factory,name,value", STEPS, ids=IDS)
def test_a_control_moves_the_artists_of_the_same_figure(solutions, factory, name, value):
    explorer = make(factory, solutions)
    figures, figure = plt.get_fignums(), explorer.figure
    counts, before, png = artist_counts(figure), moving_data(explorer), explorer.live.image.value
    readout = explorer.readout.value

    explorer.controls[name].value = value

    after = moving_data(explorer)
    assert any(a.shape != b.shape or not np.allclose(a, b, equal_nan=True)
               for a, b in zip(before, after)), "no moving artist moved"
    assert explorer.live.image.value != png and bytes(explorer.live.image.value).startswith(
        b"\x89PNG")
    assert explorer.readout.value != readout or name == "new cost's weight"
    assert "⚠" not in explorer.readout.value
    assert explorer.figure is figure and artist_counts(figure) == counts
    assert plt.get_fignums() == figures, "a step must not create figures"


@pytest.mark.parametrize("factory", [ch03.learning_rate_explorer, ch03.saddle_explorer,
                                     ch03.batch_size_explorer, ch03.two_parameter_explorer])
def test_every_control_has_a_description_and_shows_as_a_widget(solutions, factory):
    explorer = make(factory, solutions)
    assert all(control.description for control in explorer.controls.values())
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == \
        explorer.widget.model_id


# ------------------------------------------------------------------ learning rate


def test_the_lecture_run_ends_at_the_lectures_weight(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions)
    ws, _ = explorer.path.get_data()
    assert (explorer.controls["lr"].value, explorer.controls["epochs"].value) == \
        (pytest.approx(0.01), 100)
    assert ws[0] == 1.0 and ws[-1] == pytest.approx(1.9999444396553017, rel=1e-12)
    assert len(ws) == 101 and "w walks down the curve" in explorer.readout.value
    _, costs = explorer.cost_line.get_data()
    assert costs[0] == pytest.approx(4.666666666666667)


def test_overshooting_rates_zig_zag_and_converge(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions)
    explorer.controls["lr"].value = 0.15
    ws, _ = explorer.path.get_data()
    assert np.all(np.diff(np.sign(ws[:5] - 2.0)) != 0)
    assert "zig-zag" in explorer.readout.value and "diverged" not in explorer.readout.value


@pytest.mark.parametrize("lr", [0.22, 0.5, 1.0])
def test_divergence_reaches_the_top_of_the_cost_panel_and_says_where_it_went(solutions, lr):
    explorer = make(ch03.learning_rate_explorer, solutions)
    limits = [(ax.get_xlim(), ax.get_ylim()) for ax in explorer.figure.axes]
    explorer.controls["lr"].value = lr
    assert "<b>diverges</b>" in explorer.readout.value
    assert "cost left the panel at epoch" in explorer.costs_title.get_text()
    assert [(ax.get_xlim(), ax.get_ylim()) for ax in explorer.figure.axes] == limits
    ws, _ = explorer.path.get_data()
    epochs, costs = explorer.cost_line.get_data()
    assert np.all(np.isfinite(ws)) and explorer.view[0] <= ws.min() <= ws.max() <= explorer.view[1]
    assert costs[-1] == explorer.top * 10, "the line ends at the panel's top edge"
    assert explorer.cost_exit.get_ydata()[0] == explorer.top * 10
    assert "↑ off the top at epoch" in explorer.cost_note.get_text()
    assert "w left the plot at epoch" in explorer.w_note.get_text()


def test_the_readout_reports_a_w_and_its_cost_at_the_same_epoch(solutions):
    """At 0.22 the lecture's w after 100 epochs, −178.5, with the cost of that w."""
    explorer = make(ch03.learning_rate_explorer, solutions)
    explorer.controls["lr"].value = 0.22
    w, _ = solutions["gradient_descent"](*LECTURE, 1.0, 0.22, 100)
    cost = true_cost(*LECTURE, w)
    assert f"after 100 epochs: w = {w:.6g}, cost = {cost:.4g}." in explorer.readout.value
    assert f"cost {cost:.3g} at epoch 100" in explorer.cost_note.get_text()
    assert f"w = {w:.4g} at epoch 100" in explorer.w_note.get_text()


def test_the_verdict_is_true_at_every_epoch(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions)
    explorer.controls["lr"].value = 0.15
    explorer.controls["epochs"].value = 0
    assert "no step yet" in explorer.readout.value
    explorer.controls["epochs"].value = 1
    assert "zig-zag" in explorer.readout.value
    explorer.controls["lr"].value = 1 / (2 * np.mean(LECTURE[0] ** 2))
    explorer.controls["epochs"].value = 10
    assert "one step lands on the minimum" in explorer.readout.value
    assert "↓ below" in explorer.cost_note.get_text(), "the floor is marked, not a plateau"


@pytest.mark.parametrize("returned", [(np.inf, [np.inf]), (np.nan, [np.nan]), (1e308, [1e308])],
                         ids=["inf", "nan", "huge"])
def test_a_gradient_descent_returning_absurd_numbers_is_handled(solutions, returned):
    explorer = make(ch03.learning_rate_explorer, solutions,
                    gradient_descent=lambda x, y, w0, lr, epochs: returned)
    assert "The run stops at epoch 1" in explorer.readout.value
    _, costs = explorer.cost_line.get_data()
    assert np.all(np.isfinite(costs))


def test_the_critical_rate_is_the_learners(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions, critical_learning_rate=lambda x: 0.5)
    assert list(explorer.critical_line.get_xdata()) == [0.5, 0.5]
    assert explorer.critical_line.get_visible() and "= 0.5000" in explorer.readout.value
    explorer.namespace["critical_learning_rate"] = solutions["critical_learning_rate"]
    explorer.controls["lr"].value = 0.02
    assert explorer.critical_line.get_xdata()[0] == pytest.approx(2 / (28 / 3))


def test_an_unfinished_critical_rate_leaves_the_descent_running(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions, critical_learning_rate=not_implemented)
    assert "critical_learning_rate</code> is not implemented yet" in explorer.readout.value
    assert "w walks down the curve" in explorer.readout.value
    assert explorer.path.get_visible() and not explorer.critical_line.get_visible()


def test_the_play_button_drives_the_epochs_slider_in_the_browser(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions)
    play, epochs = explorer.play, explorer.controls["epochs"]
    assert isinstance(play, ipywidgets.Play) and play in explorer.widget.children[0].children
    assert isinstance(explorer.link, Link)
    assert explorer.link.source == (play, "value") and explorer.link.target == (epochs, "value")
    assert (play.min, play.max, play.step) == (epochs.min, epochs.max, 1)
    assert play.interval <= 90, "10 frames a second or more, with room for the timer itself"


def test_a_play_frame_runs_one_more_epoch_not_all_of_them(solutions):
    calls = []

    def counting(x, y, w0, lr, epochs):
        calls.append(epochs)
        return solutions["gradient_descent"](x, y, w0, lr, epochs)

    explorer = make(ch03.learning_rate_explorer, solutions, gradient_descent=counting)
    explorer.controls["epochs"].value = 50
    calls.clear()
    explorer.controls["epochs"].value = 51
    assert calls == [], "a shorter path is already known"
    explorer.controls["epochs"].value = 101
    assert calls == [1], "one call of one epoch for the one new epoch"
    explorer.namespace["cost_gradient"] = lambda x, y, w: 0.0
    explorer.controls["epochs"].value = 100
    assert len(calls) == 1 + 101, "a redefined helper makes the path afresh"


# ------------------------------------------------------------------ saddle point


def test_plain_descent_stalls_at_the_saddle_and_noise_escapes(solutions):
    explorer = make(ch03.saddle_explorer, solutions)
    w1, w2 = explorer.path.get_data()
    assert "stalled at the saddle" in explorer.readout.value
    assert abs(w1[-1]) < 1e-6 and abs(w2[-1]) < 1e-6 and np.allclose(w1, -w2)
    explorer.controls["noise"].value = 0.1
    _, costs = explorer.cost_line.get_data()
    assert "escaped" in explorer.readout.value and costs[-1] < 1e-3


def test_the_saddle_runs_the_learners_cost_gradient(solutions):
    explorer = make(ch03.saddle_explorer, solutions,
                    cost_gradient=lambda x, y, w: -solutions["cost_gradient"](x, y, w))
    _, costs = explorer.cost_line.get_data()
    assert costs[-1] > costs[0] or "diverged" in explorer.readout.value


# ------------------------------------------------------------------ GD, SGD and mini-batch


def test_the_extreme_batch_sizes_lie_on_gd_and_sgd(solutions):
    explorer = make(ch03.batch_size_explorer, solutions)
    gd, sgd, minibatch = explorer.smooth
    explorer.controls["batch size"].value = len(BIG[0])
    np.testing.assert_allclose(minibatch.get_xydata(), gd.get_xydata())
    explorer.controls["batch size"].value = 1
    np.testing.assert_allclose(minibatch.get_xydata(), sgd.get_xydata())


def test_a_batch_size_step_runs_only_minibatch_gd(solutions):
    calls = []

    def counting(name):
        def fn(*args):
            calls.append(name)
            return solutions[name](*args)
        return fn

    explorer = make(ch03.batch_size_explorer, solutions, **{
        name: counting(name) for name in ("gradient_descent", "sgd", "minibatch_gd")})
    calls.clear()
    explorer.controls["batch size"].value = 2
    assert calls == ["minibatch_gd"]


def test_a_diverging_method_is_clipped_and_named(solutions):
    explorer = make(ch03.batch_size_explorer, solutions)
    limits = [ax.get_ylim() for ax in explorer.figure.axes]
    explorer.controls["lr"].value = 0.1
    assert "diverged at epoch" in explorer.readout.value
    assert [ax.get_ylim() for ax in explorer.figure.axes] == limits
    for line in [*explorer.raw, *explorer.smooth]:
        values = line.get_ydata()
        assert np.all(np.isfinite(values)) and np.max(values) <= explorer.top


def test_the_table_gives_updates_per_epoch(solutions):
    explorer = make(ch03.batch_size_explorer, solutions)
    explorer.controls["batch size"].value = 5
    assert "<td>mini-batch of 5</td><td>3</td><td>60</td>" in explorer.readout.value
    assert "<td>SGD</td><td>12</td><td>240</td>" in explorer.readout.value


def test_a_wrong_number_of_costs_is_reported(solutions):
    explorer = make(ch03.batch_size_explorer, solutions,
                    sgd=lambda x, y, w0, lr, epochs: solutions["gradient_descent"](
                        x, y, w0, lr, epochs))
    assert "<code>sgd</code> returned 1 number(s) for w and 20 costs; expected one w and 240" \
        in explorer.readout.value


# ------------------------------------------------------------------ two parameters


def test_a_large_rate_zig_zags_across_the_valley(solutions):
    explorer = make(ch03.two_parameter_explorer, solutions)
    explorer.controls["lr"].value = 0.16
    explorer.controls["epochs"].value = 100
    w, b = explorer.path.get_data()
    # Across the valley is the direction of the larger curvature, about (0.92, 0.39).
    across = 0.92 * (w - 2.0) + 0.39 * b
    assert np.count_nonzero(np.diff(np.sign(across[:12])) != 0) >= 8
    assert explorer.cost_line.get_ydata()[-1] < 1e-3


def test_two_parameters_diverge_plainly(solutions):
    explorer = make(ch03.two_parameter_explorer, solutions)
    explorer.controls["lr"].value = 0.3
    w, b = explorer.path.get_data()
    assert "diverged at epoch" in explorer.readout.value
    assert np.all(np.isfinite(w)) and np.max(np.abs(w)) < 20 and np.max(np.abs(b)) < 20


@pytest.mark.parametrize("factory,replaced", [
    (ch03.saddle_explorer, {"cost_gradient": lambda x, y, w: 1e308}),
    (ch03.saddle_explorer, {"cost_gradient": lambda x, y, w: np.nan}),
    (ch03.two_parameter_explorer, {"affine_gradients": lambda x, y, w, b: (1e308, -np.inf)}),
    (ch03.two_parameter_explorer, {"affine_gradients": lambda x, y, w, b: (np.nan, 0.0)}),
], ids=["saddle-huge", "saddle-nan", "two-huge", "two-nan"])
def test_absurd_gradients_are_a_plain_divergence(solutions, factory, replaced):
    explorer = make(factory, solutions, **replaced)
    assert "diverged at epoch 1" in explorer.readout.value
    for artist in (explorer.path, explorer.point):
        values = artist.get_xydata()
        assert np.all(np.abs(values[np.isfinite(values)]) < 100)


def test_affine_gradients_returning_arrays_is_reported(solutions):
    explorer = make(ch03.two_parameter_explorer, solutions,
                    affine_gradients=lambda x, y, w, b: (2 * x * (x * w + b - y), 0.0))
    assert "expected two numbers (dcost_dw, dcost_db)" in explorer.readout.value


# ------------------------------------------------------------------ unfinished exercises

NEEDS = [(ch03.learning_rate_explorer, "gradient_descent"), (ch03.saddle_explorer, "cost_gradient"),
         (ch03.batch_size_explorer, "gradient_descent"), (ch03.batch_size_explorer, "sgd"),
         (ch03.batch_size_explorer, "minibatch_gd"),
         (ch03.two_parameter_explorer, "affine_gradients")]
NEEDS_IDS = [f"{factory.__name__}-{name}" for factory, name in NEEDS]


@pytest.mark.parametrize("factory,name", NEEDS, ids=NEEDS_IDS)
@pytest.mark.parametrize("stand_in,words", [
    (not_implemented, "is not implemented yet"),
    (lambda *args: None, "returned None"),
    (lambda *args: 1 / 0, "raised ZeroDivisionError"),
    (lambda *args: {"w": 1.0}, "expected"),
    ("missing", "is not defined yet"),
], ids=["stub", "none", "error", "dict", "missing"])
def test_an_unfinished_exercise_is_reported_not_raised(solutions, factory, name, stand_in, words):
    namespace = dict(solutions)
    if stand_in == "missing":
        del namespace[name]
    else:
        namespace[name] = stand_in
    x, y = BIG if factory is ch03.batch_size_explorer else LECTURE
    explorer = factory(x, y, namespace=namespace)
    assert f"<code>{name}</code>" in explorer.readout.value and words in explorer.readout.value
    first = next(iter(explorer.controls.values()))
    first.value = first.max if first.value != first.max else first.min
    assert words in explorer.readout.value
    assert not any(artist.get_visible() for artist in explorer.live.moving)
    assert bytes(explorer.live.image.value).startswith(b"\x89PNG")


def test_an_explorer_made_before_the_exercise_picks_it_up(solutions):
    namespace = {}
    explorer = ch03.learning_rate_explorer(*LECTURE, namespace=namespace)
    assert "<code>gradient_descent</code> is not defined yet" in explorer.readout.value
    namespace.update(solutions)
    explorer.controls["lr"].value = 0.02
    assert explorer.path.get_visible() and "w = " in explorer.readout.value


def test_learner_prints_stay_out_of_the_notebook(solutions, capsys):
    def chatty(x, y, w0, lr, epochs):
        print("epoch", epochs, "w", w0)
        return solutions["gradient_descent"](x, y, w0, lr, epochs)

    explorer = make(ch03.learning_rate_explorer, solutions, gradient_descent=chatty)
    explorer.controls["lr"].value = 0.02
    assert capsys.readouterr().out == ""


def test_an_in_place_learner_cannot_spoil_the_explorers_data(solutions):
    def spoiling(x, y, w0, lr, epochs):
        x *= 10
        return solutions["gradient_descent"](x / 10, y, w0, lr, epochs)

    explorer = make(ch03.learning_rate_explorer, solutions, gradient_descent=spoiling)
    explorer.controls["lr"].value = 0.02
    np.testing.assert_array_equal(explorer.x, LECTURE[0])


def test_explorers_find_the_notebooks_functions_by_name(solutions):
    notebook = {"cu_widgets_ch03": ch03, **solutions}
    exec("x, y = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]\n"
         "explorer = cu_widgets_ch03.saddle_explorer(x, y)", notebook)
    assert notebook["explorer"].namespace is notebook
    assert "stalled at the saddle" in notebook["explorer"].readout.value


def test_smoothing_is_an_exponentially_weighted_average():
    values = np.array([1.0, 3.0, 2.0])
    np.testing.assert_allclose(ch03.ewa(values, 0.5), [1.0, 2.0, 2.0])
    np.testing.assert_allclose(ch03.ewa(values, 1.0), values)
    # The lecture's C'ᵢ = β·Cᵢ + (1 − β)·C'ᵢ₋₁: β weighs the new value.
    np.testing.assert_allclose(ch03.ewa(values, 0.25), [1.0, 1.5, 1.625])


def test_in_the_graders_sandbox_explorers_draw_and_call_nothing(tmp_path):
    """COURSE_UTILS_HEADLESS=1: the explorer cells run without a figure or learner code."""
    import os
    import subprocess
    import sys

    script = tmp_path / "headless.py"
    script.write_text(
        "from course_utils import data\n"
        "from course_utils.widgets import ch03\n"
        "def spy(*args):\n    raise SystemExit('a learner function was called')\n"
        "namespace = dict.fromkeys(['gradient_descent', 'critical_learning_rate', 'sgd',\n"
        "                           'minibatch_gd', 'cost_gradient', 'affine_gradients'], spy)\n"
        "x, y = data.hours_points()\n"
        "for factory in (ch03.learning_rate_explorer, ch03.saddle_explorer,\n"
        "                ch03.batch_size_explorer, ch03.two_parameter_explorer):\n"
        "    explorer = factory(x, y, namespace=namespace)\n"
        "    assert not hasattr(explorer, 'figure'), factory\n"
        "print('ok')\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env={**os.environ, "COURSE_UTILS_HEADLESS": "1"}, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr


# ------------------------------------------------------------------ answers stay with the grader
# The explorers compute no exercise's answer: the cost they draw is the notebook's given `cost`
# and the curvature is the learner's critical_learning_rate. A wrong one shows as it is.


def true_cost(x, y, w, b=0.0):
    return np.mean((x * w + b - y) ** 2)


def odd_cost(x, y, w, b=0.0):
    """Not the MSE: what the explorers draw if the notebook's cost were this."""
    return 3.0 * true_cost(x, y, w, b) + 1.0


def static_lines(ax, explorer):
    return [line for line in ax.lines if line not in explorer.live.moving]


@pytest.mark.parametrize("critical", [0.5, 0.1])
def test_the_factor_strip_follows_the_learners_critical_rate(solutions, critical):
    explorer = make(ch03.learning_rate_explorer, solutions,
                    critical_learning_rate=lambda x: critical)
    rates, factors = explorer.rate_curve.get_data()
    assert explorer.rate_curve.get_visible()
    np.testing.assert_allclose(factors, np.abs(1 - 2 * rates / critical))
    for lr in (0.01, 0.3):
        explorer.controls["lr"].value = lr
        (shown_lr,), (factor,) = explorer.rate_point.get_data()
        assert shown_lr == pytest.approx(lr)
        assert factor == pytest.approx(min(abs(1 - 2 * lr / critical), 1.98))
    assert list(explorer.critical_line.get_xdata()) == [critical, critical]
    assert f"critical rate {critical:.4f}" == explorer.critical_label.get_text()


def test_without_the_learners_critical_rate_the_strip_draws_no_factor(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions,
                    critical_learning_rate=not_implemented)
    assert not explorer.rate_curve.get_visible() and not explorer.critical_line.get_visible()
    assert explorer.rate_point.get_data()[0] == []
    assert explorer.critical_label.get_text() == ch03.FACTOR_WAITS
    true_factors = np.abs(1 - explorer.rates * 2 * np.mean(LECTURE[0] ** 2))
    for line in explorer.ax_rate.lines:
        _, ys = line.get_data()
        assert not (line.get_visible() and np.shape(ys) == true_factors.shape
                    and np.allclose(ys, true_factors)), "the curvature is the learner's"
    explorer.controls["lr"].value = 0.1
    assert "critical_learning_rate</code> is not implemented yet" in explorer.readout.value
    # Written later, it is picked up; an unusable value is said, not drawn.
    explorer.namespace["critical_learning_rate"] = lambda x: -1.0
    explorer.controls["lr"].value = 0.2
    assert not explorer.rate_curve.get_visible()
    assert "not a positive number" in explorer.critical_label.get_text()
    explorer.namespace["critical_learning_rate"] = solutions["critical_learning_rate"]
    explorer.controls["lr"].value = 0.15
    np.testing.assert_allclose(explorer.rate_curve.get_data()[1], true_factors)


def test_the_learning_rate_curves_are_the_notebooks_cost(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions, cost=odd_cost)
    curve, star = static_lines(explorer.ax_curve, explorer)
    w_line, heights = curve.get_data()
    np.testing.assert_allclose(heights, [odd_cost(*LECTURE, w) for w in w_line])
    assert star.get_ydata()[0] == pytest.approx(odd_cost(*LECTURE, 2.0))
    ws, path_heights = explorer.path.get_data()
    np.testing.assert_allclose(path_heights, [odd_cost(*LECTURE, w) for w in ws])
    assert explorer.top == pytest.approx(max(heights))
    # The learner's costs per epoch come from the learner's own gradient_descent.
    assert explorer.cost_line.get_ydata()[0] == pytest.approx(true_cost(*LECTURE, 1.0))


def test_the_saddle_is_drawn_from_the_notebooks_cost(solutions):
    right = make(ch03.saddle_explorer, solutions)
    odd = make(ch03.saddle_explorer, solutions, cost=odd_cost)
    assert odd.saddle_cost == pytest.approx(odd_cost(*LECTURE, 0.0))
    assert right.saddle_cost == pytest.approx(true_cost(*LECTURE, 0.0))
    w1, w2 = odd.path.get_data()
    np.testing.assert_allclose(odd.cost_line.get_ydata(),
                               np.minimum([odd_cost(*LECTURE, a * b) for a, b in zip(w1, w2)],
                                          odd.top))
    contours = [c for c in odd.ax_surface.collections]
    assert contours and not np.allclose(contours[0].levels, right.ax_surface.collections[0].levels)


def test_the_batch_table_costs_are_the_notebooks_cost(solutions):
    explorer = make(ch03.batch_size_explorer, solutions, cost=odd_cost)
    w, _ = solutions["gradient_descent"](*BIG, 0.0, 0.01, 20)
    assert f"<td>{w:.4f}</td><td>{odd_cost(*BIG, w):.4f}</td>" in explorer.readout.value


def test_the_two_parameter_contours_are_the_notebooks_cost(solutions):
    right = make(ch03.two_parameter_explorer, solutions)
    odd = make(ch03.two_parameter_explorer, solutions, cost=odd_cost)
    w, b = odd.path.get_data()
    np.testing.assert_allclose(odd.cost_line.get_ydata(),
                               np.clip([odd_cost(*LECTURE, *p) for p in zip(w, b)], odd.floor,
                                       odd.top))
    assert odd.top == pytest.approx(3 * right.top + 10)
    assert not np.allclose(odd.ax_surface.collections[0].levels,
                           right.ax_surface.collections[0].levels)


def test_the_bias_reaches_the_notebooks_cost(solutions):
    seen = []

    def cost(x, y, w, b=0.0):
        seen.append(b)
        return true_cost(x, y, w, b)

    explorer = make(ch03.two_parameter_explorer, solutions, cost=cost)
    _, path_b = explorer.path.get_data()
    assert set(np.linspace(-2.0, 2.0, 41)) | set(path_b) <= set(seen)


def test_a_notebook_whose_cost_has_no_bias_still_gets_its_contours(solutions):
    """A workspace made before the given cost took b: cost(x, y, w) of the labels y − b."""
    def cost(x, y, w):
        return np.mean((x * w - y) ** 2)

    old = make(ch03.two_parameter_explorer, solutions, cost=cost)
    new = make(ch03.two_parameter_explorer, solutions)
    assert "⚠" not in old.readout.value
    np.testing.assert_allclose(old.cost_line.get_ydata(), new.cost_line.get_ydata())
    np.testing.assert_allclose(old.ax_surface.collections[0].levels,
                               new.ax_surface.collections[0].levels)


FACTORIES = [ch03.learning_rate_explorer, ch03.saddle_explorer, ch03.batch_size_explorer,
             ch03.two_parameter_explorer]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("cost,words", [
    ("missing", "<code>cost</code> is not defined: the notebook gives it"),
    (3.0, "Run the notebook's cell that defines it again"),
    (lambda x, y, w, b=0.0: 1 / 0, "<code>cost</code> raised ZeroDivisionError"),
    (lambda x, y, w, b=0.0: x * w - y, "<code>cost</code> returned shape (3,)"),
], ids=["missing", "variable", "error", "array"])
def test_a_missing_or_broken_cost_is_reported_not_raised(solutions, factory, cost, words):
    namespace = dict(solutions)
    if cost == "missing":
        del namespace["cost"]
    else:
        namespace["cost"] = cost
    x, y = BIG if factory is ch03.batch_size_explorer else LECTURE
    if factory is ch03.batch_size_explorer and cost != "missing" and callable(cost):
        words = words.replace("(3,)", "(12,)")
    explorer = factory(x, y, namespace=namespace)
    assert words in explorer.readout.value
    assert not any(artist.get_visible() for artist in explorer.live.moving)
    namespace["cost"] = solutions["cost"]
    first = next(iter(explorer.controls.values()))
    first.value = first.max if first.value != first.max else first.min
    assert "⚠" not in explorer.readout.value, "the notebook's cost is picked up once it works"
    assert explorer._drawn_with is solutions["cost"], "the static parts are drawn from it"


def test_a_redefined_cost_redraws_the_curve_in_place(solutions):
    explorer = make(ch03.learning_rate_explorer, solutions)
    counts = artist_counts(explorer.figure)
    explorer.namespace["cost"] = odd_cost
    explorer.controls["lr"].value = 0.02
    curve, _ = static_lines(explorer.ax_curve, explorer)
    w_line, heights = curve.get_data()
    assert heights[0] == pytest.approx(odd_cost(*LECTURE, w_line[0]))
    assert artist_counts(explorer.figure) == counts


def test_a_play_frame_asks_the_cost_for_its_new_point_only(solutions):
    calls = []

    def counting(x, y, w, b=0.0):
        calls.append(w)
        return true_cost(x, y, w, b)

    explorer = make(ch03.learning_rate_explorer, solutions, cost=counting)
    explorer.controls["epochs"].value = 50
    calls.clear()
    explorer.controls["epochs"].value = 51
    assert calls == [], "the path's costs are remembered"
    explorer.controls["epochs"].value = 101
    assert len(calls) == 1
