"""The skeleton of every live explorer, and the figure it draws into.

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

**The answers stay with the grader**: an explorer computes no exercise's
answer itself, not even for its own curves. Every such quantity comes from the
learner's functions, or from a function the notebook itself gives (chapter 3's
``cost``, listed in an explorer's ``given``), looked up by name the same way.

No figure is created per slider event and no front-end extension beyond
ipywidgets is needed. ``benchmarks/explorer_latency.py`` measures a step.
"""
import contextlib
import html
import io
import os
import sys

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..i18n import translator

__all__ = ["LiveFigure", "Explorer", "ExerciseNotReady", "slider"]

_ = translator(__name__)


class LiveFigure:
    """A figure rendered off-screen into an ``ipywidgets.Image`` (chapter 2).

    ``moving`` artists are redrawn on every :meth:`render`; everything else is
    drawn once into a cached background. Call :meth:`redraw_background` (or
    :meth:`invalidate_background`) after changing a static artist.
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

    def invalidate_background(self):
        """Redraw the background at the next :meth:`render` (once, however many static
        artists changed before it)."""
        self._background = None

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


# Set by the grader's sandbox, where nobody looks at explorers: they are then
# made without drawing anything or calling the learner's functions.
HEADLESS = os.environ.get("COURSE_UTILS_HEADLESS") == "1"


class ExerciseNotReady(Exception):
    """The learner's function cannot be used yet; the message (HTML) says why."""


def _notebook_namespace():
    """The globals of the code that called into course_utils: the notebook's namespace."""
    frame = sys._getframe(1)
    package = __package__.split(".")[0]
    while frame is not None and frame.f_globals.get("__name__", "").startswith(package):
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
    # Names of functions the notebook gives (in a locked cell) rather than asks for.
    given = ()

    def __init__(self, controls, namespace=None):
        self.controls = dict(controls)
        self.namespace = _notebook_namespace() if namespace is None else namespace
        self.readout = widgets.HTML()
        if HEADLESS:
            self.widget = widgets.VBox(list(self.controls.values()))
            return
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
        """The learner's function ``name`` (or the notebook's given one) as defined now."""
        fn = self.namespace.get(name)
        if fn is None and name in self.given:
            raise ExerciseNotReady(_(
                "<code>{name}</code> is not defined: the notebook gives it in a cell near its "
                "top; run the cells from the top, then move a slider.", name=name))
        if fn is None:
            raise ExerciseNotReady(_(
                "<code>{name}</code> is not defined yet: run the cell of its exercise, "
                "then move a slider.", name=name))
        if not callable(fn):
            kind = html.escape(type(fn).__name__)
            if name in self.given:
                raise ExerciseNotReady(_(
                    "<code>{name}</code> is a {kind}, not a function: was its name reused for "
                    "a variable? Run the notebook's cell that defines it again.",
                    name=name, kind=kind))
            raise ExerciseNotReady(_(
                "<code>{name}</code> is a {kind}, not a function: was its name reused for "
                "a variable? Run its exercise's cell again.", name=name, kind=kind))
        return fn

    def result(self, name, *args):
        """``name(*args)`` with the learner's function, its value as returned (not None).

        Array arguments are copies, so a function that changes its input in
        place cannot spoil the explorer's data; the function's prints and
        numpy's warnings stay out of the notebook (an explorer may call it
        hundreds of times a step). Every failure becomes an
        :class:`ExerciseNotReady` with a plain sentence.
        """
        return self._results(name, [args])[0]

    def _results(self, name, calls):
        """``[name(*args) for args in calls]``, in one quiet context (see :meth:`result`)."""
        fn = self.function(name)
        results = []
        try:
            with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
                for args in calls:
                    results.append(fn(*[arg.copy() if isinstance(arg, np.ndarray) else arg
                                        for arg in args]))
        except NotImplementedError:
            raise ExerciseNotReady(_(
                "<code>{name}</code> is not implemented yet: complete its exercise and run "
                "its cell; the explorer picks it up at the next slider move.",
                name=name)) from None
        except Exception as error:  # any bug in learner code must not kill the widget
            raise ExerciseNotReady(_(
                "<code>{name}</code> raised {error}: {message}", name=name,
                error=type(error).__name__, message=html.escape(str(error)))) from None
        if any(result is None for result in results):
            raise ExerciseNotReady(_(
                "<code>{name}</code> returned None: did you forget <code>return</code>?",
                name=name))
        return results

    def call(self, name, *args):
        """``name(*args)`` with the learner's function, as a float array (see :meth:`result`)."""
        return self._as_array(name, self.result(name, *args))

    @staticmethod
    def _as_array(name, result):
        try:
            return np.asarray(result, dtype=float)
        except (TypeError, ValueError):
            raise ExerciseNotReady(_(
                "<code>{name}</code> returned {kind}, expected numbers.",
                name=name, kind=html.escape(type(result).__name__))) from None

    @staticmethod
    def _as_number(name, value):
        if value.size != 1:
            raise ExerciseNotReady(_(
                "<code>{name}</code> returned shape {shape}, expected one number.",
                name=name, shape=value.shape))
        return float(value.ravel()[0])

    def number(self, name, *args):
        """The learner's function value as one float."""
        return self._as_number(name, self.call(name, *args))

    def numbers(self, name, calls):
        """:meth:`number` for each argument tuple of ``calls``, as a float array: the same
        checks and messages, one quiet context for all the calls (a curve needs hundreds)."""
        return np.array([self._as_number(name, self._as_array(name, result))
                         for result in self._results(name, calls)], dtype=float)

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


def slider(name, value, bounds, step):
    """A float slider that updates while it is dragged (chapter 2)."""
    return widgets.FloatSlider(value=value, min=bounds[0], max=bounds[1], step=step,
                               description=name, continuous_update=True)


def int_slider(name, value, bounds, step=1):
    """An int slider that updates while it is dragged (chapter 1)."""
    return widgets.IntSlider(value=value, min=bounds[0], max=bounds[1], step=step,
                             description=name, continuous_update=True)


# Text in the figures at least this large (points; at the explorers' 80 dpi, 10 pixels),
# legends outside the axes, below them, so that they never cover data.
MIN_FONT = 9
LEGEND = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.2), "fontsize": MIN_FONT,
          "frameon": False}
# A readout table keeps its columns whatever the numbers: fixed layout, one width,
# digits of one width.
TABLE = "table-layout:fixed;width:{width}em;font-variant-numeric:tabular-nums"


def usable(controls):
    """``controls`` with their whole label shown and a track wide enough to aim at
    (chapter 1)."""
    for control in controls.values():
        control.style.description_width = "initial"
        control.layout.width = "24em"
    return controls
