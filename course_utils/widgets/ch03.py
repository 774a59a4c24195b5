"""Chapter 3's explorers: gradient descent live, run by the learner's own functions.

* :func:`learning_rate_explorer`: the learning rate, the epochs and the start
  of the learner's ``gradient_descent``, with a play button for the epochs
  and the learner's ``critical_learning_rate`` marked;
* :func:`saddle_explorer`: the learner's ``cost_gradient`` drives descent on
  a two-weight model with a saddle point: on the ridge it stalls, a start off
  the ridge plateaus then escapes, and so does a path with noise;
* :func:`batch_size_explorer`: the learner's ``gradient_descent``, ``sgd`` and
  ``minibatch_gd`` on one plot, with a batch-size slider;
* :func:`two_parameter_explorer`: the learner's ``affine_gradients`` on the
  (w, b) cost contours of chapter 2.

The axes keep their limits whatever the learning rate: what leaves a plot is
drawn at its edge and marked with where it went (the learning-rate explorer
writes the w and the cost it reached).

Every cost drawn (curves, contours, the heights of the paths) is the
notebook's given ``cost(x, y, w, b=0.0)``, looked up by name like the
learner's functions, and everything that needs the cost's curvature comes
from the learner's ``critical_learning_rate``: the explorers compute no
exercise's answer themselves.
"""
import html
import inspect

import ipywidgets as widgets
import numpy as np

from .. import plots
from ..i18n import N_, translator
from .core import HEADLESS, Explorer, ExerciseNotReady, slider

_ = translator(__name__, "03_gradient_descent")

__all__ = ["LearningRateExplorer", "SaddleExplorer", "BatchSizeExplorer",
           "TwoParameterExplorer", "learning_rate_explorer", "saddle_explorer",
           "batch_size_explorer", "two_parameter_explorer"]


def log_slider(name, value, exponents, step=None):
    """A slider over powers of ten, e.g. learning rates from 0.001 to 1 (chapter 3).

    Without a step it moves continuously, and a rate typed into its readout is taken as
    typed (with a step the browser rounds it to the nearest step, 0.22 to 0.2198).
    """
    return widgets.FloatLogSlider(value=value, base=10, min=exponents[0], max=exponents[1],
                                  step=step, description=name, readout_format=".4f",
                                  continuous_update=True)


def _wide(control):
    """``control`` with room for its whole description (chapter 3)."""
    control.style.description_width = "initial"
    return control


def int_slider(name, value, bounds):
    """An integer slider that updates while it is dragged (chapter 3)."""
    return widgets.IntSlider(value=value, min=bounds[0], max=bounds[1], description=name,
                             continuous_update=True)


# The play control's buttons carry no words: its tooltip names them. (ipywidgets shows a
# tooltip on the whole control only when it has no description.)
PLAY_TOOLTIP = N_("▶ play the epochs one by one (❚❚ pauses) · ■ back to epoch 0 · "
                  "🔁 play in a loop")

# What the learning-rate explorer's strip of rates says while it cannot draw the factor.
FACTOR_WAITS = N_("each step's factor and the critical rate\n"
                  "appear once critical_learning_rate works")
FACTOR_UNUSABLE = N_("your critical_learning_rate gave {critical:.4g}, not a positive number:\n"
                     "no factor to draw")


def _same(a, b):
    """Whether two results of a learner's function are the same (None, NaN and numbers)."""
    if a is None or b is None:
        return a is b
    return a == b or (np.isnan(a) and np.isnan(b))


def _takes(fn, count):
    """Whether ``fn`` accepts ``count`` positional arguments (yes when it cannot be told)."""
    try:
        inspect.signature(fn).bind(*range(count))
    except TypeError:
        return False
    except ValueError:  # no signature to read (a builtin): try it
        return True
    return True


def _top(value, default=1.0):
    """``value`` as the top of an axis if it is a positive number, else ``default``."""
    return float(value) if np.isfinite(value) and value > 0 else default


def _regime(costs, diverged_at):
    """One sentence on what the cost did."""
    if diverged_at is not None:
        return _("<b>diverged at epoch {epoch}</b>: every step overshoots the minimum further "
                 "than the last, and the path left the plot. Lower the learning rate.",
                 epoch=diverged_at)
    if len(costs) > 1 and costs[-1] > costs[0]:
        return _("<b>the cost rises</b>: the learning rate is too large, and with more epochs "
                 "it diverges. Lower the learning rate.")
    return ""


class DescentExplorer(Explorer):
    """What chapter 3's explorers share: the learner's results that come as pairs, and the
    notebook's given ``cost``.

    :meth:`pair` takes a learner's function that returns a pair such as
    ``(w, costs)``, which :meth:`Explorer.call` cannot turn into one array.
    :meth:`costs` gives the notebook's ``cost`` at many points; the static parts
    drawn from it (:meth:`draw_costs`) are drawn by :meth:`given_curves` once
    it works, and again if it is redefined.
    """

    given = ("cost",)
    _cost_of = None     # the definition of `cost` whose values self._known holds
    _drawn_with = None  # the definition of `cost` the static parts were drawn with
    _given_artists = ()

    def costs(self, ws, bs=None):
        """The notebook's given ``cost(x, y, w)`` (or ``cost(x, y, w, b)``) at each ``w``
        (and ``b``), a float array. Values are remembered per definition of ``cost``, so
        that a play frame computes only its new point."""
        cost = self.function("cost")
        if cost is not self._cost_of or len(self._known) > 100_000:
            self._cost_of, self._known = cost, {}
            self._with_bias = _takes(cost, 4)
        ws = np.asarray(ws, dtype=float).ravel().tolist()
        points = (list(zip(ws)) if bs is None else
                  list(zip(ws, np.asarray(bs, dtype=float).ravel().tolist())))
        new = list(dict.fromkeys(point for point in points if point not in self._known))
        if new:
            values = self.numbers("cost", [self._cost_args(point) for point in new])
            self._known.update(zip(new, values.tolist()))
        return np.array([self._known[point] for point in points], dtype=float)

    def _cost_args(self, point):
        """The arguments of the notebook's cost at ``(w,)`` or ``(w, b)``. A notebook made
        before its cost took b has cost(x, y, w): x·w + b − y is x·w − (y − b), so that cost
        of the labels y − b is the cost at (w, b)."""
        if len(point) == 1 or self._with_bias:
            return (self.x, self.y, *point)
        w, b = point
        return (self.x, self.y - b, w)

    def given_curves(self):
        """Draw the static parts that come from the notebook's ``cost`` (:meth:`draw_costs`)
        into the cached background, once per definition of ``cost``."""
        cost = self.function("cost")
        if cost is self._drawn_with:
            return
        for artist in self._given_artists:
            artist.remove()
        self._given_artists, self._drawn_with = (), None
        before = [set(ax.get_children()) for ax in self.figure.axes]
        try:
            self.draw_costs()
        finally:
            self._given_artists = [artist for ax, old in zip(self.figure.axes, before)
                                   for artist in ax.get_children() if artist not in old]
        self._drawn_with = cost
        self.live.invalidate_background()

    def draw_costs(self):
        """Draw what depends on the notebook's ``cost`` only (its values first, then the
        artists: a cost that fails leaves nothing drawn)."""

    def pair(self, name, *args, names="(w, costs)"):
        """The learner's ``name(*args)`` as a pair of float arrays, e.g. ``(w, costs)``."""
        result = self.result(name, *args)
        if not isinstance(result, (tuple, list, np.ndarray)) or len(result) != 2:
            raise ExerciseNotReady(_(
                "<code>{name}</code> returned {kind}, expected a pair {names}.",
                name=name, kind=html.escape(type(result).__name__), names=names))
        try:
            return tuple(np.asarray(part, dtype=float).ravel() for part in result)
        except (TypeError, ValueError):
            raise ExerciseNotReady(_(
                "<code>{name}</code> returned a pair that is not {names} as numbers.",
                name=name, names=names)) from None

    def history(self, name, *args, length):
        """The learner's ``(w, costs)`` with ``length`` costs, else a plain message."""
        w, costs = self.pair(name, *args)
        if w.size != 1 or costs.size != length:
            raise ExerciseNotReady(_(
                "<code>{name}</code> returned {count} number(s) for w and {size} costs; "
                "expected one w and {length} costs.",
                name=name, count=w.size, size=costs.size, length=length))
        return float(w[0]), costs

    def finish(self, *leading):
        """Put ``leading`` widgets (a play button) before the controls; let them wrap onto a
        second line in a narrow notebook. (In the grader's sandbox there is no layout.)"""
        if HEADLESS:
            return
        box = self.widget.children[0]
        box.children = (*leading, *box.children)
        box.layout.flex_flow = "row wrap"


def _first_outside(values, low, high):
    """The index of the first value outside [low, high] or not finite, else None."""
    outside = ~(np.isfinite(values) & (values >= low) & (values <= high))
    return int(np.argmax(outside)) if outside.any() else None


def _near(values, low, high):
    """``values`` clipped to a band around [low, high]: a diverged point is drawn just
    outside the axes, in its direction, never at 1e300."""
    margin = high - low
    return np.clip(values, low - margin, high + margin)


# ------------------------------------------------------------------ learning rate


class LearningRateExplorer(DescentExplorer):
    """The learner's ``gradient_descent`` under a learning-rate slider (chapter 3).

    Runs ``gradient_descent(x, y, w, lr, 1)`` one epoch at a time, so that
    each step of ``w`` can be drawn on the cost curve; shows the cost per
    epoch (log scale) and, on a strip of learning rates, the factor by which
    one step multiplies the distance to the minimum, with the learner's
    ``critical_learning_rate`` marked. A play button animates the epochs.
    """

    def __init__(self, x, y, lr=0.01, epochs=100, w0=1.0, w0_range=(0.0, 4.0),
                 max_epochs=150, namespace=None):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        # Least squares: the star on the curve, and which side of it w is on (no exercise's).
        self.w_best = float(np.sum(self.x * self.y) / np.sum(self.x ** 2))
        # The cost's curvature, 2 / the learner's critical_learning_rate(x), once that works.
        self.curvature = None
        span = w0_range[1] - w0_range[0]
        self.view = (w0_range[0] - span / 4, w0_range[1] + span / 4)
        self.max_epochs = max_epochs
        self.critical = None
        self.path_cache = (None, [], [])
        super().__init__({"lr": log_slider("lr", lr, (-3, 0)),
                          "epochs": int_slider(_("epochs"), epochs, (0, max_epochs)),
                          "w0": slider("w0", w0, w0_range, 0.1)}, namespace)
        # The play button moves the epochs slider in the browser (jslink), one
        # epoch per frame; each new value reaches the kernel as a slider move.
        # 80 ms between frames gives 12 frames a second (the browser's timer adds
        # a few ms to each); a frame takes about 10 ms in the kernel.
        self.play = widgets.Play(value=epochs, min=0, max=max_epochs, step=1, interval=80,
                                 tooltip=_.template(PLAY_TOOLTIP))
        self.link = widgets.jslink((self.play, "value"), (self.controls["epochs"], "value"))
        self.finish(self.play)

    def build(self):
        grid = self.figure.add_gridspec(1, 3, width_ratios=[1.25, 1.25, 1.0])
        self.ax_curve, self.ax_costs, self.ax_rate = (self.figure.add_subplot(cell)
                                                      for cell in grid)
        # The cost curve, the star and the cost axes' limits come from the notebook's cost
        # (draw_costs); until then the limits are placeholders.
        self.top, self.floor = 1.0, 1e-15
        self.w_line = np.linspace(*self.view, 200)
        self.ax_curve.set(xlim=self.view, xlabel="w", ylabel=_("cost"))
        self.path, = self.ax_curve.plot([], [], "o-", color="tab:blue", markersize=3,
                                        linewidth=1)
        self.point, = self.ax_curve.plot([], [], "o", color="tab:red", markersize=7)
        self.curve_title = self.ax_curve.set_title(" ")
        # Where w went once it left the window, written at the edge it left by.
        self.w_note = self.ax_curve.text(0.5, 0.9, "", transform=self.ax_curve.transAxes,
                                         color="tab:red", fontsize=9, ha="center")

        self.ax_costs.set(xlim=(0, self.max_epochs), ylim=(self.floor, self.top * 10),
                          yscale="log", xlabel=_("epoch"), ylabel=_("cost (log scale)"))
        self.cost_line, = self.ax_costs.plot([], [], color="tab:blue")
        # A cost above the panel (or below its floor) ends the line at that edge, with an
        # arrow there and the value it reached written beside it.
        self.cost_exit, = self.ax_costs.plot([], [], color="tab:red", markersize=9,
                                             clip_on=False)
        self.cost_note = self.ax_costs.text(0.97, 0.9, "", transform=self.ax_costs.transAxes,
                                            color="tab:red", fontsize=9, ha="right")
        self.costs_title = self.ax_costs.set_title(" ")

        # The factor |1 − lr·curvature| = |1 − 2·lr / critical rate|, with the learner's
        # critical rate: drawn by mark_critical once critical_learning_rate works.
        self.rates = np.logspace(-3, 0, 200)
        self.rate_curve, = self.ax_rate.plot([], [], color="gray", visible=False)
        self.ax_rate.axhline(1.0, color="black", linewidth=0.8, linestyle="dotted")
        self.ax_rate.set(xscale="log", xlim=(self.rates[0], self.rates[-1]), ylim=(0, 2),
                         xlabel="lr", ylabel=_("|1 − 2·lr / critical rate|"),
                         title=_("each step's factor"))
        self.ax_rate.text(1.2e-3, 1.05, _("diverges above 1"), fontsize=8, color="gray")
        self.critical_line = self.ax_rate.axvline(1.0, color="tab:red", linestyle="--",
                                                  visible=False)
        self.critical_label = self.ax_rate.text(0.02, 0.04, _.template(FACTOR_WAITS),
                                                transform=self.ax_rate.transAxes, fontsize=8,
                                                color="gray")
        self.rate_point, = self.ax_rate.plot([], [], "o", color="tab:red", markersize=7)
        return [self.path, self.point, self.curve_title, self.w_note, self.cost_line,
                self.cost_exit, self.cost_note, self.costs_title, self.rate_point]

    def draw_costs(self):
        curve = self.costs(self.w_line)
        best = self.costs([self.w_best])
        finite = curve[np.isfinite(curve)]
        self.top = _top(finite.max() if finite.size else np.nan)
        self.floor = self.top * 1e-15
        self.ax_curve.plot(self.w_line, curve, color="gray")
        self.ax_curve.plot([self.w_best], best, "*", color="black", markersize=10)
        self.ax_curve.set_ylim(-0.03 * self.top, self.top * 1.05)
        self.ax_costs.set_ylim(self.floor, self.top * 10)

    def descend(self, w0, lr, epochs):
        """``(ws, costs)``: w before each epoch and after the last, and the cost at each.

        Each epoch is one call ``gradient_descent(x, y, w, lr, 1)``, which gives
        the cost at ``w`` and the next ``w``. The path is kept while the
        functions, ``lr`` and ``w0`` stay the same, so that a play frame (one
        epoch more) costs one call. A diverging path goes on past the window (the
        cost panel shows where it went) until ``|w|`` passes :data:`W_LIMIT`; the
        cost of that last ``w`` is the notebook's ``cost``.
        """
        key = (self.function("gradient_descent"), self.namespace.get("cost_gradient"),
               self.namespace.get("cost"), lr, w0)
        if self.path_cache[0] != key:
            self.path_cache = (key, [w0], [])
        ws, costs = self.path_cache[1:]
        while len(costs) <= epochs and _first_outside(np.array(ws[-1:]), -W_LIMIT,
                                                      W_LIMIT) is None:
            w, history = self.history("gradient_descent", self.x, self.y, ws[-1], lr, 1,
                                      length=1)
            costs.append(float(history[0]))
            ws.append(w)
        ws = ws[:epochs + 1]
        costs = costs[:len(ws)]
        if len(costs) < len(ws):  # the run stopped at a w too large to go on from
            costs = [*costs, *self.costs(ws[-1:])]
        return np.array(ws), np.array(costs)

    def mark_critical(self):
        """Draw the learner's critical rate and, from it, each step's factor on the strip;
        a sentence for the readout, saying what is missing if it is not ready."""
        try:
            critical = self.number("critical_learning_rate", self.x)
        except ExerciseNotReady as reason:
            critical, note = None, "<br>" + _("The critical rate is not marked: {reason}",
                                              reason=reason)
        else:
            note = "<br>" + _("Your <code>critical_learning_rate(x)</code> = {critical} (red "
                              "dashes).", critical=f"{critical:.4f}")
        usable = critical is not None and bool(np.isfinite(critical)) and critical > 0
        # One step multiplies the distance to the minimum by 1 − lr·curvature, and the
        # critical rate is 2 / curvature: the curvature is the learner's 2 / critical rate.
        self.curvature = 2 / critical if usable else None
        if not _same(critical, self.critical):
            self.critical = critical
            if usable:
                self.critical_line.set_xdata([critical, critical])
                self.rate_curve.set_data(self.rates, np.abs(1 - self.rates * self.curvature))
                self.critical_label.set_text(_("critical rate {rate}", rate=f"{critical:.4f}"))
                self.critical_label.set_color("tab:red")
            else:
                self.critical_label.set_text(
                    _.template(FACTOR_WAITS) if critical is None
                    else _.template(FACTOR_UNUSABLE).format(critical=critical))
                self.critical_label.set_color("gray")
            self.critical_line.set_visible(usable)
            self.rate_curve.set_visible(usable)
            self.live.invalidate_background()
        return note

    def draw(self, lr, epochs, w0):
        ws, costs = self.descend(w0, lr, epochs)
        self.given_curves()
        note = self.mark_critical()
        last = len(ws) - 1  # the epoch whose w and cost are reported: `epochs`, unless stopped
        left = _first_outside(ws, *self.view)
        shown = np.clip(ws[:len(ws) if left is None else left + 1], *self.view)
        heights = self.costs(shown)
        self.path.set_data(shown, heights)
        self.point.set_data(shown[-1:], heights[-1:])
        if left is None:
            self.w_note.set_text("")
        else:
            below = ws[left] < self.view[0]
            self.w_note.set_text(W_LEFT.format(epoch=left, last=last, w=ws[last],
                                               arrow="←" if below else "→"))
            self.w_note.set_x(0.03 if below else 0.97)
            self.w_note.set_ha("left" if below else "right")
        self.draw_cost_panel(costs, last)
        if self.curvature is None:
            self.rate_point.set_data([], [])
        else:
            self.rate_point.set_data([lr], [min(abs(1 - lr * self.curvature), 1.98)])
        # Every control shows in the picture; the w and the cost reported belong together.
        self.curve_title.set_text(f"lr = {lr:.4f}, w0 = {w0:.2f}: w = {ws[last]:.4g}")
        stopped = "" if last == epochs else _.template(W_STOPPED).format(epoch=last,
                                                                         limit=W_LIMIT)
        return ("<p>" + _("lr = {lr}, from w0 = {w0}, after {epochs} epochs: w = {w}, cost = "
                          "{cost}.", lr=f"{lr:.4f}", w0=f"{w0:.2f}", epochs=last,
                          w=f"{ws[last]:.6g}", cost=f"{costs[last]:.4g}")
                + f" {stopped}{_verdict(ws, self.w_best)}{note}</p>")

    def draw_cost_panel(self, costs, last):
        """The cost per epoch, ended at the panel's edge where it leaves, with a note."""
        high, low = self.top * 10, self.floor
        over = _first_outside(costs, -np.inf, high)
        under = _first_outside(costs, low, np.inf)
        under = None if under is not None and over is not None and over < under else under
        end = next((i for i in (over, under) if i is not None), None)
        kept = costs if end is None else np.clip(costs[:end + 1], low, high)
        self.cost_line.set_data(np.arange(len(kept)), np.nan_to_num(kept, nan=high))
        if end is None:
            self.cost_exit.set_data([], [])
            self.cost_note.set_text("")
        else:
            self.cost_exit.set_data([end], [high if end == over else low])
            self.cost_exit.set_marker("^" if end == over else "v")
            self.cost_note.set_y(0.9 if end == over else 0.05)
            self.cost_note.set_text(
                COST_ABOVE.format(epoch=over, last=last, cost=costs[last]) if end == over
                else COST_BELOW.format(epoch=under, floor=low))
        self.costs_title.set_text(
            _("cost left the panel at epoch {epoch}", epoch=over)
            if end is not None and end == over
            else _("cost after {epochs} epochs: {cost}", epochs=last, cost=f"{costs[last]:.3g}"))


# Beyond this |w| the learning-rate explorer stops: its cost would overflow.
W_LIMIT = 1e100
W_LEFT = "{arrow} w left the plot at epoch {epoch};\nw = {w:.4g} at epoch {last}"
W_STOPPED = N_("The run stops at epoch {epoch}, where w passed ±{limit:.0e} (or stopped being "
               "a number): a few more steps and the numbers overflow. ")
COST_ABOVE = "↑ off the top at epoch {epoch}:\ncost {cost:.3g} at epoch {last}"
COST_BELOW = "↓ below {floor:.0e} from epoch {epoch}"


def _verdict(ws, w_best):
    """What the learning rate does, from the path's first step: the factor it multiplied the
    distance to the minimum by, the same at every step on this parabola."""
    if len(ws) < 2:
        return _("Epoch 0: no step yet. Press ▶, or raise the epochs.")
    if ws[0] == w_best:
        return _("w0 is the minimum: the gradient is zero and w stays.")
    with np.errstate(all="ignore"):
        factor = (ws[1] - w_best) / (ws[0] - w_best)
    if not np.isfinite(factor) or abs(factor) > 1 + 1e-9:
        return _("<b>diverges</b>: each step multiplies the distance to the minimum by "
                 "{factor}, so it grows every epoch, and so does the cost. Lower the learning "
                 "rate.", factor=f"{factor:.3g}")
    if abs(factor) > 1 - 1e-9:
        return _("<b>neither converges nor diverges</b>: w jumps back and forth, the same "
                 "distance either side of the minimum: this is the critical rate.")
    if abs(factor) < 1e-9:
        return _("<b>one step lands on the minimum</b> (each step's factor is 0).")
    if factor < 0:
        return _("<b>zig-zag</b>: w jumps across the minimum at every step, each jump "
                 "{factor} times the last: it converges.", factor=f"{abs(factor):.3g}")
    return _("w walks down the curve towards the minimum, each step keeping {factor} of the "
             "distance: it converges.", factor=f"{factor:.3g}")


def learning_rate_explorer(x, y, **options):
    """A :class:`LearningRateExplorer` over ``(x, y)`` using the notebook's ``gradient_descent``.

    Also marks the notebook's ``critical_learning_rate`` once it works, and
    draws each step's factor from it; the cost curve is the notebook's ``cost``. The
    functions are looked up by name at every step. Introduced in chapter 3.
    """
    return LearningRateExplorer(x, y, **options)


# ------------------------------------------------------------------ saddle point


class SaddleExplorer(DescentExplorer):
    """Gradient descent on ŷ = x·w₁·w₂, a model whose cost has a saddle at (0, 0) (chapter 3).

    The cost depends on the product w₁·w₂ only, so its gradient comes from
    the learner's ``cost_gradient(x, y, w₁·w₂)`` by the chain rule:
    (g·w₂, g·w₁). Started on the ridge w₂ = −w₁, every gradient, each
    sample's too, lies along the ridge: descent (SGD as well) slides into the
    saddle and stalls. Started ``off ridge``, it plateaus at the saddle, then
    escapes; ``noise`` adds a random term to each gradient, standing in for
    what a real network has and this toy lacks (gradients across the ridge).
    """

    def __init__(self, x, y, lr=0.01, start=1.5, noise=0.0, off_ridge=0.0, epochs=200,
                 max_epochs=300, seed=0, namespace=None):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.lr, self.start, self.max_epochs = lr, (start, -start), max_epochs
        self.box = 2.5
        # The same draws at every step, scaled by the slider: the path changes smoothly.
        self.draws = np.random.default_rng(seed).normal(size=(max_epochs, 2))
        self.w_best = float(np.sum(self.x * self.y) / np.sum(self.x ** 2))  # least squares
        off = _wide(widgets.SelectionSlider(options=OFF_RIDGE, value=off_ridge,
                                            description=_("off ridge"), continuous_update=True))
        super().__init__({"noise": slider(_("noise"), noise, (0.0, 2.0), 0.05),
                          "epochs": int_slider(_("epochs"), epochs, (0, max_epochs)),
                          "off ridge": off}, namespace)
        self.finish()

    def cost(self, w1, w2):
        """The notebook's cost at the points (w₁, w₂): the cost of the weight w₁·w₂."""
        with np.errstate(all="ignore"):  # a diverged point's product may overflow
            product = np.asarray(w1, dtype=float) * np.asarray(w2, dtype=float)
        return self.costs(product).reshape(np.shape(product))

    def build(self):
        self.ax_surface, self.ax_costs = ax_surface, ax_costs = self.figure.subplots(
            1, 2, width_ratios=[1, 1.4])
        # The contours, the saddle's cost and the cost axis come from the notebook's cost
        # (draw_costs); until then the limits are placeholders.
        self.saddle_cost, self.top = np.nan, 1.0
        ax_surface.plot([-self.box, self.box], [self.box, -self.box], ":", color="white",
                        linewidth=1, label=_("the ridge w₂ = −w₁"))
        ax_surface.plot(0, 0, "X", color="white", markersize=10, label=_("saddle point"))
        ax_surface.set(xlim=(-self.box, self.box), ylim=(-self.box, self.box), xlabel="w₁",
                       ylabel="w₂", aspect="equal")
        ax_surface.legend(loc="lower left", fontsize=8)
        self.path, = ax_surface.plot([], [], "-", color="tab:red", linewidth=1.2)
        self.point, = ax_surface.plot([], [], "o", color="tab:red", markersize=6)

        ax_costs.set(xlim=(0, self.max_epochs), ylim=(0, self.top), xlabel=_("epoch"),
                     ylabel=_("cost"))
        self.cost_line, = ax_costs.plot([], [], color="tab:red")
        self.title = ax_costs.set_title(" ")
        return [self.path, self.point, self.cost_line, self.title]

    def draw_costs(self):
        grid = np.linspace(-self.box, self.box, 81)
        cost = self.cost(*np.meshgrid(grid, grid))
        self.saddle_cost = float(self.cost(0.0, 0.0))
        self.top = _top(float(self.cost(*self.start)) * 1.1)
        self.ax_surface.contourf(grid, grid, cost, levels=plots.cost_levels(cost),
                                 cmap="viridis")
        self.ax_costs.axhline(self.saddle_cost, color="gray", linestyle="--", linewidth=1)
        self.ax_costs.text(self.max_epochs * 0.98, self.saddle_cost, _("cost at the saddle"),
                           ha="right", va="bottom", color="gray", fontsize=8)
        self.ax_costs.set_ylim(0, self.top)

    def descend(self, noise, epochs, off=0.0):
        """``(path, diverged_at)``: the points (w₁, w₂) before each epoch, and after the last,
        from the start moved ``off`` the ridge (w₂ = −w₁ + off)."""
        w1, w2 = self.start[0], self.start[1] + off
        path = [(w1, w2)]
        for epoch in range(epochs):
            g = self.number("cost_gradient", self.x, self.y, w1 * w2)
            d1, d2 = noise * self.draws[epoch]
            with np.errstate(all="ignore"):  # a huge gradient is a divergence, caught below
                w1, w2 = w1 - self.lr * (g * w2 + d1), w2 - self.lr * (g * w1 + d2)
            path.append((w1, w2))
            if _first_outside(np.array([w1, w2]), -3 * self.box, 3 * self.box) is not None:
                return np.array(path), epoch + 1
        return np.array(path), None

    def draw(self, **values):
        noise, epochs, off = values["noise"], values["epochs"], values["off ridge"]
        path, diverged_at = self.descend(noise, epochs, off)
        self.given_curves()
        costs = self.cost(path[:, 0], path[:, 1])
        shown = _near(path, -self.box, self.box)
        self.path.set_data(shown[:, 0], shown[:, 1])
        self.point.set_data(shown[-1:, 0], shown[-1:, 1])
        self.cost_line.set_data(np.arange(len(costs)), np.minimum(costs, self.top))
        w1, w2 = path[-1]
        below = np.flatnonzero(costs < self.saddle_cost / 2)
        if diverged_at is not None:
            story = _regime(costs, diverged_at)
        elif below.size:
            story = _("<b>escaped</b> the saddle: the cost fell below half the saddle's at "
                      "epoch {epoch} and heads for a minimum on the curve w₁·w₂ = {best}.",
                      epoch=below[0], best=f"{self.w_best:.3g}")
        elif abs(costs[-1] - self.saddle_cost) < 0.01 * self.saddle_cost:
            story = _.template(SADDLE_STALLED if noise == 0 and off == 0 else SADDLE_PLATEAU)
        elif costs[-1] > self.saddle_cost:
            story = _("on its way down towards the saddle.")
        else:
            story = _("leaving the saddle: the cost has begun to fall below the saddle's.")
        self.title.set_text(_("noise {noise}, start {off} off the ridge: cost {cost} after "
                              "{epochs} epochs", noise=f"{noise:.2f}", off=f"{off:.0e}",
                              cost=f"{costs[-1]:.3g}", epochs=epochs))
        return ("<p>" + _("lr = {lr}, from (w₁, w₂) = ({w1_start}, {w2_start}): after {epochs} "
                          "epochs (w₁, w₂) = ({w1}, {w2}), cost = {cost}.", lr=self.lr,
                          w1_start=f"{path[0, 0]:.4g}", w2_start=f"{path[0, 1]:.8g}",
                          epochs=epochs, w1=f"{w1:.3g}", w2=f"{w2:.3g}",
                          cost=f"{costs[-1]:.4g}")
                + f" {story}</p>")


# How far the saddle explorer's start lies off the ridge w₂ = −w₁: its slider's stops.
OFF_RIDGE = [("0 (on it)", 0.0), ("1e-8", 1e-8), ("1e-6", 1e-6), ("1e-4", 1e-4),
             ("0.01", 0.01), ("0.1", 0.1)]
SADDLE_STALLED = N_(
    "<b>stalled at the saddle</b>: on the ridge every gradient, each sample's too, points "
    "along the ridge, so gradient descent (and SGD) slide into the saddle, where the gradient "
    "is zero, and stop there, although the cost could still fall. Start off the ridge, or add "
    "noise.")
SADDLE_PLATEAU = N_(
    "<b>on the plateau at the saddle</b>: the gradient is nearly zero, so the steps are tiny "
    "and the cost stays at the saddle's level; but the distance from the ridge grows every "
    "epoch. Give it more epochs: it escapes.")


def saddle_explorer(x, y, **options):
    """A :class:`SaddleExplorer` over ``(x, y)`` using the notebook's ``cost_gradient``.

    Introduced in chapter 3.
    """
    return SaddleExplorer(x, y, **options)


# ------------------------------------------------------------------ GD, SGD and mini-batch


def ewa(values, beta):
    """The exponentially weighted average of ``values`` (chapter 3's smoothing), the
    lecture's way: C'₀ = C₀, C'ᵢ = β·Cᵢ + (1 − β)·C'ᵢ₋₁.

    ``beta`` is the weight of the new value: 1 gives the values back, a small
    ``beta`` smooths strongly. Returns an array.
    """
    smoothed = np.empty(len(values))
    for i, value in enumerate(values):
        smoothed[i] = value if i == 0 else beta * value + (1 - beta) * smoothed[i - 1]
    return smoothed


class BatchSizeExplorer(DescentExplorer):
    """The learner's ``gradient_descent``, ``sgd`` and ``minibatch_gd`` side by side (chapter 3).

    Left: each method's cost per update against the epoch, raw (faint) and
    smoothed by an exponentially weighted average (bold). Right: the same
    against the number of updates. Each method runs for the same epochs, from
    the same start, with the same learning rate.
    """

    METHODS = ("GD", "SGD", "mini-batch")
    COLORS = ("tab:blue", "tab:orange", "tab:green")

    def __init__(self, x, y, lr=0.01, epochs=20, batch_size=4, w0=0.0, max_epochs=50,
                 new_weight=0.2, namespace=None):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.w0, self.max_epochs = w0, max_epochs
        self.cache = {}
        n = len(self.x)
        super().__init__({"batch size": int_slider(_("batch size"), batch_size, (1, n)),
                          "lr": log_slider("lr", lr, (-3, -1)),
                          "epochs": int_slider(_("epochs"), epochs, (1, max_epochs)),
                          "new cost's weight": _wide(slider(
                              _("new cost's weight"), new_weight, (0.02, 1.0), 0.02)),
                          "shuffle": widgets.Checkbox(False, description=_("shuffle (seed 0)"))},
                         namespace)
        self.finish()

    def build(self):
        ax_epochs, ax_updates = self.figure.subplots(1, 2, sharey=True)
        self.ax_epochs = ax_epochs
        # The cost axis comes from the notebook's cost (draw_costs); until then a placeholder.
        self.top, self.floor = 10.0, 1e-6
        ax_epochs.set(xlim=(0, self.max_epochs), ylim=(self.floor, self.top), yscale="log",
                      xlabel=_("epoch (passes over the data)"), ylabel=_("cost of the batch"))
        updates = self.max_epochs * len(self.x)
        ax_updates.set(xlim=(1, updates), xscale="log", xlabel=_("update (log scale)"))
        self.raw, self.smooth, self.by_update = [], [], []
        for method, color in zip(self.METHODS, self.COLORS):
            self.raw.append(ax_epochs.plot([], [], color=color, alpha=0.25, linewidth=0.8)[0])
            self.smooth.append(ax_epochs.plot([], [], color=color, linewidth=2,
                                              label=method)[0])
            self.by_update.append(ax_updates.plot([], [], color=color, linewidth=2)[0])
        ax_epochs.legend(loc="upper right", fontsize=8)
        self.title = ax_epochs.set_title(" ")
        ax_updates.set_title(_("the same against the number of updates"))
        return [*self.raw, *self.smooth, *self.by_update, self.title]

    def draw_costs(self):
        # From the start's cost down to below the least cost (least squares' w).
        w_best = float(np.sum(self.x * self.y) / np.sum(self.x ** 2))
        start_cost, least = self.costs([self.w0, w_best])
        self.top = _top(start_cost * 10, 10.0)
        self.floor = max(least / 5, self.top * 1e-7) if np.isfinite(least) and least > 0 \
            else self.top * 1e-7
        self.ax_epochs.set_ylim(self.floor, self.top)

    def cached(self, name, *args, length):
        """The learner's result for these arguments, computed again only when they change."""
        key = (self.function(name), length, *args)
        if self.cache.get(name, (None,))[0] != key:
            self.cache[name] = (key, self.history(name, self.x, self.y, self.w0, *args,
                                                  length=length))
        return self.cache[name][1]

    def draw(self, **values):
        lr, epochs, batch_size = values["lr"], values["epochs"], values["batch size"]
        beta = values["new cost's weight"]
        seed = 0 if values["shuffle"] else None
        n = len(self.x)
        per_epoch = (1, n, -(-n // batch_size))
        runs = [self.cached("gradient_descent", lr, epochs, length=epochs),
                self.cached("sgd", lr, epochs, length=epochs * n),
                self.cached("minibatch_gd", lr, epochs, batch_size, seed,
                            length=epochs * per_epoch[2])]
        self.given_curves()
        final_costs = self.costs([run[0] for run in runs])
        labels = ("GD", "SGD", _("mini-batch of {size}", size=batch_size))
        rows = []
        for i, ((w, costs), steps, final_cost) in enumerate(zip(runs, per_epoch, final_costs)):
            diverged = _first_outside(costs, -np.inf, self.top)
            kept = costs if diverged is None else costs[:diverged + 1]
            shown = np.clip(np.nan_to_num(kept, nan=self.top, posinf=self.top), self.floor,
                            self.top)
            self.raw[i].set_data(np.arange(len(shown)) / steps, shown)
            smooth = ewa(shown, beta)
            self.smooth[i].set_data(np.arange(len(shown)) / steps, smooth)
            self.by_update[i].set_data(np.arange(1, len(shown) + 1), smooth)
            end = (_("diverged at epoch {epoch}", epoch=diverged // steps)
                   if diverged is not None else f"{w:.4f}")
            cost = "" if diverged is not None else f"{final_cost:.4f}"
            rows.append(f"<tr><td>{labels[i]}</td><td>{steps}</td><td>{steps * epochs}</td>"
                        f"<td>{end}</td><td>{cost}</td></tr>")
        self.title.set_text(_("batches of {size}, {epochs} epochs, lr = {lr}, β = {beta}",
                              size=batch_size, epochs=epochs, lr=f"{lr:.4f}",
                              beta=f"{beta:.2f}"))
        return (TABLE_STYLE + '<table class="ch03-table"><colgroup>'
                + "".join(f'<col style="width: {width}">' for width in TABLE_COLUMNS)
                + "</colgroup><tr>" + _("<th>method</th><th>updates per epoch</th><th>updates"
                                       "</th><th>final w</th><th>cost on all the data</th>")
                + "</tr>" + "".join(rows)
                + "</table>")


# The batch explorer's table: fixed column widths, so that it keeps its width whatever it
# holds; padded, right-aligned figures of one width.
TABLE_COLUMNS = ("11em", "10em", "6em", "15em", "11em")
TABLE_STYLE = ("<style>.ch03-table {table-layout: fixed; border-collapse: collapse; "
               "width: 53em} .ch03-table th, .ch03-table td {padding: 2px 10px; "
               "text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; "
               "overflow: hidden} .ch03-table th:first-child, .ch03-table td:first-child "
               "{text-align: left} .ch03-table th {border-bottom: 1px solid #999}</style>")


def batch_size_explorer(x, y, **options):
    """A :class:`BatchSizeExplorer` over ``(x, y)``.

    Uses the notebook's ``gradient_descent``, ``sgd`` and ``minibatch_gd``.
    Introduced in chapter 3.
    """
    return BatchSizeExplorer(x, y, **options)


# ------------------------------------------------------------------ two parameters


class TwoParameterExplorer(DescentExplorer):
    """Gradient descent on ŷ = x·w + b over chapter 2's (w, b) contours (chapter 3).

    Each step uses the learner's ``affine_gradients(x, y, w, b)``. The cost's
    valley is long and narrow, so a large learning rate zig-zags across it.
    """

    def __init__(self, x, y, lr=0.05, epochs=100, start=(3.5, 1.5), w_range=(0.0, 4.0),
                 b_range=(-2.0, 2.0), max_epochs=100, namespace=None):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.start, self.max_epochs = start, max_epochs
        self.w_range, self.b_range = w_range, b_range
        super().__init__({"lr": log_slider("lr", lr, (-3, -0.5), 0.02),
                          "epochs": int_slider(_("epochs"), epochs, (0, max_epochs))}, namespace)
        self.finish()

    def build(self):
        self.ax_surface, self.ax_costs = ax_surface, ax_costs = self.figure.subplots(
            1, 2, width_ratios=[1.2, 1])
        # The contours and the cost axis come from the notebook's cost (draw_costs); until
        # then the limits are placeholders.
        self.top, self.floor = 10.0, 1e-7
        ax_surface.set(xlim=self.w_range, ylim=self.b_range, xlabel="w", ylabel="b",
                       title=_("cost over (w, b)"))
        self.path, = ax_surface.plot([], [], "o-", color="tab:red", markersize=2.5,
                                     linewidth=1)
        self.point, = ax_surface.plot([], [], "o", color="tab:red", markersize=7)
        ax_costs.set(xlim=(0, self.max_epochs), ylim=(self.floor, self.top), yscale="log",
                     xlabel=_("epoch"), ylabel=_("cost (log scale)"))
        self.cost_line, = ax_costs.plot([], [], color="tab:red")
        self.title = ax_costs.set_title(" ")
        return [self.path, self.point, self.cost_line, self.title]

    def draw_costs(self):
        # 41 × 41 calls of the notebook's cost(x, y, w, b), once: chapter 2's contours.
        w_grid, b_grid = np.linspace(*self.w_range, 41), np.linspace(*self.b_range, 41)
        w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
        cost = self.costs(w_mesh, b_mesh).reshape(w_mesh.shape)
        finite = cost[np.isfinite(cost)]
        self.top = _top(finite.max() * 10 if finite.size else np.nan, 10.0)
        low = finite.min() / 5 if finite.size else 0.0
        self.floor = max(low, self.top * 1e-8)
        plots.contours(self.ax_surface, w_grid, b_grid, cost)
        self.ax_surface.set(xlim=self.w_range, ylim=self.b_range)
        self.ax_costs.set_ylim(self.floor, self.top)

    def descend(self, lr, epochs):
        """``(path, diverged_at)``: (w, b) before each epoch and after the last."""
        (w, b), path = self.start, [self.start]
        (w_low, w_high), (b_low, b_high) = self.w_range, self.b_range
        margin = max(w_high - w_low, b_high - b_low)
        for epoch in range(epochs):
            dw, db = self.pair("affine_gradients", self.x, self.y, w, b,
                               names="(dcost_dw, dcost_db)")
            if dw.size != 1 or db.size != 1:
                raise ExerciseNotReady(_("<code>affine_gradients</code> returned arrays; "
                                         "expected two numbers (dcost_dw, dcost_db)."))
            with np.errstate(all="ignore"):  # a huge gradient is a divergence, caught below
                w, b = w - lr * float(dw[0]), b - lr * float(db[0])
            path.append((w, b))
            if (_first_outside(np.array([w]), w_low - margin, w_high + margin) is not None
                    or _first_outside(np.array([b]), b_low - margin, b_high + margin)
                    is not None):
                return np.array(path), epoch + 1
        return np.array(path), None

    def draw(self, lr, epochs):
        path, diverged_at = self.descend(lr, epochs)
        self.given_curves()
        costs = self.costs(path[:, 0], path[:, 1])
        w_shown, b_shown = _near(path[:, 0], *self.w_range), _near(path[:, 1], *self.b_range)
        self.path.set_data(w_shown, b_shown)
        self.point.set_data(w_shown[-1:], b_shown[-1:])
        self.cost_line.set_data(np.arange(len(costs)),
                                np.clip(costs, self.floor, self.top))
        w, b = path[-1]
        self.title.set_text(
            _("lr = {lr}: cost {cost} after {epochs} epochs", lr=f"{lr:.4f}",
              cost=f"{costs[-1]:.3g}", epochs=epochs) if diverged_at is None else
            _("lr = {lr}: diverged at epoch {epoch} of {epochs}", lr=f"{lr:.4f}",
              epoch=diverged_at, epochs=epochs))
        return ("<p>" + _("lr = {lr}, {epochs} epochs from (w, b) = {start}: w = {w}, b = {b}, "
                          "cost = {cost}.", lr=f"{lr:.4f}", epochs=epochs, start=self.start,
                          w=f"{w:.4g}", b=f"{b:.4g}", cost=f"{costs[-1]:.4g}")
                + f" {_regime(costs, diverged_at)}</p>")


def two_parameter_explorer(x, y, **options):
    """A :class:`TwoParameterExplorer` over ``(x, y)`` using the notebook's ``affine_gradients``.

    Introduced in chapter 3.
    """
    return TwoParameterExplorer(x, y, **options)
