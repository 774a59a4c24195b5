"""Chapter 2's explorer: sliders for w and b of the linear model."""
import numpy as np
from matplotlib.collections import LineCollection

from .. import plots
from .core import Explorer, ExerciseNotReady, slider

__all__ = ["LinearExplorer", "linear_explorer"]


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
        super().__init__({"w": slider("w", w, w_range, 0.05),
                          "b": slider("b", b, b_range, 0.05)}, namespace)

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
        ax_fit.scatter(x, y, color="black", zorder=3, label="data")
        ax_fit.set(xlim=(x_line[0], x_line[-1]), ylim=(y.min() - 4, y.max() * 1.5 + 2),
                   xlabel="x (hours)", ylabel="y (points)")
        self.fit_line, = ax_fit.plot(x_line, x_line, color="tab:blue", label="ŷ = x·w + b")
        self.residuals = LineCollection([], colors="tab:red", linestyles="dotted")
        ax_fit.add_collection(self.residuals)
        ax_fit.legend(loc="upper left")

        ax_curve.set(xlim=self.w_range, ylim=(0, 40), xlabel="w", ylabel="Loss (MSE)")
        self.cost_curve, = ax_curve.plot([], [], color="tab:blue")
        self.curve_marker, = ax_curve.plot([], [], "o", color="tab:red")

        self.ax_surface.set(xlim=self.w_range, ylim=self.b_range, title="cost over (w, b)")
        self.surface_note = self.ax_surface.text(
            0.5, 0.5, "appears once forward and mse work", ha="center", va="center",
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
            raise ExerciseNotReady(
                f"<code>forward(x, w, b)</code> returned shape {y_hat.shape}, "
                f"expected {x.shape} (one prediction per sample).")
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
        self.curve_title.set_text(f"MSE = {cost:.4f} (curve at b = {b:.2f})")
        return _loss_table(self.x, self.y, y_hat, losses, cost)


def _loss_table(x, y, y_hat, losses, cost):
    rows = "".join(
        f"<tr><td>{xi:g}</td><td>{yi:g}</td><td>{yh:.3f}</td><td>{li:.3f}</td></tr>"
        for xi, yi, yh, li in zip(x, y, y_hat, losses))
    return ("<table><tr><th>x</th><th>y</th><th>ŷ</th><th>loss = (ŷ − y)²</th></tr>"
            f"{rows}<tr><td colspan=3><b>cost = MSE = mean of the losses</b></td>"
            f"<td><b>{cost:.4f}</b></td></tr></table>")


def linear_explorer(x, y, **options):
    """A :class:`LinearExplorer` over ``(x, y)`` using the notebook's ``forward`` and ``mse``.

    The functions are looked up by name at every slider move, so the explorer
    works as soon as their exercises are done. Returns the explorer; as the
    last expression of a cell it shows itself. Introduced in chapter 2.
    """
    return LinearExplorer(x, y, **options)
