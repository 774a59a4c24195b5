"""Chapter 2's explorers: overfitting under a slider, and w and b of the linear model.

Each runs the learner's own functions (``fit_errors``; ``forward`` and ``mse``),
looked up by name at every slider step. None computes an exercise's answer
itself: every such number on show is the learner's.
"""
import warnings

import numpy as np
from matplotlib.collections import LineCollection

from .. import plots
from ..checks.ch02 import CHAPTER
from ..i18n import translator
from .core import LEGEND, TABLE, Explorer, ExerciseNotReady, int_slider, slider, usable

__all__ = ["OverfittingExplorer", "overfitting_explorer", "LinearExplorer", "linear_explorer"]

_ = translator(__name__, CHAPTER)


# ------------------------------------------------------------------ overfitting


class OverfittingExplorer(Explorer):
    """Sliders for the polynomial's degree and the number of training samples (chapter 2).

    Left: the first ``samples`` training samples, the dev set and the
    least-squares polynomial of the chosen degree. Right: the learner's
    ``fit_errors`` for every degree, training and dev MSE against the degree
    (log scale), the current degree marked. The errors for every degree are
    computed once per sample count and per definition of ``fit_errors``.
    """

    def __init__(self, x_train, y_train, x_dev, y_dev, max_degree=12, degree=3, samples=15,
                 min_samples=10, namespace=None):
        self.x_pool, self.y_pool = np.asarray(x_train, float), np.asarray(y_train, float)
        self.x_dev, self.y_dev = np.asarray(x_dev, float), np.asarray(y_dev, float)
        self.degrees = np.arange(max_degree + 1)
        self._errors, self._errors_of = {}, None
        step = 5 if len(self.x_pool) - min_samples >= 50 else 1
        super().__init__(usable({"degree": int_slider(_("degree"), degree, (0, max_degree)),
                                 "samples": int_slider(_("samples"), samples,
                                                        (min_samples, len(self.x_pool)), step)}),
                         namespace)

    def build(self):
        ax_fit, ax_errors = self.figure.subplots(1, 2)
        x_all = np.concatenate([self.x_pool, self.x_dev])
        y_all = np.concatenate([self.y_pool, self.y_dev])
        margin = 0.5 * np.ptp(y_all)
        self.x_curve = np.linspace(x_all.min(), x_all.max(), 200)
        ax_fit.set(xlim=(x_all.min(), x_all.max()),
                   ylim=(y_all.min() - margin, y_all.max() + margin), xlabel="x", ylabel="y")
        ax_fit.scatter(self.x_dev, self.y_dev, marker="s", s=14, color="tab:orange",
                       alpha=0.6, label=_("dev set"))
        self.train_points = ax_fit.scatter([], [], s=18, color="tab:blue", zorder=3,
                                           label=_("training set"))
        self.fit_line, = ax_fit.plot([], [], color="black", label=_("polynomial fit"))
        ax_fit.legend(ncol=3, **LEGEND)

        # A fixed window around the data's spread: the moving curves must not rescale it.
        # (A square of its range, not its variance: the variance of [d, -d] would be the
        # MSE of errors d, chapter 2's mse.)
        scale = (np.ptp(y_all) / 4) ** 2
        self.error_limits = (scale * 1e-3, scale * 1e3)
        ax_errors.set(xlim=(-0.3, self.degrees[-1] + 0.3), ylim=self.error_limits,
                      yscale="log", xlabel=_("degree of the polynomial"), ylabel="MSE")
        self.train_curve, = ax_errors.plot([], [], "o-", color="tab:blue", markersize=4,
                                           label=_("training error"))
        self.dev_curve, = ax_errors.plot([], [], "s-", color="tab:orange", markersize=4,
                                         label=_("dev error"))
        self.degree_line = ax_errors.axvline(0, color="gray", linestyle="--")
        self.degree_marks, = ax_errors.plot([], [], "o", markersize=10, markerfacecolor="none",
                                            markeredgecolor="red", markeredgewidth=2,
                                            label=_("your degree"))
        ax_errors.legend(ncol=2, **LEGEND)
        self.fit_title = ax_fit.set_title(" ")
        self.errors_title = ax_errors.set_title(" ")
        return [self.train_points, self.fit_line, self.train_curve, self.dev_curve,
                self.degree_line, self.degree_marks, self.fit_title, self.errors_title]

    def errors(self, samples):
        """The learner's (train_mse, dev_mse) for every degree, shape (degrees, 2)."""
        fit_errors = self.function("fit_errors")
        if fit_errors is not self._errors_of:
            self._errors, self._errors_of = {}, fit_errors
        if samples not in self._errors:
            x, y = self.x_pool[:samples], self.y_pool[:samples]
            rows = []
            with warnings.catch_warnings():
                # High degrees on few samples: np.polyfit warns; the curve shows it anyway.
                warnings.simplefilter("ignore")
                for degree in self.degrees:
                    row = self.call("fit_errors", x, y, self.x_dev, self.y_dev, int(degree))
                    if row.shape != (2,):
                        raise ExerciseNotReady(_(
                            "<code>fit_errors</code> returned shape {shape}, expected two "
                            "numbers, <code>(train_mse, dev_mse)</code>.", shape=row.shape))
                    rows.append(row)
            self._errors[samples] = np.array(rows)
        return self._errors[samples]

    def draw(self, degree, samples):
        errors = self.errors(samples)
        x, y = self.x_pool[:samples], self.y_pool[:samples]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            coefficients = np.polyfit(x, y, degree)
        shown = np.clip(errors, *self.error_limits)  # off-scale values stay on the border
        self.train_points.set_offsets(np.column_stack([x, y]))
        self.fit_line.set_data(self.x_curve, np.polyval(coefficients, self.x_curve))
        self.train_curve.set_data(self.degrees, shown[:, 0])
        self.dev_curve.set_data(self.degrees, shown[:, 1])
        self.degree_line.set_xdata([degree, degree])
        self.degree_marks.set_data([degree, degree], shown[degree])
        self.fit_title.set_text(_("degree {degree} fitted on {samples} training samples",
                                  degree=degree, samples=samples))
        train, dev = errors[degree]
        best = int(np.nanargmin(errors[:, 1])) if np.isfinite(errors[:, 1]).any() else None
        self.errors_title.set_text(_("training MSE {train}, dev MSE {dev}", train=f"{train:.3g}",
                                     dev=f"{dev:.3g}"))
        heads = (_("degree"), _("training samples"), _("training MSE"), _("dev MSE"),
                 _("lowest dev error at degree"))
        return (f"<table style='{TABLE.format(width=40)}'><tr>"
                + "".join(f"<th>{head}</th>" for head in heads)
                + f"</tr><tr><td>{degree}</td><td>{samples}</td><td><b>{train:.4g}</b>"
                f"</td><td><b>{dev:.4g}</b></td><td><b>{best}</b></td></tr></table>")


def overfitting_explorer(x_train, y_train, x_dev, y_dev, **options):
    """An :class:`OverfittingExplorer` running the notebook's ``fit_errors``.

    ``x_train, y_train``: the pool of training samples; the samples slider
    takes its first ``samples``. ``x_dev, y_dev``: the dev set. Options:
    ``max_degree``, ``degree``, ``samples``, ``min_samples``. Returns the
    explorer; as the last expression of a cell it shows itself. Introduced in
    chapter 2.
    """
    return OverfittingExplorer(x_train, y_train, x_dev, y_dev, **options)


# ------------------------------------------------------------------ the linear model


class LinearExplorer(Explorer):
    """Sliders for ``w`` and ``b`` of ŷ = x·w + b over the data (chapter 2).

    Shows, from the learner's ``forward(x, w, b)`` and ``mse(y_hat, y)``:
    the data with the prediction line and the residuals, the MSE as a function
    of ``w`` at the current ``b`` with a marker at the current ``w``, the
    contour of the cost over ``(w, b)`` with a marker at the current point, and
    a table of the per-sample losses and the MSE.
    """

    def __init__(self, x, y, w_range=(0.0, 4.0), b_range=(-2.0, 2.0), w=1.0, b=0.0,
                 namespace=None):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.w_range, self.b_range = w_range, b_range
        self.w_curve = np.linspace(*w_range, 81)
        super().__init__(usable({"w": slider("w", w, w_range, 0.05),
                                 "b": slider("b", b, b_range, 0.05)}), namespace)

    @property
    def w_slider(self):
        return self.controls["w"]

    @property
    def b_slider(self):
        return self.controls["b"]

    def build(self):
        ax_fit, ax_curve, self.ax_surface = self.figure.subplots(1, 3)
        x, y = self.x, self.y
        # Many points, so that a learner's model that is not a line shows as it is.
        x_line = np.linspace(0.0, x.max() * 1.35, 50)
        ax_fit.scatter(x, y, color="black", zorder=3, label=_("data"))
        ax_fit.set(xlim=(x_line[0], x_line[-1]), ylim=(y.min() - 4, y.max() * 1.5 + 2),
                   xlabel=_("x (hours)"), ylabel=_("y (points)"))
        self.fit_line, = ax_fit.plot(x_line, x_line, color="tab:blue", label="ŷ = x·w + b")
        self.residuals = LineCollection([], colors="tab:red", linestyles="dotted")
        ax_fit.add_collection(self.residuals)
        ax_fit.legend(ncol=2, **LEGEND)

        ax_curve.set(xlim=self.w_range, ylim=(0, 40), xlabel="w", ylabel=_("Loss (MSE)"))
        self.cost_curve, = ax_curve.plot([], [], color="tab:blue")
        self.curve_marker, = ax_curve.plot([], [], "o", color="tab:red")

        self.ax_surface.set(xlim=self.w_range, ylim=self.b_range, title=_("cost over (w, b)"))
        self.surface_note = self.ax_surface.text(
            0.5, 0.5, _("appears once forward and mse work"), ha="center", va="center",
            transform=self.ax_surface.transAxes, color="gray")
        self.contours_drawn, self.contours_tried = False, None
        self.surface_marker, = self.ax_surface.plot([], [], "o", color="tab:red")
        self.fit_title = ax_fit.set_title(" ")
        self.curve_title = ax_curve.set_title(" ")
        return [self.fit_line, self.residuals, self.cost_curve, self.curve_marker,
                self.surface_marker, self.fit_title, self.curve_title]

    def _draw_contours(self):
        """Draw the contours of the learner's cost once it works; redraw the background.

        Tried once per definition of ``forward`` and ``mse``: 41 × 41 calls of a
        cost that gives NaN should not slow every slider step.
        """
        tried = (self.function("forward"), self.function("mse"))
        if tried == self.contours_tried:
            return
        self.contours_tried = tried
        w_grid, b_grid = np.linspace(*self.w_range, 41), np.linspace(*self.b_range, 41)
        cost = np.array([[self._cost(w, b) for w in w_grid] for b in b_grid])
        if not np.all(np.isfinite(cost)):
            return
        plots.contours(self.ax_surface, w_grid, b_grid, cost)
        self.surface_note.remove()
        if cost.max() > cost.min():
            # The curve stays inside the window the contours cover, whatever the data.
            self.cost_curve.axes.set_ylim(min(0.0, cost.min()), cost.max() * 1.05)
        self.contours_drawn = True
        self.live.redraw_background()

    def _cost(self, w, b):
        return self.number("mse", self._predict(self.x, w, b), self.y)

    def _predict(self, x, w, b):
        """The learner's ``forward(x, w, b)``, checked to give one prediction per sample."""
        y_hat = self.call("forward", x, w, b)
        if y_hat.shape != x.shape:
            raise ExerciseNotReady(_(
                "<code>forward(x, w, b)</code> returned shape {got}, expected {shape} (one "
                "prediction per sample).", got=y_hat.shape, shape=x.shape))
        return y_hat

    def draw(self, w, b):
        y_hat = self._predict(self.x, w, b)
        line = self._predict(self.fit_line.get_xdata(), w, b)
        losses = [self.number("mse", y_hat[i:i + 1], self.y[i:i + 1])
                  for i in range(len(self.x))]
        cost = self.number("mse", y_hat, self.y)
        curve = [self._cost(w_i, b) for w_i in self.w_curve]
        if not self.contours_drawn:
            self._draw_contours()
        self.fit_line.set_ydata(line)
        self.residuals.set_segments(
            [[(xi, yi), (xi, yh)] for xi, yi, yh in zip(self.x, self.y, y_hat)])
        self.cost_curve.set_data(self.w_curve, curve)
        self.curve_marker.set_data([w], [cost])
        self.surface_marker.set_data([w], [b])
        self.fit_title.set_text(f"w = {w:.2f}, b = {b:.2f}")
        self.curve_title.set_text(_("MSE = {cost} (curve at b = {b})", cost=f"{cost:.4f}",
                                    b=f"{b:.2f}"))
        return _loss_table(self.x, self.y, y_hat, losses, cost)


def _loss_table(x, y, y_hat, losses, cost):
    rows = "".join(
        f"<tr><td>{xi:g}</td><td>{yi:g}</td><td>{yh:.3f}</td><td>{li:.3f}</td></tr>"
        for xi, yi, yh, li in zip(x, y, y_hat, losses))
    return (f"<table style='{TABLE.format(width=30)}'><tr><th>x</th><th>y</th><th>ŷ</th>"
            f"<th>{_('loss = (ŷ − y)²')}</th></tr>"
            f"{rows}<tr><td colspan=3><b>{_('cost = MSE = mean of the losses')}</b></td>"
            f"<td><b>{cost:.4f}</b></td></tr></table>")


def linear_explorer(x, y, **options):
    """A :class:`LinearExplorer` over ``(x, y)`` using the notebook's ``forward`` and ``mse``.

    The functions are looked up by name at every slider move, so the explorer
    works as soon as their exercises are done. Returns the explorer; as the
    last expression of a cell it shows itself. Introduced in chapter 2.
    """
    return LinearExplorer(x, y, **options)
