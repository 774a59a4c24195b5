"""Chapter 4's explorers, headless: the graph and the nudge follow the learner's Tensor."""
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from conftest import chapter_namespace
from course_utils.widgets import ch04
import test_checks_ch04 as checks_ch04
from test_checks_ch04 import OTHER_STYLES, STEP_BUGS, VISIT


def engine(*replacements):
    """The notebook's Tensor with its steps, ``(old, new)`` replacements in them."""
    return checks_ch04.engine(*replacements)["Tensor"]


@pytest.fixture(scope="module")
def solutions():
    return chapter_namespace("04_backprop")


def numbers(explorer):
    """What each box of the graph shows: 'data\\ngrad'."""
    return {name: artist.get_text() for name, artist in explorer.graph["values"].items()}


def artist_counts(figure):
    return [(len(ax.lines), len(ax.patches), len(ax.texts), len(ax.artists))
            for ax in figure.axes]


def test_boxes_show_the_engines_data_and_grad(solutions):
    explorer = ch04.GraphExplorer(namespace=solutions)
    assert numbers(explorer) == {"x": "1\nNone", "w": "1\n-2", "y_hat": "1\n-2", "y": "2\nNone",
                                 "r": "-1\n-2", "loss": "1\n1"}
    assert "w.grad = -2 ✓ agrees with the loss's slope" in explorer.readout.value


def test_sliders_move_the_numbers_in_the_same_figure(solutions):
    explorer = ch04.GraphExplorer(namespace=solutions)
    figures, figure = plt.get_fignums(), explorer.figure
    counts, first_png = artist_counts(figure), explorer.live.image.value
    explorer.controls["w"].value = 3.0
    explorer.controls["x"].value = 2.0
    # ŷ = 6, r = 4, loss = 16; ∂loss/∂w = 2r·x = 16, ∂loss/∂ŷ = 2r = 8
    assert numbers(explorer)["loss"] == "16\n1"
    assert numbers(explorer)["w"] == "3\n16" and numbers(explorer)["y_hat"] == "6\n8"
    assert "w.grad = 16 ✓ agrees with the loss's slope" in explorer.readout.value
    assert explorer.figure is figure and artist_counts(figure) == counts
    assert plt.get_fignums() == figures, "a slider step must not create figures"
    assert explorer.live.image.value != first_png
    assert bytes(explorer.live.image.value).startswith(b"\x89PNG")


def test_the_step_slider_walks_the_backward_pass(solutions):
    explorer = ch04.GraphExplorer(namespace=solutions)
    step = explorer.controls["step"]
    assert step.max == step.value == 4, "forward, seed, one step per operation"
    step.value = 0
    assert all(text.endswith("None") for text in numbers(explorer).values())
    assert explorer.box_highlight.get_width() == 0
    assert "forward pass" in explorer.readout.value
    step.value = 1
    assert numbers(explorer)["loss"] == "1\n1" and numbers(explorer)["r"] == "-1\nNone"
    box = explorer.box_highlight
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == pytest.approx(
        explorer.graph["boxes"]["loss"])
    step.value = 2  # loss passes its grad to r: × 2r
    assert numbers(explorer)["r"] == "-1\n-2" and numbers(explorer)["y_hat"] == "1\nNone"
    highlighted = [text.get_text() for text in explorer.edge_highlights if text.get_text()]
    assert highlighted == ["∂loss/∂r = 2r"]
    assert "r.grad += 1 × 2·(-1) (∂loss/∂r = 2r) → <b>-2</b>" in explorer.readout.value
    step.value = 3  # r passes it to ŷ (y needs no grad)
    assert numbers(explorer)["y_hat"] == "1\n-2" and numbers(explorer)["w"] == "1\nNone"
    assert "y does not require grad" in explorer.readout.value
    step.value = 4  # ŷ passes it to w
    assert numbers(explorer)["w"] == "1\n-2"
    assert list(explorer.operation_highlight.get_data()[0]) == [
        explorer.graph["operations"]["y_hat"][0]]


def test_the_walk_is_the_engines_own(solutions):
    explorer = ch04.GraphExplorer(namespace=solutions)
    assert explorer.run(solutions["Tensor"], 1.0, 1.0)[2] == ["loss", "r", "y_hat"]
    with_bias = ch04.GraphExplorer(b=0.5, namespace=solutions)
    assert with_bias.run(solutions["Tensor"], 1.0, 1.0, 0.5)[2] == ["loss", "r", "y_hat", "xw"]


def test_the_bias_graph_gives_b_its_gradient(solutions):
    explorer = ch04.GraphExplorer(b=2.0, namespace=solutions)
    # Homework 4-2's graph shape with other numbers: x = 1, w = 1, b = 2, y = 2 would be it.
    explorer.controls["b"].value = 0.5
    # ŷ = 1.5, r = -0.5: ∂loss/∂b = 2r = -1 = ∂loss/∂w (x = 1)
    assert numbers(explorer)["b"] == "0.5\n-1" and numbers(explorer)["xw"] == "1\n-1"
    assert "b.grad = -1 ✓ agrees with the loss's slope" in explorer.readout.value


def test_a_wrong_engine_is_shown_as_it_is(solutions):
    swapped = engine(SWAPPED_MUL)
    explorer = ch04.GraphExplorer(x=3.0, namespace={"Tensor": swapped})
    assert "w.grad = 2 " + ch04.SLOPE_DIFFERS.format(name="w") in explorer.readout.value
    assert explorer.graph["values"]["w"].get_visible()


def test_another_correct_walk_is_followed_step_by_step():
    """Kahn's algorithm instead of depth-first search: its own order of the rules, watched."""
    kahn = checks_ch04.engine(extra=OTHER_STYLES["backward_walk"])["Tensor"]
    explorer = ch04.GraphExplorer(namespace={"Tensor": kahn})
    assert "could not be followed" not in explorer.readout.value
    assert numbers(explorer)["w"] == "1\n-2"
    assert "w.grad = -2 ✓ agrees with the loss's slope" in explorer.readout.value


@pytest.mark.parametrize("tensor,words", [
    (None, "<code>Tensor</code> is not defined yet"),
    (3.0, "not a function"),
    (engine((VISIT, "        raise NotImplementedError()\n")),
     "<code>backward_walk</code> is not implemented yet"),
    (engine((VISIT, "        raise ValueError('oops')\n")),
     "your engine raised ValueError: oops"),
    (engine(("    tensor.grad.value += grad\n", "    tensor._accumulate(grad)\n")),
     "calls itself without end"),
], ids=["undefined", "not-callable", "stub", "raises", "endless-recursion"])
def test_unfinished_engines_are_reported_not_raised(tensor, words):
    for make in (ch04.GraphExplorer, ch04.NudgeExplorer):
        explorer = make(namespace={} if tensor is None else {"Tensor": tensor})
        assert words in explorer.readout.value
        explorer.controls["w"].value = 2.0
        assert words in explorer.readout.value
        assert bytes(explorer.live.image.value).startswith(b"\x89PNG")
        assert not any(artist.get_visible() for artist in explorer.live.moving)


def test_an_explorer_made_before_the_engine_waits_for_it(solutions):
    namespace = {}
    explorer = ch04.GraphExplorer(namespace=namespace)
    assert "not defined yet" in explorer.readout.value
    namespace["Tensor"] = solutions["Tensor"]
    explorer.controls["w"].value = 1.5
    assert "w.grad = -1 ✓ agrees with the loss's slope" in explorer.readout.value


def test_the_factories_find_the_notebooks_tensor(solutions):
    notebook = {"ch04": ch04, "Tensor": solutions["Tensor"]}
    exec("graph = ch04.graph_explorer(x=1.0, y=2.0, w=1.0)\n"
         "nudge = ch04.nudge_explorer(x=3.0, y=6.0, w=1.0)", notebook)
    assert notebook["graph"].namespace is notebook and notebook["nudge"].namespace is notebook
    assert "w.grad = -2 ✓ agrees with the loss's slope" in notebook["graph"].readout.value


def test_the_nudge_compares_the_secant_with_the_engines_gradient(solutions):
    explorer = ch04.NudgeExplorer(namespace=solutions)
    # x = 3, y = 6, w = 1: loss = 9, ∂loss/∂w = 2(3 − 6)·3 = −18; Δw = 1: loss(2) = 0
    readout = explorer.readout.value
    assert re.findall(r"<td[^>]*>([^<]*)</td>", readout) == ["1", "9", "0", "-9", "-18"]
    assert "w.grad ✓ agrees with the loss's slope" in readout
    explorer.controls["nudge"].value = 1e-3
    assert ">-17.991</td>" in explorer.readout.value
    nudges, gaps = explorer.gap_curve.get_data()
    np.testing.assert_allclose(gaps, 9 * nudges, rtol=1e-6)  # the gap is x²·Δw
    assert explorer.tangent.get_data()[1][0] == pytest.approx(9 - 18 * (1 - 0.8 - 1))


def test_chapter_4_explorers_are_readable_and_keep_their_table_still(solutions):
    from test_widgets import figure_problems, readout_table_style

    graph = ch04.GraphExplorer(b=0.5, namespace=solutions)
    nudge = ch04.NudgeExplorer(namespace=solutions)
    for explorer in (graph, nudge):
        for control in explorer.controls.values():
            assert control.style.description_width == "initial"  # the whole label shows
            control.value = control.min
        assert figure_problems(explorer.figure) == []
    # The boxes' numbers are drawn from glyphs, not Text: as large as the other small text.
    assert all(lines.fontsize * graph.figure.dpi / 72 >= 10
               for lines in graph.graph["values"].values())
    assert "table-layout:fixed" in readout_table_style(nudge)
    assert nudge.readout.value.count("<th") == 5


def test_the_nudge_shows_a_wrong_gradient_as_a_flat_gap():
    halved = engine(HALVED_POWER)
    explorer = ch04.NudgeExplorer(namespace={"Tensor": halved})
    assert ch04.SLOPE_DIFFERS.format(name="w") in explorer.readout.value
    nudges, gaps = explorer.gap_curve.get_data()
    small = nudges < 1e-2
    assert gaps[small].min() > 8, "a wrong gradient never comes close, however small the nudge"


def test_many_steps_add_nothing(solutions):
    for explorer in (ch04.GraphExplorer(b=0.0, namespace=solutions),
                     ch04.NudgeExplorer(namespace=solutions)):
        counts = artist_counts(explorer.figure)
        for value in np.linspace(-1.0, 3.0, 15):
            explorer.controls["w"].value = float(value)
        assert artist_counts(explorer.figure) == counts


def test_numbers_are_drawn_from_cached_glyphs(solutions):
    explorer = ch04.GraphExplorer(namespace=solutions)
    explorer.controls["w"].value = 1.7
    first = explorer.live.image.value
    cached = len(ch04.GlyphLines._cells)
    explorer.controls["w"].value = 1.3
    explorer.controls["w"].value = 1.7
    assert explorer.live.image.value == first, "the same numbers give the same pixels"
    assert len(ch04.GlyphLines._cells) == cached


# ------------------------------------------------------------------ answers stay with the grader
# ∂loss/∂w = 2·r·x and ∂loss/∂b = 2·r are homework 4-1's and 4-2's answers in general form: the
# explorers never compute them. A wrong engine's readout does not show them; the verdict comes
# from the slope of the engine's own loss.

SWAPPED_MUL = STEP_BUGS["mul swapped"][1:3]
HALVED_POWER = STEP_BUGS["power without n"][1:3]
POWER_FORWARD = "self._result(self.value ** n, (self,)"


def _written(number):
    """How the explorers write a number: 4 and 6 significant digits."""
    return {f"{number:.4g}", f"{number:.6g}"}


def _clashes(number, shown):
    return any(_written(number) & _written(value) for value in shown)


@pytest.mark.parametrize("bias", [None, 0.7], ids=["x·w", "x·w + b"])
@pytest.mark.parametrize("wrong", [SWAPPED_MUL, HALVED_POWER], ids=["mul", "power"])
def test_the_graph_never_shows_the_chain_rules_numbers_for_a_wrong_engine(bias, wrong):
    explorer = ch04.GraphExplorer(x=1.7, y=2.3, w=0.6, b=bias,
                                  namespace={"Tensor": engine(wrong)})
    checked = 0
    for w, x in [(0.6, 1.7), (-1.3, 2.9), (3.1, -0.4), (1.9, 2.6)]:
        explorer.controls["w"].value, explorer.controls["x"].value = w, x
        w, x = explorer.controls["w"].value, explorer.controls["x"].value
        b = explorer.controls["b"].value if bias is not None else 0.0
        r = x * w + b - 2.3
        answers = [2 * r * x] + ([2 * r] if bias is not None else [])
        # What the readout rightly shows: the graph's values and the engine's grads, at
        # every step (the mul bug leaves b's grad right: it is shown, as the engine's).
        _, states, _ = explorer.run(explorer.namespace["Tensor"], w, x,
                                    b if bias is not None else None)
        shown = {x, w, b, 2.3, r, r * r, x * w, x * w + b}
        shown |= {g for state in states for g in state.values() if g is not None}
        for step in range(explorer.steps + 1):
            explorer.controls["step"].value = step
            readout = explorer.readout.value
            for answer in answers:
                if _clashes(answer, shown):
                    continue
                checked += 1
                for text in _written(answer):
                    assert text not in readout, (w, x, step, text, readout)
        assert ch04.SLOPE_DIFFERS.format(name="w") in explorer.readout.value
    assert checked >= 10


def test_the_graph_judges_the_engine_by_its_own_loss(solutions):
    """An engine whose loss is doubled, and its gradients too, is consistent: its grads agree
    with the slope of its loss. Doubling the loss alone makes them disagree."""
    consistent = engine((POWER_FORWARD, POWER_FORWARD.replace("self.value **",
                                                              "2 * self.value **")),
                        ("n * a.value ** (n - 1) * out.grad.value",
                         "2 * n * a.value ** (n - 1) * out.grad.value"))
    inconsistent = engine((POWER_FORWARD, POWER_FORWARD.replace("self.value **",
                                                                "2 * self.value **")))
    for Tensor, verdict in [(consistent, ch04.SLOPE_AGREES),
                            (inconsistent, ch04.SLOPE_DIFFERS.format(name="b"))]:
        explorer = ch04.GraphExplorer(x=2.0, y=1.0, w=1.5, b=0.5, namespace={"Tensor": Tensor})
        assert f"b.grad = {explorer.graph['values']['b'].get_text().split()[1]} {verdict}" \
            in explorer.readout.value


def test_a_grad_backward_never_reached_is_said_plainly(solutions):
    stuck = engine(("\n    b._accumulate(1.0 * out.grad.value)", ""))
    explorer = ch04.GraphExplorer(x=1.0, y=2.0, w=1.0, b=0.5, namespace={"Tensor": stuck})
    assert "b.grad = None " + ch04.GRAD_MISSING.format(name="b") in explorer.readout.value


@pytest.mark.parametrize("wrong", [SWAPPED_MUL, HALVED_POWER], ids=["mul", "power"])
def test_the_nudge_never_shows_the_chain_rules_number_for_a_wrong_engine(wrong):
    explorer = ch04.NudgeExplorer(x=2.0, y=4.0, w=1.0, namespace={"Tensor": engine(wrong)})
    for w in (1.0, -0.35, 2.45, 3.7):
        explorer.controls["w"].value = w
        w = explorer.controls["w"].value
        for nudge in (0.5, 1e-2, 1e-4):
            explorer.controls["nudge"].value = nudge
            nudge = explorer.controls["nudge"].value
            readout = explorer.readout.value
            cells = re.findall(r"<td[^>]*>([^<\s]+)", readout)
            # Δw, loss(w), loss(w + Δw), Δloss/Δw and the engine's w.grad: all the engine's.
            assert len(cells) == 5
            right = 2 * (2.0 * w - 4.0) * 2.0     # homework 4-1's formula at this w
            if f"{right:.6g}" not in cells[:4]:
                assert f"{right:.6g}" not in cells, (w, nudge, cells)
            assert ch04.SLOPE_DIFFERS.format(name="w") in readout
            assert f"{4.0 * nudge:.2g})" not in readout, "nor the secant's error x²·Δw"
