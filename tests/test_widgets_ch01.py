"""Chapter 1's explorers, headless: sliders move the artists of one figure, run the
learner's functions and report unfinished ones."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from conftest import chapter_namespace
from course_utils import data
from course_utils.checks import ch01
from course_utils.widgets import ch01 as explorers


@pytest.fixture(scope="module")
def reference():
    """Chapter 1's reference solutions, taken from its source notebook."""
    return chapter_namespace(ch01.CHAPTER)


def dimensions(namespace, **options):
    return explorers.dimension_explorer(namespace=namespace, **options)


def path_sum(namespace, **options):
    return explorers.path_sum_explorer(namespace=namespace, **options)


FACTORIES = {"dimensions": dimensions, "path_sum": path_sum}
NEEDS = {"dimensions": ["samples_needed", "edge_fraction"],
         "path_sum": ["de_db"]}


def artist_counts(figure):
    return [(len(ax.lines), len(ax.collections), len(ax.texts), len(ax.patches))
            for ax in figure.axes]


def other_value(control):
    """A value of ``control`` other than its current one."""
    return control.max if control.value != control.max else control.min


@pytest.mark.parametrize("kind", FACTORIES)
def test_every_slider_moves_artists_of_the_same_figure(reference, kind):
    figures_before = plt.get_fignums()
    explorer = FACTORIES[kind](reference)
    figure, counts = explorer.figure, artist_counts(explorer.figure)
    assert "⚠" not in explorer.readout.value
    for control in explorer.controls.values():
        assert control.description
        before = explorer.live.image.value
        control.value = other_value(control)
        assert explorer.live.image.value != before
        assert bytes(explorer.live.image.value).startswith(b"\x89PNG")
        assert "⚠" not in explorer.readout.value
    assert explorer.figure is figure and artist_counts(figure) == counts
    assert plt.get_fignums() == figures_before, "a slider step must not create figures"


@pytest.mark.parametrize("kind", FACTORIES)
def test_stubs_are_reported_not_raised(kind):
    def stub(*args):
        raise NotImplementedError()

    explorer = FACTORIES[kind]({name: stub for name in NEEDS[kind]})
    assert "is not implemented yet" in explorer.readout.value
    assert not explorer.live.moving[0].get_visible()
    for control in explorer.controls.values():
        control.value = other_value(control)
        assert "is not implemented yet" in explorer.readout.value
    assert bytes(explorer.live.image.value).startswith(b"\x89PNG")


@pytest.mark.parametrize("kind", FACTORIES)
def test_an_explorer_made_before_its_exercises_waits_for_them(reference, kind):
    namespace = {}
    explorer = FACTORIES[kind](namespace)
    assert "is not defined yet" in explorer.readout.value
    namespace.update({name: reference[name] for name in NEEDS[kind]})
    control = next(iter(explorer.controls.values()))
    control.value = other_value(control)
    assert "⚠" not in explorer.readout.value
    assert explorer.live.moving[0].get_visible()


# ------------------------------------------------------------------ curse of dimensionality


def test_dimensions_plot_the_learners_functions(reference):
    explorer = dimensions(reference)
    explorer.controls["dims"].value = 6
    _, samples = explorer.samples_curve.get_data()
    _, edge = explorer.edge_curve.get_data()
    assert list(samples) == [10.0 ** d for d in range(1, 21)]
    np.testing.assert_allclose(edge, [1 - 0.9 ** d for d in range(1, 21)])
    assert list(explorer.samples_mark.get_xdata()) == [6]
    assert "1,000,000" in explorer.readout.value and "46.9%" in explorer.readout.value


def test_random_points_near_the_surface_match_the_volume(reference):
    explorer = dimensions(reference, points=4000)
    for dims in (1, 5, 20):
        explorer.controls["dims"].value = dims
        share = explorer.near[dims - 1].mean()
        assert share == pytest.approx(1 - 0.9 ** dims, abs=0.03)
    assert len(explorer.near_points.get_xdata()) == explorer.near[19].sum()
    assert len(explorer.near_points.get_xdata()) + len(explorer.inner_points.get_xdata()) == 4000


def test_the_learners_wrong_curve_is_what_is_drawn():
    namespace = {"samples_needed": lambda p, d: p * d, "edge_fraction": lambda e, d: 0.5}
    explorer = dimensions(namespace)
    _, samples = explorer.samples_curve.get_data()
    assert list(samples) == [10.0 * d for d in range(1, 21)]


def test_the_samples_axis_is_stretched_over_the_learners_values(reference):
    """The axis holds no samples_needed of its own: it reaches the learner's largest value."""
    def doubled(p, d):
        return 2 * reference["samples_needed"](p, d)

    explorer = dimensions({**reference, "samples_needed": doubled}, points_per_axis=7,
                          max_dims=9)
    assert explorer.ax_samples.get_ylim()[1] == pytest.approx(20 * doubled(7, 9))
    explorer.namespace["samples_needed"] = lambda p, d: p * d
    explorer.controls["dims"].value = 3
    assert explorer.ax_samples.get_ylim()[1] == pytest.approx(20 * 7 * 9)
    explorer.namespace["samples_needed"] = lambda p, d: float("nan")
    explorer.controls["dims"].value = 4
    assert explorer.ax_samples.get_ylim()[1] == pytest.approx(20 * 7 * 9), "kept"


# ------------------------------------------------------------------ path sum


def test_path_sum_shows_the_lectures_numbers(reference):
    explorer = path_sum(reference)
    values = {name: text.get_text() for name, text in explorer.value_texts.items()}
    assert values == {"a": "= 2.00", "b": "= 1.00", "c": "= 3.00", "d": "= 2.00", "e": "= 6.00"}
    for words in ("∂c/∂b · ∂e/∂c = 1 × d", "∂d/∂b · ∂e/∂d = 1 × c", "the sum over the paths",
                  "your de_db(2.00, 1.00)</b></td><td><b>= 5.00", explorer_verdict(True)):
        assert words in explorer.readout.value
    (b0, b1), (e0, e1) = explorer.tangent.get_data()
    assert (e1 - e0) / (b1 - b0) == pytest.approx(5.0)


def explorer_verdict(touches):
    return explorers.TANGENT_VERDICTS[touches]


def test_a_wrong_de_db_shows_as_a_wrong_tangent():
    explorer = path_sum({"de_db": lambda a, b: b + 1.0})
    explorer.controls["a"].value = 1.0
    (b0, b1), (e0, e1) = explorer.tangent.get_data()
    assert (e1 - e0) / (b1 - b0) == pytest.approx(2.0)
    assert explorer_verdict(False) in explorer.readout.value
    assert "<b>= 2.00</b>" in explorer.readout.value


def test_path_sum_follows_both_sliders(reference):
    explorer = path_sum(reference)
    explorer.controls["a"].value = -1.0
    explorer.controls["b"].value = 0.5
    # c = -0.5, d = 1.5, e = -0.75; the learner's de_db gives 1.0 and its tangent touches.
    assert explorer.value_texts["c"].get_text() == "= -0.50"
    assert explorer.value_texts["d"].get_text() == "= 1.50"
    assert "de_db(-1.00, 0.50)</b></td><td><b>= 1.00" in explorer.readout.value
    assert explorer_verdict(True) in explorer.readout.value
    assert explorer.point.get_data() == ([0.5], [-0.75])


# The answer stays with the grader: for a learner whose de_db is wrong, the path-sum explorer
# never shows ∂e/∂b = d + c, nor a path's product as a number, in the readout or the figure.
WRONG_DE_DB = {"only the path through c": lambda a, b: b + 1.0,
               "paths multiplied": lambda a, b: (a + b) * (b + 1.0),
               "a constant": lambda a, b: 0.25}


def _spellings(number):
    """How the explorer would write ``number`` (with two decimals), and its long forms."""
    return {f"{number:.2f}"} | {text for text in (f"{number:.6g}", repr(float(number)))
                                if len(text.lstrip("-")) >= 5}


def _clashes(number, shown):
    """Whether ``number``, written as the explorer writes numbers, is part of one it rightly
    shows (a position where the test cannot tell them apart)."""
    return any(f"{number:.2f}" in f"{value:.2f}" for value in shown)


@pytest.mark.parametrize("wrong", WRONG_DE_DB, ids=list(WRONG_DE_DB))
def test_the_path_sum_never_shows_the_right_de_db(wrong):
    explorer = path_sum({"de_db": WRONG_DE_DB[wrong]})
    checked = 0
    for a in (-2.7, -1.3, 0.4, 2.9):
        for b in (-2.6, -0.7, 0.3, 2.2):
            explorer.controls["a"].value, explorer.controls["b"].value = a, b
            c, d = a + b, b + 1.0
            right, learners = c + d, WRONG_DE_DB[wrong](a, b)
            assert explorer_verdict(False) in explorer.readout.value
            assert "✓" not in explorer.readout.value
            # The readout shows a, b and the learner's value; the figure the node values too.
            in_readout, in_figure = {a, b, learners}, {a, b, c, d, c * d}
            for number in (right, c, d):  # the answer, and each path's product
                if not _clashes(number, in_readout):
                    checked += number == right
                    for spelling in _spellings(number):
                        assert spelling not in explorer.readout.value, (a, b, spelling)
            if not _clashes(right, in_figure):
                for text in (t.get_text() for ax in explorer.figure.axes for t in ax.texts):
                    for spelling in _spellings(right):
                        assert spelling not in text, (a, b, spelling, text)
    assert checked >= 8


def test_the_verdict_comes_from_the_curve_not_from_a_formula(reference):
    """A de_db off by a little is judged wrong, one equal to the slope judged right, wherever
    the sliders are: the verdict measures the plotted curve's slope."""
    explorer = path_sum({"de_db": lambda a, b: reference["de_db"](a, b) + 0.01})
    for a, b in [(2.0, 1.0), (-1.5, 0.5), (0.0, -2.0)]:
        explorer.controls["a"].value, explorer.controls["b"].value = a, b
        assert explorer_verdict(False) in explorer.readout.value
    explorer.namespace["de_db"] = reference["de_db"]
    explorer.controls["a"].value = 1.1
    assert explorer_verdict(True) in explorer.readout.value


@pytest.mark.parametrize("kind", FACTORIES)
def test_text_is_readable_and_legends_clear_of_data(reference, kind):
    from test_widgets import figure_problems

    explorer = FACTORIES[kind](reference)
    for control in explorer.controls.values():
        assert control.style.description_width == "initial"  # the whole label shows
        control.value = other_value(control)
        assert figure_problems(explorer.figure) == []
