"""Chapter 1's explorers: the curse of dimensionality, the path sum.

Each runs the learner's own functions (``samples_needed`` and ``edge_fraction``;
``de_db``), looked up by name at every slider step, and
precomputes everything that does not depend on a slider. None computes an
exercise's answer itself: every such number on show is the learner's.
"""
import numpy as np
from matplotlib.patches import Rectangle

from .core import LEGEND, TABLE, Explorer, ExerciseNotReady, int_slider, slider, usable

__all__ = ["DimensionExplorer", "dimension_explorer", "PathSumExplorer", "path_sum_explorer"]


# ------------------------------------------------------------------ curse of dimensionality


class DimensionExplorer(Explorer):
    """A slider for the number of dimensions ``d`` of the unit cube (chapter 1).

    Left: the learner's ``samples_needed(points_per_axis, d)`` for every ``d``
    (log scale). Middle: the learner's ``edge_fraction(eps, d)``, with the
    share of random points near the surface beside it. Right: those random
    points seen along their first two coordinates, red where some coordinate
    among the ``d`` lies within ``eps`` of a face.
    """

    def __init__(self, points_per_axis=10, eps=0.05, max_dims=20, dims=2, points=400,
                 seed=0, namespace=None):
        self.points_per_axis, self.eps = points_per_axis, eps
        self.dims_range = np.arange(1, max_dims + 1)
        cube = np.random.default_rng(seed).uniform(0.0, 1.0, (points, max_dims))
        near_a_face = np.minimum(cube, 1.0 - cube) < eps
        # near[d - 1]: is the point within eps of the surface of the d-dimensional cube?
        self.near = np.logical_or.accumulate(near_a_face, axis=1).T
        self.cube = cube
        super().__init__(usable({"dims": int_slider("dims", dims, (1, max_dims))}), namespace)

    def build(self):
        ax_samples, ax_edge, ax_points = self.figure.subplots(1, 3)
        # The samples axis reaches up to the learner's largest samples_needed (draw).
        self.ax_samples, self.samples_top = ax_samples, None
        ax_samples.set(yscale="log", xlim=(0.5, self.dims_range[-1] + 0.5), ylim=(0.5, 10.0),
                       xlabel="dimensions d",
                       title=f"samples for {self.points_per_axis} points per axis")
        self.samples_curve, = ax_samples.plot([], [], "o-", markersize=3, color="tab:blue")
        self.samples_mark, = ax_samples.plot([], [], "o", markersize=9, color="tab:red")

        ax_edge.set(xlim=(0.5, self.dims_range[-1] + 0.5), ylim=(0, 1.05),
                    xlabel="dimensions d",
                    title=f"share of volume within {self.eps} of the surface")
        ax_edge.plot(self.dims_range, self.near.mean(axis=1), "x", color="gray",
                     label=f"{self.near.shape[1]} random points")
        self.edge_curve, = ax_edge.plot([], [], "-", color="tab:blue", label="edge_fraction")
        self.edge_mark, = ax_edge.plot([], [], "o", markersize=9, color="tab:red")
        ax_edge.legend(ncol=2, **LEGEND)

        ax_points.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xticks=[0, 1], yticks=[0, 1],
                      xlabel="coordinate 1", ylabel="coordinate 2")
        inner = 1.0 - 2.0 * self.eps
        ax_points.add_patch(Rectangle((self.eps, self.eps), inner, inner, fill=False,
                                      linestyle="--", color="gray"))
        # Two marker-only lines, not a scatter with a colour per point: Agg draws
        # them several times faster, and every step redraws them.
        self.near_points, = ax_points.plot([], [], "o", markersize=2.5, color="tab:red")
        self.inner_points, = ax_points.plot([], [], "o", markersize=2.5, color="tab:blue")
        self.points_title = ax_points.set_title(" ")
        return [self.samples_curve, self.samples_mark, self.edge_curve, self.edge_mark,
                self.near_points, self.inner_points, self.points_title]

    def fit_samples_axis(self, samples):
        """Stretch the samples axis over the learner's values (redrawn only when they change)."""
        values = np.asarray(samples)
        values = values[np.isfinite(values) & (values > 0)]
        top = max(float(values.max()) * 20, 10.0) if values.size else None
        if top is not None and top != self.samples_top:
            self.samples_top = top
            self.ax_samples.set_ylim(0.5, top)
            self.live.invalidate_background()

    def draw(self, dims):
        samples = [self.number("samples_needed", self.points_per_axis, int(d))
                   for d in self.dims_range]
        edge = [self.number("edge_fraction", self.eps, int(d)) for d in self.dims_range]
        self.fit_samples_axis(samples)
        near = self.near[dims - 1]
        self.samples_curve.set_data(self.dims_range, samples)
        self.samples_mark.set_data([dims], [samples[dims - 1]])
        self.edge_curve.set_data(self.dims_range, edge)
        self.edge_mark.set_data([dims], [edge[dims - 1]])
        self.near_points.set_data(self.cube[near, 0], self.cube[near, 1])
        self.inner_points.set_data(self.cube[~near, 0], self.cube[~near, 1])
        self.points_title.set_text(f"red: near the surface in {dims} dimensions")
        return (f"<p><b>d = {dims}</b>: a grid of {self.points_per_axis} points per axis takes "
                f"<b>{samples[dims - 1]:,.0f}</b> samples; <b>{edge[dims - 1]:.1%}</b> of the "
                f"cube lies within {self.eps} of its surface (of {len(near)} random points, "
                f"{near.sum()} = {near.mean():.1%} do).</p>")


def dimension_explorer(**options):
    """A :class:`DimensionExplorer` running the notebook's ``samples_needed`` and ``edge_fraction``.

    Options: ``points_per_axis`` (10), ``eps`` (0.05), ``max_dims`` (20),
    ``dims`` (2), ``points`` (400 random points), ``seed``. Returns the
    explorer. Introduced in chapter 1.
    """
    return DimensionExplorer(**options)


# ------------------------------------------------------------------ path sum

# The lecture's graph c = a + b, d = b + 1, e = c · d, laid out left to right.
NODES = {"a": (0.0, 1.0), "b": (0.0, 0.0), "c": (1.0, 1.0), "d": (1.0, 0.0), "e": (2.0, 0.5)}
PATH_COLOURS = {"c": "#1f77b4", "d": "#ff7f0e"}  # matplotlib's tab:blue and tab:orange, for CSS too
# The readout's verdict on the learner's de_db: does its tangent touch the curve e(b)?
TANGENT_VERDICTS = {
    True: "✓ its tangent touches the curve: it has the slope of e at this b",
    False: "✗ its tangent cuts the curve: that is not the slope of e at this b. Add up what "
           "each path from b to e contributes.",
}


def _e(a, b):
    """The graph's forward pass, e = c · d with c = a + b and d = b + 1."""
    return (a + b) * (b + 1.0)


class PathSumExplorer(Explorer):
    """Sliders for ``a`` and ``b`` of the graph c = a + b, d = b + 1, e = c·d (chapter 1).

    Left: the graph with each node's value and each edge's local derivative (its
    formula); the two paths from ``b`` to ``e`` in two colours. Right: ``e`` as a
    function of ``b`` at the current ``a``, with the tangent whose slope is the
    learner's ``de_db(a, b)``. The readout gives each path's product as a
    formula, the learner's ``de_db`` and whether its tangent touches the curve,
    judged by the curve's own slope, never shown: ∂e/∂b is the exercise's answer.
    """

    def __init__(self, a=2.0, b=1.0, bounds=(-3.0, 3.0), namespace=None):
        self.bounds = bounds
        self.b_curve = np.linspace(*bounds, 61)
        super().__init__(usable({"a": slider("a", a, bounds, 0.1),
                                 "b": slider("b", b, bounds, 0.1)}), namespace)

    def build(self):
        ax_graph, ax_curve = self.figure.subplots(1, 2, width_ratios=(1.25, 1))
        ax_graph.set(xlim=(-0.35, 2.35), ylim=(-0.35, 1.35))
        ax_graph.axis("off")
        # (start, end, colour, points cut at each end so that the arrow meets the boxes)
        edges = [("a", "c", "gray", 14, 42), ("b", "c", PATH_COLOURS["c"], 12, 14),
                 ("b", "d", PATH_COLOURS["d"], 14, 42), ("c", "e", PATH_COLOURS["c"], 14, 26),
                 ("d", "e", PATH_COLOURS["d"], 14, 26)]
        for start, end, colour, cut_start, cut_end in edges:
            ax_graph.annotate("", xy=NODES[end], xytext=NODES[start],
                              arrowprops=dict(arrowstyle="-|>", color=colour, linewidth=2,
                                              shrinkA=cut_start, shrinkB=cut_end))
        # The boxes and formulas are static; only the short values under them move,
        # which keeps a slider step cheap to draw.
        box = dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor="black")
        formulas = {"a": "a", "b": "b", "c": "c = a + b", "d": "d = b + 1", "e": "e = c · d"}
        for name, (x, y) in NODES.items():
            ax_graph.text(x, y, formulas[name], ha="center", va="center", fontsize=10, bbox=box)
        self.value_texts = {name: ax_graph.text(x, y - 0.13, " ", ha="center", va="top",
                                                fontsize=10)
                            for name, (x, y) in NODES.items()}
        # Local derivatives beside their edges: ∂c/∂a, ∂c/∂b, ∂d/∂b are 1; ∂e/∂c = d, ∂e/∂d = c.
        for text, (x, y), colour in [("∂c/∂a = 1", (0.5, 1.07), "gray"),
                                     ("∂c/∂b = 1", (0.3, 0.62), PATH_COLOURS["c"]),
                                     ("∂d/∂b = 1", (0.5, -0.1), PATH_COLOURS["d"]),
                                     ("∂e/∂c = d", (1.55, 1.0), PATH_COLOURS["c"]),
                                     ("∂e/∂d = c", (1.55, 0.1), PATH_COLOURS["d"])]:
            ax_graph.text(x, y, text, ha="center" if x < 1 else "left", fontsize=9, color=colour)

        ax_curve.set(xlim=self.bounds, xlabel="b", ylabel="e = (a + b)(b + 1)")
        lows = [_e(a, self.b_curve) for a in self.bounds]
        ax_curve.set_ylim(min(map(np.min, lows)) - 1, max(map(np.max, lows)) + 1)
        self.e_curve, = ax_curve.plot([], [], color="black")
        self.tangent, = ax_curve.plot([], [], color="tab:red", linewidth=2,
                                      label="slope = your de_db(a, b)")
        self.point, = ax_curve.plot([], [], "o", color="tab:red")
        ax_curve.legend(**LEGEND)
        ax_curve.set_title("e against b, at the slider's a")
        return [*self.value_texts.values(), self.e_curve, self.tangent, self.point]

    def tangent_touches(self, a, b, slope):
        """Whether the line of slope ``slope`` through (b, e) is tangent to the curve e(b):
        judged by a centred difference of the plotted curve, which stays in here (it is
        ∂e/∂b, the exercise's answer); only the verdict comes out."""
        h = 1e-3
        return bool(np.isclose(slope, (_e(a, b + h) - _e(a, b - h)) / (2 * h),
                               rtol=1e-4, atol=1e-6))

    def draw(self, a, b):
        slope = self.number("de_db", a, b)
        c, d = a + b, b + 1.0
        e = c * d
        for name, value in {"a": a, "b": b, "c": c, "d": d, "e": e}.items():
            self.value_texts[name].set_text(f"= {value:.2f}")
        self.e_curve.set_data(self.b_curve, _e(a, self.b_curve))
        half = 0.8
        self.tangent.set_data([b - half, b + half], [e - slope * half, e + slope * half])
        self.point.set_data([b], [e])
        verdict = TANGENT_VERDICTS[self.tangent_touches(a, b, slope)]
        return (f"<table style='{TABLE.format(width=36)}'>"
                f"<tr><td style='color:{PATH_COLOURS['c']}'>path b → c → e</td>"
                "<td>∂c/∂b · ∂e/∂c = 1 × d</td></tr>"
                f"<tr><td style='color:{PATH_COLOURS['d']}'>path b → d → e</td>"
                "<td>∂d/∂b · ∂e/∂d = 1 × c</td></tr>"
                "<tr><td><b>∂e/∂b</b></td><td>the sum over the paths</td></tr>"
                f"<tr><td><b>your de_db({a:.2f}, {b:.2f})</b></td><td><b>= {slope:.2f}</b></td>"
                f"</tr><tr><td colspan=2>{verdict}</td></tr></table>")


def path_sum_explorer(**options):
    """A :class:`PathSumExplorer` running the notebook's ``de_db``.

    Options: ``a`` (2.0) and ``b`` (1.0), the sliders' start, and ``bounds``
    (-3, 3). Returns the explorer. Introduced in chapter 1.
    """
    return PathSumExplorer(**options)
