"""Chapter 4's explorers: the computational graph live, and a nudge of w.

Both run the notebook's ``Tensor`` (looked up by name at every step), so they
show the learner's engine at work, and say what is missing while it is not
written yet. They compute no gradient of the loss themselves (those are the
homework's answers): whether the engine's grads are right is judged against
the slope of the loss the engine itself computes forward, measured by nudging
an input, and the measured slope is never shown.
"""
import contextlib
import html
import io

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import plots
from ..checks.ch04 import CHAPTER, missing_step
from ..i18n import N_, translator
from .core import HEADLESS, LEGEND, TABLE, Explorer, ExerciseNotReady, slider, usable

__all__ = ["GraphExplorer", "NudgeExplorer", "graph_explorer", "nudge_explorer"]

_ = translator(__name__, CHAPTER)

HIGHLIGHT = "tab:red"
# The verdict on an engine's grad, judged against the slope of its own loss.
SLOPE_AGREES = N_("✓ agrees with the loss's slope")
SLOPE_DIFFERS = N_("<span style='color:#b00'>✗ differs from the slope of the loss (measured by "
                   "nudging {name})</span>")
GRAD_MISSING = N_("<span style='color:#b00'>✗ backward() gave {name} no grad</span>")


class GlyphLines(Artist):
    """Right-aligned lines of monospaced text drawn from cached glyph images (chapter 4).

    matplotlib lays out and rasterises a Text at every draw, about 2 ms for the
    numbers of one box, which made most of a graph explorer's step. Here each
    character is rasterised once, by matplotlib, into a cell as wide as the
    font's fixed advance, and a line is a row of cells. ``(x, y)`` in axes
    coordinates is the right end of the lines, centred vertically.
    """
    family, fontsize, linespacing = "DejaVu Sans Mono", plots.GRAPH_FONT, 1.35
    _cells = {}

    def __init__(self, ax, x, y):
        super().__init__()
        self.axes, self.xy, self.text = ax, (x, y), ""
        self.set_figure(ax.figure)
        self.set_zorder(6)

    def set_text(self, text):
        self.text = text
        self.stale = True

    def get_text(self):
        return self.text

    @classmethod
    def _cell(cls, char, dpi):
        """The glyph of ``char`` as an alpha mask: one cell of the line, rasterised once."""
        key = (char, dpi)
        if key not in cls._cells:
            size = cls.fontsize * dpi / 72
            width, height = round(0.6 * size), round(size * cls.linespacing)
            figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
            figure.patch.set_alpha(0)
            figure.text(0, 0.3 * size / height, char, fontsize=cls.fontsize, family=cls.family)
            canvas = FigureCanvasAgg(figure)
            canvas.draw()
            cls._cells[key] = np.asarray(canvas.buffer_rgba())[:, :, 3].copy()
        return cls._cells[key]

    def draw(self, renderer):
        if not self.get_visible() or not self.text:
            return
        dpi = self.figure.dpi
        lines = self.text.split("\n")
        blank = self._cell(" ", dpi)
        width = max(len(line) for line in lines) * blank.shape[1]
        mask = np.zeros((len(lines) * blank.shape[0], width), dtype=np.uint8)
        for row, line in enumerate(lines):
            if line:
                cells = np.hstack([self._cell(char, dpi) for char in line])
                top = row * blank.shape[0]
                mask[top:top + blank.shape[0], width - cells.shape[1]:] = cells
        image = np.zeros(mask.shape + (4,), dtype=np.uint8)
        image[..., 3] = mask  # black text: only the coverage varies
        x, y = self.axes.transAxes.transform(self.xy)
        gc = renderer.new_gc()
        renderer.draw_image(gc, round(x - width), round(y - mask.shape[0] / 2), image[::-1])
        gc.restore()
        self.stale = False


class _EngineExplorer(Explorer):
    """An explorer that computes with the notebook's ``Tensor`` (chapter 4)."""

    @staticmethod
    def agrees(loss_at, at, grad):
        """Whether ``grad`` is the slope at ``at`` of ``loss_at``, the loss as the learner's
        engine computes it forward. The slope is measured by a centred difference (exact but
        for rounding: the loss is a parabola in each input) and stays in here: it is the
        homework's answer. Only the verdict comes out."""
        if grad is None:
            return False
        h = 1e-2 * max(1.0, abs(at))
        slope = (loss_at(at + h) - loss_at(at - h)) / (2 * h)
        return bool(np.isclose(grad, slope, rtol=1e-4, atol=1e-6))

    @staticmethod
    def verdict(name, grad, agrees):
        """The readout's words on ``name``'s grad."""
        if grad is None:
            return _.template(GRAD_MISSING).format(name=name)
        return _.template(SLOPE_AGREES) if agrees else _.template(SLOPE_DIFFERS).format(name=name)

    def engine(self, compute):
        """``compute(Tensor)`` with the learner's class; any failure becomes a plain message."""
        Tensor = self.function("Tensor")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                return compute(Tensor)
        except ExerciseNotReady:
            raise
        except NotImplementedError as error:
            raise ExerciseNotReady(_.template(NOT_WRITTEN).format(
                name=missing_step(error) or "Tensor")) from None
        except RecursionError:
            raise ExerciseNotReady(_.template(ENDLESS)) from None
        except Exception as error:  # any bug in learner code must not kill the widget
            raise ExerciseNotReady(_.template(RAISED).format(
                error=type(error).__name__, message=html.escape(str(error)))) from None


NOT_WRITTEN = N_("<code>{name}</code> is not implemented yet: complete its exercise and run its "
                 "cell; the explorer picks it up at the next slider move.")
ENDLESS = N_("your engine raised RecursionError: one of its functions calls itself without "
             "end.")
RAISED = N_("your engine raised {error}: {message}")


def _item(tensor, what):
    """``tensor.item()`` as a float, or :class:`ExerciseNotReady` saying what came instead."""
    value = tensor.item()
    try:
        number = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        number = None
    if number is None or number.size != 1:
        raise ExerciseNotReady(_("<code>{what}.item()</code> gave {kind}, expected one number.",
                                 what=what, kind=html.escape(type(value).__name__)))
    return float(number.reshape(()))


def _grad(tensor, what):
    """A tensor's grad as a float, or None while it has none."""
    grad = tensor.grad
    if grad is None:
        return None
    return _item(grad, f"{what}.grad") if hasattr(grad, "item") else float(grad)


def _operand(value):
    """A number as a factor in the readout: negative ones in parentheses."""
    return f"({value:.4g})" if value < 0 else f"{value:.4g}"


# What each operation's local gradient is, per input: (formula, its factor written with the
# engine's values). The factors are values of the graph or constants; nothing is multiplied
# here (2r with r's value is written 2·r: ∂loss/∂r = 2r is ∂loss/∂b of the bias graph).
LOCAL_GRADIENTS = {
    "xw": {"x": ("∂(x·w)/∂x = w", lambda d: _operand(d["w"])),
           "w": ("∂(x·w)/∂w = x", lambda d: _operand(d["x"]))},
    "y_hat": {"x": ("∂ŷ/∂x = w", lambda d: _operand(d["w"])),
              "w": ("∂ŷ/∂w = x", lambda d: _operand(d["x"])),
              "xw": ("∂ŷ/∂(x·w) = 1", lambda d: "1"), "b": ("∂ŷ/∂b = 1", lambda d: "1")},
    "r": {"y_hat": ("∂r/∂ŷ = 1", lambda d: "1"), "y": ("∂r/∂y = −1", lambda d: "(-1)")},
    "loss": {"r": ("∂loss/∂r = 2r", lambda d: f"2·{_operand(d['r'])}")},
}


class GraphExplorer(_EngineExplorer):
    """The computational graph of loss = (x·w + b − y)², run by the notebook's Tensor (chapter 4).

    Every box shows a value's data and grad as the engine has them. Sliders
    move ``w`` and ``x`` (and ``b`` when given); the ``step`` slider walks the
    backward pass one operation at a time, as the engine's ``backward()`` does
    it (each tensor's ``_backward`` call is watched), highlighting the tensor
    that passes its grad on and the local gradients it multiplies by.
    """

    figsize = (11.0, 3.0)  # the graph's height, without an empty band

    def __init__(self, x=1.0, y=2.0, w=1.0, b=None, namespace=None):
        self.y, self.bias = float(y), b is not None
        self.operations = plots.backprop_graph_layout(self.bias)[1]
        self.inputs = {output: inputs for *where, inputs, output in self.operations}
        self.steps = len(self.operations) + 1
        controls = {"w": slider("w", w, (-2.0, 4.0), 0.1),
                    "x": slider("x", x, (-3.0, 3.0), 0.1)}
        if self.bias:
            controls["b"] = slider("b", b, (-3.0, 3.0), 0.1)
        controls["step"] = widgets.IntSlider(
            value=self.steps, min=0, max=self.steps, description=_("step"),
            continuous_update=True)
        super().__init__(usable(controls), namespace)
        if not HEADLESS:  # four sliders of a usable width take two rows
            self.widget.children[0].layout.flex_flow = "row wrap"

    def build(self):
        self.figure.set_layout_engine("none")  # the graph fills the figure, no margins
        ax = self.figure.add_axes((0, 0, 1, 1))
        self.graph = plots.draw_backprop_graph(ax, self.bias)
        # The numbers in the boxes change at every step: drawn from cached glyphs.
        for name, text in self.graph["values"].items():
            self.graph["values"][name] = ax.add_artist(GlyphLines(ax, *text.get_position()))
            text.remove()
        # The local gradients' formulas are static; their numbers go to the readout.
        for (name, output), text in self.graph["edges"].items():
            text.set_text(LOCAL_GRADIENTS[output][name][0])
        # The step in hand: a red frame around its box, a red ring around its operation,
        # its local gradients again in red over the grey ones.
        self.box_highlight = ax.add_patch(Rectangle((0, 0), 0, 0, fill=False, zorder=7,
                                                    edgecolor=HIGHLIGHT, linewidth=2.5))
        self.operation_highlight, = ax.plot([], [], "o", markersize=30, markerfacecolor="none",
                                            markeredgecolor=HIGHLIGHT, markeredgewidth=2.5,
                                            zorder=7)
        self.edge_highlights = [ax.text(0, 0, "", fontsize=plots.GRAPH_FONT, color=HIGHLIGHT, zorder=8,
                                        fontweight="bold", linespacing=1.2,
                                        bbox={"facecolor": "white", "edgecolor": "none",
                                              "pad": 1})
                                for _ in range(2)]
        return [*self.graph["values"].values(), self.box_highlight, self.operation_highlight,
                *self.edge_highlights]

    def forward(self, Tensor, w, x, b=None):
        """The graph's tensors, by name, computed with the learner's Tensor."""
        t = {"x": Tensor(x), "w": Tensor(w, requires_grad=True), "y": Tensor(self.y)}
        if self.bias:
            t["b"] = Tensor(b, requires_grad=True)
            t["xw"] = t["x"] * t["w"]
            t["y_hat"] = t["xw"] + t["b"]
        else:
            t["y_hat"] = t["x"] * t["w"]
        t["r"] = t["y_hat"] - t["y"]
        t["loss"] = t["r"] ** 2
        return t

    def loss_at(self, Tensor, w, x, b=None):
        """The loss as the learner's Tensor computes it, forward only."""
        return _item(self.forward(Tensor, w, x, b)["loss"], "loss")

    def agreements(self, Tensor, w, x, b, grads):
        """``{name: does the engine's grad agree with the loss's slope}`` for w (and b)."""
        found = {"w": self.agrees(lambda at: self.loss_at(Tensor, at, x, b), w, grads["w"])}
        if self.bias:
            found["b"] = self.agrees(lambda at: self.loss_at(Tensor, w, x, at), b, grads["b"])
        return found

    def run(self, Tensor, w, x, b=None):
        """Forward and backward with the engine: (data, states of the grads, walk order)."""
        t = self.forward(Tensor, w, x, b)
        data = {name: _item(tensor, name) for name, tensor in t.items()}

        def grads():
            return {name: _grad(tensor, name) for name, tensor in t.items()}

        walk, states = [], [dict.fromkeys(t)]
        for output in [operation[3] for operation in self.operations]:
            rule = getattr(t[output], "_backward", None)
            if callable(rule):
                def watched(rule=rule, output=output):
                    if not walk:
                        states.append(grads())  # the output's grad, given before any rule
                    result = rule()
                    walk.append(output)
                    states.append(grads())
                    return result
                with contextlib.suppress(AttributeError):  # e.g. a class with __slots__
                    t[output]._backward = watched
        t["loss"].backward()
        if not walk:  # the engine's walk could not be watched: show the end only
            states.append(grads())
        return data, states, walk

    def draw(self, w, x, step, b=None):
        def compute(Tensor):
            data, states, walk = self.run(Tensor, w, x, b)
            return data, states, walk, self.agreements(Tensor, w, x, b, states[-1])

        data, states, walk, agreements = self.engine(compute)
        state = states[min(step, len(states) - 1)]
        for name, text in self.graph["values"].items():
            text.set_text(plots.graph_value_text(data[name], state[name]))
        active = walk[step - 2] if 2 <= step < len(walk) + 2 else None
        # The skeleton shows every moving artist after a step: an unused highlight is empty.
        focus = active or ("loss" if step == 1 else None)
        self.box_highlight.set_bounds(*self.graph["boxes"][focus] if focus else (0, 0, 0, 0))
        self.box_highlight.set_edgecolor(HIGHLIGHT if focus else "none")
        self.operation_highlight.set_data(*([[c] for c in self.graph["operations"][active]]
                                            if active else ([], [])))
        edges = [self.graph["edges"][(name, active)] for name in self.inputs.get(active, ())]
        for highlight, edge in zip(self.edge_highlights, edges + [None, None]):
            highlight.set_text(edge.get_text() if edge else "")
            if edge:
                highlight.set_position(edge.get_position())
                highlight.set_horizontalalignment(edge.get_horizontalalignment())
                highlight.set_verticalalignment(edge.get_verticalalignment())
        return self.readout_html(data, states, walk, step, active, agreements)

    def step_text(self, step, active):
        if step == 0:
            return _("Step 0, the forward pass (前向): every value is computed; no grads yet.")
        if step == 1:
            return _("Step 1, the backward pass (反向) begins: the output's grad is "
                     "∂loss/∂loss = 1.")
        if active is None:
            return _("Step {step}: the backward pass is done.", step=step)
        return _("Step {step}: {name} passes its grad on to its inputs, times the local "
                 "gradient (局部梯度) of its operation:", step=step,
                 name=plots.GRAPH_LABELS.get(active, active))

    def readout_html(self, data, states, walk, step, active, agreements):
        final = states[-1]
        lines = [f"<b>{html.escape(self.step_text(step, active))}</b>"]
        if active:
            before, after = states[step - 1], states[step]
            upstream = before[active]
            for name in self.inputs[active]:
                formula, factor = LOCAL_GRADIENTS[active][name]
                label = plots.GRAPH_LABELS.get(name, name)
                if after[name] is None:
                    lines.append(_("{label} does not require grad: nothing to pass.",
                                   label=label))
                    continue
                lines.append(f"{label}.grad += {_show(upstream)} × {factor(data)} "
                             f"({html.escape(formula)}) → <b>{_show(after[name])}</b>")
        checks = [f"{name}.grad = {_show(final[name])} "
                  + self.verdict(name, final[name], agrees)
                  for name, agrees in agreements.items()]
        notes = []
        if len(walk) != len(self.operations) and walk:
            notes.append(_("Your backward() ran {rules} backward rules for {operations} "
                           "operations.", rules=len(walk), operations=len(self.operations)))
        if not walk:
            notes.append(_("The steps could not be followed: your backward() does not call "
                           "each tensor's <code>_backward</code>; the step slider shows the end "
                           "only."))
        return ("<p>" + "<br>".join(lines) + "</p>") + (
            "<p>" + _("Your engine: {checks}. Loss = {loss}.", checks="; ".join(checks),
                      loss=f"{data['loss']:.4g}") + "</p>"
            + "".join(f"<p>{note}</p>" for note in notes))


def _show(value):
    return "None" if value is None else f"{value:.4g}"


class NudgeExplorer(_EngineExplorer):
    """Nudge w and watch Δloss/Δw approach the gradient (chapter 4).

    For loss = (x·w − y)² at one sample: the left plot shows the loss against
    ``w`` with the secant over the nudge ``Δw`` and the tangent whose slope is
    the engine's ``w.grad``; the right one how far Δloss/Δw is from that
    gradient for every nudge: the gap shrinks with Δw when the engine is right.
    Every number comes from the notebook's Tensor; whether ``w.grad`` is right is
    judged against the slope of that loss (:meth:`_EngineExplorer.agrees`).
    """

    nudges = np.logspace(-4, 0, 25)

    def __init__(self, x=3.0, y=6.0, w=1.0, namespace=None):
        self.x, self.y = float(x), float(y)
        self.w_range = (-1.0, 4.0)
        # The first nudge is on the slider's grid (10^0), so that the browser shows it as is.
        nudge = widgets.FloatLogSlider(value=1.0, base=10, min=-4, max=0, step=0.25,
                                       description="Δw", readout_format=".3g",
                                       continuous_update=True)
        super().__init__(usable({"w": slider("w", w, self.w_range, 0.05), "nudge": nudge}),
                         namespace)

    def build(self):
        ax_loss, ax_gap = self.figure.subplots(1, 2)
        w_grid = np.linspace(*self.w_range, 101)
        losses = (self.x * w_grid - self.y) ** 2
        ax_loss.plot(w_grid, losses, color="0.6", label="loss = (x·w − y)²")
        ax_loss.set(xlim=self.w_range, ylim=(-0.05 * losses.max(), losses.max() * 1.05),
                    xlabel="w", ylabel="loss",
                    title=_("one sample: x = {x}, y = {y}", x=f"{self.x:g}", y=f"{self.y:g}"))
        self.secant, = ax_loss.plot([], [], color="tab:orange",
                                    label=_("secant, slope Δloss/Δw"))
        self.tangent, = ax_loss.plot([], [], color="tab:blue", label=_("tangent, slope w.grad"))
        self.points, = ax_loss.plot([], [], "o", color="tab:orange")
        ax_loss.legend(ncol=2, **LEGEND)
        ax_gap.set(xscale="log", yscale="log", xlim=(self.nudges[0], self.nudges[-1]),
                   ylim=(1e-7, 1e3), xlabel="Δw",
                   ylabel="|Δloss/Δw − w.grad|", title=_("the gap shrinks with the nudge"))
        ax_gap.grid(True, which="major", alpha=0.3)
        self.gap_curve, = ax_gap.plot([], [], color="tab:purple")
        self.gap_marker, = ax_gap.plot([], [], "o", color="tab:orange")
        return [self.secant, self.tangent, self.points, self.gap_curve, self.gap_marker]

    def run(self, Tensor, w, nudges):
        """The engine's loss at w and at each w + Δw, its w.grad, and whether that agrees
        with the slope of its loss."""
        def loss(at):
            weight = Tensor(at, requires_grad=True)
            return weight, (self.x * weight - self.y) ** 2

        weight, l = loss(w)
        l.backward()
        if weight.grad is None:
            raise ExerciseNotReady(_("after <code>l.backward()</code> <code>w.grad</code> is "
                                     "still None: backward() did not reach w."))
        grad = _grad(weight, "w")
        nudged = [_item(loss(w + nudge)[1], "loss") for nudge in nudges]
        agrees = self.agrees(lambda at: _item(loss(at)[1], "loss"), w, grad)
        return _item(l, "loss"), grad, np.array(nudged), agrees

    def draw(self, w, nudge):
        nudges = np.append(self.nudges, nudge)
        loss, grad, nudged, agrees = self.engine(lambda Tensor: self.run(Tensor, w, nudges))
        slopes = (nudged - loss) / nudges
        slope = slopes[-1]
        span = np.array([w - 0.8, w + 0.8])
        self.secant.set_data(span, loss + slope * (span - w))
        self.tangent.set_data(span, loss + grad * (span - w))
        self.points.set_data([w, w + nudge], [loss, nudged[-1]])
        # The floor keeps an exact match (a gap of 0) on the log axis.
        gaps = np.maximum(np.abs(slopes - grad), 1e-12)
        self.gap_curve.set_data(self.nudges, gaps[:-1])
        self.gap_marker.set_data([nudge], [gaps[-1]])
        cells = "".join(f"<td style='{RIGHT}'>{value}</td>" for value in (
            f"{nudge:.3g}", f"{loss:.6g}", f"{nudged[-1]:.6g}", f"{slope:.6g}", f"{grad:.6g}"))
        headers = "".join(f"<th style='{RIGHT}'>{header}</th>" for header in (
            "Δw", "loss(w)", "loss(w + Δw)", "Δloss/Δw", _("your w.grad")))
        return (NUDGE_TABLE.format(headers=headers, cells=cells) + "<p>"
                + _("w.grad {verdict}. Δloss/Δw is the slope of the secant; as Δw shrinks it "
                    "tends to the derivative (for this parabola it is off by x²·Δw).",
                    verdict=self.verdict("w", grad, agrees)) + "</p>")


# One row of numbers under a header row: fixed layout and width, digits of one width,
# numbers right-aligned under their headers, so that no column moves or changes width as
# the sliders move.
RIGHT = "text-align:right"
NUDGE_TABLE = (f"<table style='{TABLE.format(width=40)}'>"
               "<tr>{headers}</tr><tr>{cells}</tr></table>")


def graph_explorer(x=1.0, y=2.0, w=1.0, b=None):
    """A :class:`GraphExplorer` of loss = (x·w − y)², or of (x·w + b − y)² when ``b`` is a number.

    Uses the notebook's ``Tensor``, looked up at every slider move. Returns
    the explorer; as the last expression of a cell it shows itself.
    Introduced in chapter 4.
    """
    return GraphExplorer(x, y, w, b)


def nudge_explorer(x=3.0, y=6.0, w=1.0):
    """A :class:`NudgeExplorer` for one sample ``(x, y)``, using the notebook's ``Tensor``.

    Returns the explorer. Introduced in chapter 4.
    """
    return NudgeExplorer(x, y, w)
