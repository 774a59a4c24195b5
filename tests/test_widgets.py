"""The chapter 2 explorer, headless: sliders move artists of one figure."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import data, widgets


def make_explorer(forward, mse, x=None, y=None):
    x, y = (x, y) if x is not None else data.hours_points()
    return widgets.linear_explorer(x, y, namespace={"forward": forward, "mse": mse})


@pytest.fixture
def explorer(solutions):
    return make_explorer(solutions["forward"], solutions["mse"])


def artist_counts(figure):
    return [(len(ax.lines), len(ax.collections), len(ax.texts)) for ax in figure.axes]


def test_slider_moves_the_artists_of_the_same_figure(explorer):
    figures_before = plt.get_fignums()
    figure, counts = explorer.figure, artist_counts(explorer.figure)
    first_png = explorer.live.image.value

    explorer.w_slider.value = 3.0
    explorer.b_slider.value = 1.0

    np.testing.assert_allclose(explorer.fit_line.get_ydata(),
                               explorer.fit_line.get_xdata() * 3.0 + 1.0)
    assert list(explorer.surface_marker.get_data()) == [[3.0], [1.0]]
    segments = explorer.residuals.get_segments()
    np.testing.assert_allclose([s[1][1] for s in segments], [4.0, 7.0, 10.0])
    x, y = data.hours_points()
    expected_cost = np.mean((x * 3.0 + 1.0 - y) ** 2)
    assert explorer.curve_marker.get_data()[1] == [pytest.approx(expected_cost)]
    assert f"{expected_cost:.4f}" in explorer.readout.value
    assert "w = 3.00, b = 1.00" in explorer.fit_title.get_text()
    assert explorer.live.image.value != first_png
    assert bytes(explorer.live.image.value).startswith(b"\x89PNG")

    assert explorer.figure is figure
    assert artist_counts(figure) == counts, "a slider step must not add artists"
    assert plt.get_fignums() == figures_before, "a slider step must not create figures"


def test_many_steps_add_nothing(explorer):
    counts = artist_counts(explorer.figure)
    for w in np.linspace(0.0, 4.0, 30):
        explorer.w_slider.value = float(w)
    assert artist_counts(explorer.figure) == counts
    assert len(explorer.residuals.get_segments()) == 3


def test_cost_curve_follows_b_and_has_its_minimum_at_w_2(explorer):
    explorer.b_slider.value = 0.0
    w_values, costs = explorer.cost_curve.get_data()
    assert w_values[np.argmin(costs)] == pytest.approx(2.0)
    explorer.b_slider.value = 1.0
    w_values, costs = explorer.cost_curve.get_data()
    assert w_values[np.argmin(costs)] < 2.0


def test_cost_axis_fits_other_data(solutions):
    x, y = data.noisy_line(12, w=3.0, b=1.0, noise=1.0, seed=4)
    explorer = make_explorer(solutions["forward"], solutions["mse"], x, y)
    costs = [solutions["mse"](x * w + b, y) for w in (0.0, 4.0) for b in (-2.0, 2.0)]
    bottom, top = explorer.cost_curve.axes.get_ylim()
    assert bottom == 0.0 and top >= max(costs)


def test_per_sample_losses_in_the_readout(explorer):
    explorer.w_slider.value = 1.0
    explorer.b_slider.value = 0.0
    for loss in ("1.000", "4.000", "9.000", "4.6667"):
        assert loss in explorer.readout.value


def not_implemented(*args):
    raise NotImplementedError()


def broken_forward(x, w, b=0.0):
    return x[5]


@pytest.mark.parametrize("forward,mse_kind,words", [
    (not_implemented, "solution", "is not implemented yet"),
    ("solution", not_implemented, "is not implemented yet"),
    (lambda x, w, b=0.0: None, "solution", "returned None"),
    (lambda x, w, b=0.0: 1.0, "solution", "one prediction per sample"),
    (broken_forward, "solution", "raised IndexError"),
    ("solution", lambda y_hat, y: (y_hat - y) ** 2, "expected one number"),
])
def test_unfinished_exercises_are_reported_not_raised(solutions, forward, mse_kind, words):
    forward = solutions["forward"] if forward == "solution" else forward
    mse = solutions["mse"] if mse_kind == "solution" else mse_kind
    explorer = make_explorer(forward, mse)
    assert words in explorer.readout.value
    explorer.w_slider.value = 2.5
    assert words in explorer.readout.value
    assert not explorer.fit_line.get_visible()
    assert bytes(explorer.live.image.value).startswith(b"\x89PNG")


def test_prediction_line_is_the_learners_forward(solutions):
    def forward_adding(x, w, b=0.0):
        return x + w + b

    explorer = make_explorer(forward_adding, solutions["mse"])
    explorer.w_slider.value = 2.0
    x_line = explorer.fit_line.get_xdata()
    np.testing.assert_allclose(explorer.fit_line.get_ydata(), x_line + 2.0)
    np.testing.assert_allclose([s[1][1] for s in explorer.residuals.get_segments()],
                               [3.0, 4.0, 5.0])


class NamelessMse:
    def __call__(self, y_hat, y):
        return float(np.mean((y_hat - y) ** 2))


@pytest.mark.parametrize("mse", [
    lambda y_hat, y: np.mean(y_hat - y),          # not squared: negative costs
    lambda y_hat, y: 0,                           # a placeholder: a flat cost
    lambda y_hat, y: np.nan,
    lambda y_hat, y: np.inf,
    lambda y_hat, y: {"cost": 1.0},
    NamelessMse(),
], ids=["not-squared", "flat", "nan", "inf", "dict", "nameless"])
def test_odd_mse_never_raises(mse):
    explorer = make_explorer(lambda x, w, b=0.0: x * w + b, mse)
    explorer.w_slider.value = 2.5
    assert bytes(explorer.live.image.value).startswith(b"\x89PNG")


def test_forward_returning_a_dict_is_reported(solutions):
    explorer = make_explorer(lambda x, w, b=0.0: {"y": x}, solutions["mse"])
    assert "returned dict, expected numbers" in explorer.readout.value


def test_explorer_displays_as_its_widget(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def test_explorer_made_before_the_exercises_waits_for_them(solutions):
    """Run All reaches the explorer before later exercises exist: a message, then it works."""
    namespace = {}
    explorer = widgets.linear_explorer(*data.hours_points(), namespace=namespace)
    assert "<code>forward</code> is not defined yet" in explorer.readout.value
    assert not explorer.fit_line.get_visible() and not explorer.contours_drawn
    namespace.update(forward=solutions["forward"], mse=solutions["mse"])
    explorer.w_slider.value = 2.0
    assert explorer.fit_line.get_visible() and explorer.contours_drawn
    assert "MSE" in explorer.readout.value


def test_explorer_finds_the_notebooks_functions_by_name(solutions):
    notebook = {"cu_widgets": widgets, "forward": solutions["forward"], "mse": solutions["mse"]}
    exec("x, y = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]\n"
         "explorer = cu_widgets.linear_explorer(x, y, w=1.0)", notebook)
    explorer = notebook["explorer"]
    assert explorer.namespace is notebook
    assert "4.6667" in explorer.readout.value


def test_an_mse_that_changes_its_input_cannot_spoil_the_explorer(solutions):
    def in_place_mse(y_hat, y):
        y_hat -= y
        return np.mean(y_hat ** 2)

    explorer = make_explorer(solutions["forward"], in_place_mse)
    x, y = data.hours_points()
    explorer.w_slider.value = 3.0
    np.testing.assert_array_equal(explorer.x, x)
    np.testing.assert_array_equal(explorer.y, y)
    assert f"{np.mean((x * 3.0 - y) ** 2):.4f}" in explorer.readout.value


def test_a_failing_cost_is_tried_once_per_definition(solutions):
    calls = []

    def nan_mse(y_hat, y):
        calls.append(1)
        return np.nan

    explorer = make_explorer(solutions["forward"], nan_mse)
    first = len(calls)
    explorer.w_slider.value = 2.0
    assert len(calls) - first < 200, "the 41 × 41 contour grid must not be retried every step"


class _Probe(widgets.Explorer):
    """The smallest explorer: no controls, nothing drawn; for the skeleton's lookups."""
    given = ("cost",)

    def build(self):
        return []

    def draw(self):
        return ""


@pytest.mark.parametrize("fn,words", [
    (lambda a: a * 2.0, None),
    (lambda a: None if a == 2 else a, "returned None"),
    (lambda a: [a, a], "returned shape (2,), expected one number"),
    (lambda a: "x", "expected numbers"),
    (lambda a: 1 / 0, "raised ZeroDivisionError"),
])
def test_numbers_calls_a_function_many_times_with_the_same_checks(fn, words):
    probe = _Probe({}, namespace={"f": fn})
    if words is None:
        np.testing.assert_array_equal(probe.numbers("f", [(1.0,), (2.0,), (3.0,)]), [2, 4, 6])
        return
    with pytest.raises(widgets.ExerciseNotReady, match=words.replace("(", r"\(").replace(
            ")", r"\)")):
        probe.numbers("f", [(1.0,), (2.0,), (3.0,)])


def test_a_given_function_is_asked_for_differently():
    probe = _Probe({}, namespace={"cost": 3.0})
    with pytest.raises(widgets.ExerciseNotReady, match="not a function.*the notebook's cell"):
        probe.function("cost")
    with pytest.raises(widgets.ExerciseNotReady, match="not a function.*its exercise's cell"):
        _Probe({}, namespace={"forward": 3.0}).function("forward")
    with pytest.raises(widgets.ExerciseNotReady, match="the notebook gives it"):
        _Probe({}, namespace={}).function("cost")
    with pytest.raises(widgets.ExerciseNotReady, match="run the cell of its exercise"):
        _Probe({}, namespace={}).function("forward")


# ------------------------------------------------------------------ the overfitting explorer


def overfitting(namespace, **options):
    x_pool, y_pool = data.wavy(200, seed=1)
    x_dev, y_dev = data.wavy(100, seed=2)
    return widgets.ch02.overfitting_explorer(x_pool, y_pool, x_dev, y_dev, namespace=namespace,
                                             **options)


def test_overfitting_sliders_move_artists_of_the_same_figure(solutions):
    figures_before = plt.get_fignums()
    explorer = overfitting(solutions)
    figure, counts = explorer.figure, artist_counts(explorer.figure)
    for control in explorer.controls.values():
        before = explorer.live.image.value
        control.value = control.max if control.value != control.max else control.min
        assert explorer.live.image.value != before
        assert "⚠" not in explorer.readout.value
    assert explorer.figure is figure and artist_counts(figure) == counts
    assert plt.get_fignums() == figures_before, "a slider step must not create figures"


def test_overfitting_made_before_fit_errors_waits_for_it(solutions):
    namespace = {}
    explorer = overfitting(namespace)
    assert "is not defined yet" in explorer.readout.value
    namespace["fit_errors"] = not_implemented
    explorer.controls["degree"].value = 5
    assert "is not implemented yet" in explorer.readout.value
    namespace["fit_errors"] = solutions["fit_errors"]
    explorer.controls["degree"].value = 6
    assert "⚠" not in explorer.readout.value and explorer.live.moving[0].get_visible()


def test_overfitting_shows_the_learners_errors_and_the_fit(solutions):
    explorer = overfitting(solutions)
    explorer.controls["samples"].value = 20
    explorer.controls["degree"].value = 5
    x, y = explorer.x_pool[:20], explorer.y_pool[:20]
    train, dev = solutions["fit_errors"](x, y, explorer.x_dev, explorer.y_dev, 5)
    assert f"{train:.4g}" in explorer.readout.value and f"{dev:.4g}" in explorer.readout.value
    assert len(explorer.train_points.get_offsets()) == 20
    np.testing.assert_allclose(explorer.fit_line.get_ydata(),
                               np.polyval(np.polyfit(x, y, 5), explorer.x_curve))
    degrees, dev_curve = explorer.dev_curve.get_data()
    assert list(degrees) == list(range(13)) and dev_curve[5] == pytest.approx(dev)
    assert list(explorer.degree_line.get_xdata()) == [5, 5]
    assert list(explorer.degree_marks.get_xdata()) == [5, 5]


def test_more_samples_tame_a_high_degree(solutions):
    explorer = overfitting(solutions, degree=9)
    explorer.controls["samples"].value = 10
    few = explorer.errors(10)[9]
    explorer.controls["samples"].value = 200
    many = explorer.errors(200)[9]
    assert few[0] < many[0], "with 10 samples degree 9 interpolates them"
    assert few[1] > 100 * many[1], "with 200 samples its dev error falls to the noise level"


def test_fit_errors_runs_once_per_sample_count_and_definition(solutions):
    calls = []

    def fit_errors(*args):
        calls.append(args[-1])
        return solutions["fit_errors"](*args)

    namespace = {"fit_errors": fit_errors}
    explorer = overfitting(namespace)
    assert len(calls) == 13
    explorer.controls["degree"].value = 7
    assert len(calls) == 13, "a degree step needs no new fits"
    explorer.controls["samples"].value = 50
    assert len(calls) == 26
    explorer.controls["samples"].value = 15
    assert len(calls) == 26, "a sample count seen before is remembered"

    def swapped(*args):
        return solutions["fit_errors"](*args)[::-1]

    namespace["fit_errors"] = swapped
    explorer.controls["degree"].value = 8
    train, dev = solutions["fit_errors"](explorer.x_pool[:15], explorer.y_pool[:15],
                                         explorer.x_dev, explorer.y_dev, 8)
    assert f"<td><b>{dev:.4g}</b></td><td><b>{train:.4g}</b></td>" in explorer.readout.value, \
        "a new definition of fit_errors is picked up at the next step"


@pytest.mark.parametrize("fit_errors,words", [
    (lambda *args: 1.0, "expected two numbers"),
    (lambda *args: None, "returned None"),
    (lambda x_train, *args: x_train[100], "raised IndexError"),
    (lambda *args: {"train": 1.0}, "expected numbers"),
])
def test_a_broken_fit_errors_is_reported(fit_errors, words):
    explorer = overfitting({"fit_errors": fit_errors})
    assert words in explorer.readout.value
    explorer.controls["samples"].value = 30
    assert words in explorer.readout.value


def test_off_scale_errors_stay_on_the_border(solutions):
    explorer = overfitting({"fit_errors": lambda *args: (0.0, np.inf)})
    _, dev_curve = explorer.dev_curve.get_data()
    assert np.all(dev_curve == explorer.error_limits[1])
    assert "⚠" not in explorer.readout.value




# ------------------------------------------------------------------ readable figures, clear legends


def figure_problems(figure, min_pixels=10):
    """What makes an explorer's figure hard to read as drawn: text smaller than
    ``min_pixels`` at the figure's dpi, a legend over an axes (over data) or cut off."""
    from matplotlib.text import Text

    figure.canvas.draw()
    problems = []
    for text in figure.findobj(Text):
        if text.get_visible() and text.get_text().strip():
            pixels = text.get_fontsize() * figure.dpi / 72
            if pixels < min_pixels:
                problems.append(f"{text.get_text()!r} is {pixels:.1f} px high")
    whole = figure.bbox
    for ax in figure.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent()
        for other in figure.axes:
            if box.overlaps(other.get_window_extent()):
                problems.append(f"the legend of {ax.get_title()!r} covers an axes")
        if not (whole.x0 <= box.x0 and box.x1 <= whole.x1 and whole.y0 <= box.y0):
            problems.append(f"the legend of {ax.get_title()!r} is cut off")
    return problems


def readout_table_style(explorer):
    """The style of the readout's table: fixed layout and width keep its columns still."""
    import re
    match = re.match(r"<table style='([^']*)'>", explorer.readout.value)
    return match.group(1) if match else ""


@pytest.mark.parametrize("kind", ["linear", "overfitting"])
def test_chapter_2_explorers_are_readable_with_legends_clear_of_data(solutions, kind):
    explorer = (make_explorer(solutions["forward"], solutions["mse"]) if kind == "linear"
                else overfitting(solutions))
    for control in explorer.controls.values():
        assert control.style.description_width == "initial"  # the whole label shows
        control.value = control.max
        assert figure_problems(explorer.figure) == []
    assert "table-layout:fixed" in readout_table_style(explorer)
