"""Live explorers: sliders that run the learner's functions and redraw a plot.

The layering keeps notebooks independent of how drawing is done:

* an explorer (e.g. :class:`LinearExplorer`) owns the sliders, calls the
  learner's functions and moves the artists of one figure built at start-up;
* :class:`LiveFigure` turns that figure into pixels in the browser.

``LiveFigure`` draws the static parts once (axes, data, contours) and caches
them; each slider step restores that background, draws only the artists
marked as moving, and sends a PNG to an ``ipywidgets.Image``. No figure is
created per slider event and no front-end extension beyond ipywidgets is
needed. ``benchmarks/explorer_latency.py`` measures a step.
"""
import html
import io

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from . import plots

__all__ = ["LiveFigure", "LinearExplorer", "linear_explorer"]


class LiveFigure:
    """A figure rendered off-screen into an ``ipywidgets.Image`` (chapter 2).

    ``moving`` artists are redrawn on every :meth:`render`; everything else is
    drawn once into a cached background. Call :meth:`redraw_background` after
    changing a static artist.
    """

    def __init__(self, figure, moving=()):
        self.figure = figure
        FigureCanvasAgg(figure)
        self.moving = list(moving)
        for artist in self.moving:
            artist.set_animated(True)
        self.image = widgets.Image(format="png")
        self._background = None

    def redraw_background(self):
        self.figure.canvas.draw()
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def render(self):
        """Draw the moving artists over the background and publish the PNG."""
        canvas = self.figure.canvas
        if self._background is None:
            self.redraw_background()
        canvas.restore_region(self._background)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        pixels = Image.frombuffer("RGBA", canvas.get_width_height(),
                                  canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        png = io.BytesIO()
        # Speed matters more than size here: level 1 encodes several times
        # faster than the default and the image is only a few tens of kB.
        pixels.save(png, format="PNG", compress_level=1)
        self.image.value = png.getvalue()


class ExerciseNotReady(Exception):
    """The learner's function cannot be used yet; the message says why."""


def _run(fn, *args):
    """Call a learner's function and return its value as a float array.

    Every failure becomes an :class:`ExerciseNotReady` with a plain sentence.
    """
    name = getattr(fn, "__name__", "your function")
    try:
        result = fn(*args)
    except NotImplementedError:
        raise ExerciseNotReady(
            f"<code>{name}</code> is not implemented yet: complete its exercise, "
            "run that cell, then run this cell again.") from None
    except Exception as error:  # any bug in learner code must not kill the widget
        raise ExerciseNotReady(
            f"<code>{name}</code> raised {type(error).__name__}: "
            f"{html.escape(str(error))}") from None
    if result is None:
        raise ExerciseNotReady(
            f"<code>{name}</code> returned None: did you forget <code>return</code>?")
    try:
        return np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseNotReady(
            f"<code>{name}</code> returned {html.escape(type(result).__name__)}, "
            "expected numbers.") from None


def _predict(forward, x, w, b):
    """The learner's ``forward(x, w, b)``, checked to give one prediction per sample."""
    y_hat = _run(forward, x, w, b)
    if y_hat.shape != x.shape:
        raise ExerciseNotReady(
            f"<code>forward(x, w, b)</code> returned shape {y_hat.shape}, "
            f"expected {x.shape} (one prediction per sample).")
    return y_hat


def _number(fn, *args):
    """The learner's function value as one float."""
    value = _run(fn, *args)
    if value.size != 1:
        raise ExerciseNotReady(
            f"<code>{getattr(fn, '__name__', 'your function')}</code> returned shape "
            f"{value.shape}, expected one number.")
    return float(value.ravel()[0])


class LinearExplorer:
    """Sliders for ``w`` and ``b`` of ŷ = x·w + b over the data (chapter 2).

    Shows, from the learner's ``forward(x, w, b)`` and ``mse(y_hat, y)``:
    the data with the prediction line and the residuals, the MSE as a function
    of ``w`` at the current ``b`` with a marker at the current ``w``, the
    contour of the cost over ``(w, b)`` with a marker at the current point, and
    a table of the per-sample losses and the MSE.
    """

    def __init__(self, forward, mse, x, y, w_range=(0.0, 4.0), b_range=(-2.0, 2.0),
                 w=1.0, b=0.0):
        self.forward, self.mse = forward, mse
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.w_slider = widgets.FloatSlider(value=w, min=w_range[0], max=w_range[1],
                                            step=0.05, description="w",
                                            continuous_update=True)
        self.b_slider = widgets.FloatSlider(value=b, min=b_range[0], max=b_range[1],
                                            step=0.05, description="b",
                                            continuous_update=True)
        self.w_curve = np.linspace(*w_range, 81)
        self.readout = widgets.HTML()
        self.figure = Figure(figsize=(11.0, 3.4), dpi=80, layout="constrained")
        self.live = LiveFigure(self.figure, self._build_axes(w_range, b_range))
        self.widget = widgets.VBox([widgets.HBox([self.w_slider, self.b_slider]),
                                    self.live.image, self.readout])
        for slider in (self.w_slider, self.b_slider):
            slider.observe(self.update, names="value")
        self.update()

    def _build_axes(self, w_range, b_range):
        """Draw the static parts once; return the artists that move."""
        ax_fit, ax_curve, ax_surface = self.figure.subplots(1, 3)
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

        ax_curve.set(xlim=w_range, ylim=(0, 40), xlabel="w", ylabel="Loss (MSE)")
        self.cost_curve, = ax_curve.plot([], [], color="tab:blue")
        self.curve_marker, = ax_curve.plot([], [], "o", color="tab:red")

        ax_surface.set(xlim=w_range, ylim=b_range, xlabel="w", ylabel="b",
                       title="cost over (w, b)")
        cost = self._draw_contours(ax_surface, w_range, b_range)
        if cost is not None and cost.max() > cost.min():
            # The curve stays inside the window the contours cover, whatever the data.
            ax_curve.set_ylim(min(0.0, cost.min()), cost.max() * 1.05)
        self.surface_marker, = ax_surface.plot([], [], "o", color="tab:red")
        self.fit_title = ax_fit.set_title(" ")
        self.curve_title = ax_curve.set_title(" ")
        return [self.fit_line, self.residuals, self.cost_curve, self.curve_marker,
                self.surface_marker, self.fit_title, self.curve_title]

    def _draw_contours(self, ax, w_range, b_range):
        """Contours of the learner's cost, returned; a note and None while it cannot run."""
        w_grid, b_grid = np.linspace(*w_range, 41), np.linspace(*b_range, 41)
        try:
            cost = np.array([[self._cost(w, b) for w in w_grid] for b in b_grid])
        except ExerciseNotReady:
            cost = None
        if cost is None or not np.all(np.isfinite(cost)):
            ax.text(0.5, 0.5, "appears once forward and mse work",
                    ha="center", va="center", transform=ax.transAxes, color="gray")
            return None
        filled = ax.contourf(w_grid, b_grid, cost, levels=plots.cost_levels(cost),
                             cmap="viridis")
        ax.contour(w_grid, b_grid, cost, levels=filled.levels[::2], colors="white",
                   linewidths=0.5)
        i, j = np.unravel_index(np.argmin(cost), cost.shape)
        ax.plot(w_grid[j], b_grid[i], "*", color="white", markersize=12)
        return cost

    def _cost(self, w, b):
        return _number(self.mse, _predict(self.forward, self.x, w, b), self.y)

    def update(self, change=None):
        """Recompute from the slider values and redraw the moving artists."""
        w, b = self.w_slider.value, self.b_slider.value
        try:
            y_hat = _predict(self.forward, self.x, w, b)
            x_line = self.fit_line.get_xdata()
            line = _predict(self.forward, x_line, w, b)
            losses = [_number(self.mse, y_hat[i:i + 1], self.y[i:i + 1])
                      for i in range(len(self.x))]
            cost = _number(self.mse, y_hat, self.y)
            curve = [self._cost(w_i, b) for w_i in self.w_curve]
        except ExerciseNotReady as reason:
            self._show_not_ready(str(reason))
            return
        self.fit_line.set_ydata(line)
        self.residuals.set_segments(
            [[(xi, yi), (xi, yh)] for xi, yi, yh in zip(self.x, self.y, y_hat)])
        self.cost_curve.set_data(self.w_curve, curve)
        self.curve_marker.set_data([w], [cost])
        self.surface_marker.set_data([w], [b])
        self.fit_title.set_text(f"w = {w:.2f}, b = {b:.2f}")
        self.curve_title.set_text(f"MSE = {cost:.4f} (curve at b = {b:.2f})")
        for artist in self.live.moving:
            artist.set_visible(True)
        self.readout.value = _loss_table(self.x, self.y, y_hat, losses, cost)
        self.live.render()

    def _show_not_ready(self, reason):
        for artist in self.live.moving:
            artist.set_visible(False)
        self.readout.value = f'<p style="color:#b00">⚠ {reason}</p>'
        self.live.render()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _loss_table(x, y, y_hat, losses, cost):
    rows = "".join(
        f"<tr><td>{xi:g}</td><td>{yi:g}</td><td>{yh:.3f}</td><td>{li:.3f}</td></tr>"
        for xi, yi, yh, li in zip(x, y, y_hat, losses))
    return ("<table><tr><th>x</th><th>y</th><th>ŷ</th><th>loss = (ŷ − y)²</th></tr>"
            f"{rows}<tr><td colspan=3><b>cost = MSE = mean of the losses</b></td>"
            f"<td><b>{cost:.4f}</b></td></tr></table>")


def linear_explorer(forward, mse, x, y, **options):
    """A :class:`LinearExplorer` over ``(x, y)`` using the learner's functions.

    Returns the explorer; as the last expression of a cell it shows itself.
    Introduced in chapter 2.
    """
    return LinearExplorer(forward, mse, x, y, **options)
