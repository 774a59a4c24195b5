"""Live explorers: sliders that run the learner's functions and redraw a plot.

Every explorer is an :class:`Explorer`, one skeleton for all chapters:

* its **controls** (sliders, later a play control) are ipywidgets whose
  ``value`` changes call :meth:`Explorer.update`;
* ``update`` looks the **learner's functions** up by name in the notebook at
  that moment, so an explorer made before an exercise is solved picks the
  solution up as soon as its cell has run, and calls them through
  :meth:`Explorer.call`, which turns any failure into :class:`ExerciseNotReady`;
* the subclass's :meth:`Explorer.draw` moves the **artists** of one figure
  built once by :meth:`Explorer.build`, and :class:`LiveFigure` turns them
  into pixels: the static parts are drawn once into a cached background,
  each step redraws only the moving artists and sends one PNG to an
  ``ipywidgets.Image``;
* while a function is missing or broken the moving artists hide and a
  plain **"not ready"** message says what to do, never a traceback.

No figure is created per slider event and no front-end extension beyond
ipywidgets is needed. ``benchmarks/explorer_latency.py`` measures a step.
"""
import html
import io
import sys

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from . import plots

__all__ = ["LiveFigure", "Explorer", "ExerciseNotReady", "LinearExplorer", "linear_explorer"]


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
    """The learner's function cannot be used yet; the message (HTML) says why."""


def _notebook_namespace():
    """The globals of the code that called into course_utils: the notebook's namespace."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(__package__):
        frame = frame.f_back
    return frame.f_globals if frame is not None else {}


class Explorer:
    """The skeleton of every explorer (chapter 2).

    A subclass implements :meth:`build` (draw the static parts of ``self.figure`` once,
    return the artists that move) and :meth:`draw` (given the controls'
    values, move those artists; return the HTML of the readout below the
    figure). ``namespace`` is where the learner's functions are looked up, by
    default the notebook's.
    """

    figsize = (11.0, 3.4)

    def __init__(self, controls, namespace=None):
        self.controls = dict(controls)
        self.namespace = _notebook_namespace() if namespace is None else namespace
        self.readout = widgets.HTML()
        self.figure = Figure(figsize=self.figsize, dpi=80, layout="constrained")
        self.live = LiveFigure(self.figure, self.build())
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())),
                                    self.live.image, self.readout])
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    def build(self):
        raise NotImplementedError

    def draw(self, **values):
        raise NotImplementedError

    def function(self, name):
        """The learner's function ``name`` as defined now in the notebook."""
        fn = self.namespace.get(name)
        if fn is None:
            raise ExerciseNotReady(
                f"<code>{name}</code> is not defined yet: run the cell of its exercise, "
                "then move a slider.")
        if not callable(fn):
            raise ExerciseNotReady(
                f"<code>{name}</code> is a {html.escape(type(fn).__name__)}, not a function: "
                "was its name reused for a variable? Run its exercise's cell again.")
        return fn

    def call(self, name, *args):
        """``name(*args)`` with the learner's function, as a float array.

        Array arguments are copies, so a function that changes its input in
        place cannot spoil the explorer's data. Every failure becomes an
        :class:`ExerciseNotReady` with a plain sentence.
        """
        fn = self.function(name)
        args = [arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args]
        try:
            result = fn(*args)
        except NotImplementedError:
            raise ExerciseNotReady(
                f"<code>{name}</code> is not implemented yet: complete its exercise and run "
                "its cell; the explorer picks it up at the next slider move.") from None
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

    def number(self, name, *args):
        """The learner's function value as one float."""
        value = self.call(name, *args)
        if value.size != 1:
            raise ExerciseNotReady(
                f"<code>{name}</code> returned shape {value.shape}, expected one number.")
        return float(value.ravel()[0])

    def update(self, change=None):
        """Recompute from the controls' values and redraw the moving artists."""
        values = {name: control.value for name, control in self.controls.items()}
        try:
            readout = self.draw(**values)
            visible = True
        except ExerciseNotReady as reason:
            readout = f'<p style="color:#b00">⚠ {reason}</p>'
            visible = False
        for artist in self.live.moving:
            artist.set_visible(visible)
        self.readout.value = readout
        self.live.render()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _slider(name, value, bounds, step):
    return widgets.FloatSlider(value=value, min=bounds[0], max=bounds[1], step=step,
                               description=name, continuous_update=True)


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
        super().__init__({"w": _slider("w", w, w_range, 0.05),
                          "b": _slider("b", b, b_range, 0.05)}, namespace)

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
