"""Static plots of the course, drawn with pyplot into the notebook."""
import matplotlib.pyplot as plt
import numpy as np

from .i18n import N_, translator

# The figures speak the edition of the notebooks beside the kernel (course_utils/i18n.py).
_ = translator(__name__)


def cost_levels(cost, count=20):
    """Contour levels for a cost surface, denser near its minimum.

    A quadratic cost grows fast away from its minimum; evenly spaced levels
    would leave the valley that matters one flat colour. Spacing them evenly
    in the square root of the cost spreads them over the valley too.
    Returns an increasing array of ``count`` levels, or just ``count`` (let
    matplotlib choose) when the values are not a finite, non-negative, non-flat
    cost, as with a learner's unfinished one. Introduced in chapter 2.
    """
    cost = np.asarray(cost, dtype=float)
    if not np.all(np.isfinite(cost)) or cost.min() < 0 or cost.min() == cost.max():
        return count
    return np.linspace(np.sqrt(cost.min()), np.sqrt(cost.max()), count) ** 2


def cost_curve(w_grid, costs, ax=None):
    """Plot the cost against ``w``, as the lecture does (y axis 'Loss').

    Returns the Axes. Introduced in chapter 2.
    """
    ax = ax or plt.figure(figsize=(5, 3.5)).add_subplot()
    ax.plot(w_grid, costs)
    best = int(np.argmin(costs))
    ax.plot(w_grid[best], costs[best], "o", color="tab:red",
            label=_("least cost at w = {w}", w=f"{w_grid[best]:.2f}"))
    ax.set(xlabel="w", ylabel="Loss", title=_("MSE against w"))
    ax.legend()
    return ax


def contours(ax, w_grid, b_grid, cost):
    """Filled contours of ``cost`` (shape ``(len(b_grid), len(w_grid))``) on ``ax``.

    Levels crowd near the minimum (:func:`cost_levels`); a white star marks
    it. Returns the star's ``(w, b)``. Used by :func:`surface` and by the
    chapter 2 explorer. Introduced in chapter 2.
    """
    filled = ax.contourf(w_grid, b_grid, cost, levels=cost_levels(cost), cmap="viridis")
    ax.contour(w_grid, b_grid, cost, levels=filled.levels[::2], colors="white",
               linewidths=0.5)
    i, j = np.unravel_index(np.argmin(cost), np.shape(cost))
    ax.plot(w_grid[j], b_grid[i], "*", color="white", markersize=14,
            label=_("minimum at w = {w}, b = {b}", w=f"{w_grid[j]:.2f}", b=f"{b_grid[i]:.2f}"))
    ax.set(xlabel="w", ylabel="b")
    return filled, (w_grid[j], b_grid[i])


def surface(w_grid, b_grid, cost):
    """Draw ``cost`` (shape ``(len(b_grid), len(w_grid))``) in 3-D and as contours.

    Uses ``fig.add_subplot(projection='3d')``: the older ``Axes3D(fig)`` gives an
    empty plot on matplotlib >= 3.4. Returns the Figure. Introduced in chapter 2.
    """
    cost = np.asarray(cost)
    expected = (len(b_grid), len(w_grid))
    if cost.shape != expected:
        raise ValueError(f"cost has shape {cost.shape}, expected (len(b_grid), "
                         f"len(w_grid)) = {expected}; is it transposed?")
    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    fig = plt.figure(figsize=(11, 4.2))
    ax3d = fig.add_subplot(1, 2, 1, projection="3d")
    ax3d.plot_surface(w_mesh, b_mesh, cost, cmap="viridis", alpha=0.9)
    ax3d.set(xlabel="w", ylabel="b", zlabel=_("cost"), title=_("cost surface"))
    ax2d = fig.add_subplot(1, 2, 2)
    filled = contours(ax2d, w_grid, b_grid, cost)[0]
    ax2d.set(title=_("contours"))
    ax2d.legend(loc="upper right")
    fig.colorbar(filled, ax=ax2d, label=_("cost"))
    return fig


# Okabe and Ito's colour-blind-safe palette: the data in blue and orange, the fitted
# curves in colours (and line styles) of their own.
DATA_COLOURS = ("#0072B2", "#E69F00")
FIT_COLOURS = ("#009E73", "#CC79A7", "#000000", "#D55E00")
FIT_STYLES = ("-", "--", "-.", ":")


def split_fits(train, dev, fits, ax=None):
    """Scatter the training and dev sets, each a pair ``(x, y)``, with fitted curves.

    ``fits`` maps a label to polynomial coefficients (``np.polyfit``'s order).
    The test set is not drawn: its labels stay unseen until the very end.
    Returns the Axes. Introduced in chapter 2.
    """
    ax = ax or plt.figure(figsize=(7.5, 3.8)).add_subplot()
    ax.scatter(*train, marker="o", color=DATA_COLOURS[0], zorder=3,
               label=_("training set (fit on these)"))
    ax.scatter(*dev, marker="s", color=DATA_COLOURS[1], zorder=3,
               label=_("dev set (compare on these)"))
    x_all = np.concatenate([train[0], dev[0]])
    x_line = np.linspace(x_all.min(), x_all.max(), 200)
    y_all = np.concatenate([train[1], dev[1]])
    for (label, coefficients), colour, style in zip(fits.items(), FIT_COLOURS, FIT_STYLES):
        ax.plot(x_line, np.polyval(coefficients, x_line), color=colour, linestyle=style,
                label=label)
    margin = np.ptp(y_all) * 0.4
    ax.set(xlabel=_("x (hours)"), ylabel=_("y (points)"),
           ylim=(y_all.min() - margin, y_all.max() + margin))
    # Beside the axes, never over the data or the curves.
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.figure.tight_layout()
    return ax


# ------------------------------------------------------------------ chapter 1 (overview)

# Lecture 1's four ways of building a system, after Goodfellow, Bengio and
# Courville, *Deep Learning* (2016), figure 1.5: each row runs from input to
# output; a box marked True is learned from data, False designed by hand.
PIPELINES = (
    (N_("Rule-based systems"), ((N_("Input"), None), (N_("Hand-designed\nprogram"), False),
                                (N_("Output"), None))),
    (N_("Classic machine learning"), ((N_("Input"), None),
                                      (N_("Hand-designed\nfeatures"), False),
                                      (N_("Mapping from\nfeatures"), True),
                                      (N_("Output"), None))),
    (N_("Representation learning"), ((N_("Input"), None), (N_("Features"), True),
                                     (N_("Mapping from\nfeatures"), True),
                                     (N_("Output"), None))),
    (N_("Deep learning\n(end to end)"), ((N_("Input"), None), (N_("Simple\nfeatures"), True),
                                         (N_("Layers of more\nabstract features"), True),
                                         (N_("Mapping from\nfeatures"), True),
                                         (N_("Output"), None))),
)


def pipeline_diagram():
    """Lecture 1's diagram: rule-based → classic ML → representation learning → deep learning.

    One row per kind of system, from input to output; shaded boxes are learned
    from data, white ones designed by hand. Returns the Figure. Introduced in
    chapter 1.
    """
    from matplotlib.patches import FancyBboxPatch

    fig = plt.figure(figsize=(11, 4.6))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, 11), ylim=(-0.35, len(PIPELINES)))
    ax.axis("off")
    colours = {None: "#eeeeee", False: "white", True: "#9ecae1"}
    width, height, left, right = 1.45, 0.62, 2.5, 10.8
    for row, (title, boxes) in enumerate(PIPELINES):
        y = len(PIPELINES) - row - 0.5
        ax.text(0.15, y, _.template(title), ha="left", va="center", fontsize=11,
                fontweight="bold")
        # Input and output sit in the same columns on every row; the rest share the space.
        centres = np.linspace(left + width / 2, right - width / 2, len(boxes))
        for i, ((label, learned), x) in enumerate(zip(boxes, centres)):
            ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                        boxstyle="round,pad=0.02,rounding_size=0.08",
                                        facecolor=colours[learned], edgecolor="#555555"))
            ax.text(x, y, _.template(label), ha="center", va="center", fontsize=9.5)
            if i:
                ax.annotate("", xy=(x - width / 2 - 0.04, y),
                            xytext=(centres[i - 1] + width / 2 + 0.04, y),
                            arrowprops=dict(arrowstyle="->", color="#555555"))
    ax.text(right, -0.3, _("shaded: learned from data     white: designed by hand     "
                           "grey: input and output"),
            ha="right", va="bottom", fontsize=9, color="#333333")
    return fig


def timeline(events):
    """A timeline of ``events``, ``(year, name, note, kind)`` rows as ``data.milestones`` gives.

    Evenly spaced in time order (not to scale: the last four years hold half
    the events); networks and ideas above the axis, frameworks below.
    Returns the Figure. Introduced in chapter 1.
    """
    fig = plt.figure(figsize=(11, 4.4))
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.96))
    ax.set(xlim=(-1.3, len(events) - 0.3), ylim=(-3.3, 3.4))
    ax.axis("off")
    ax.annotate("", xy=(len(events) - 0.3, 0), xytext=(-1.2, 0),
                arrowprops=dict(arrowstyle="->", color="black"))
    sides = {"network": 0, "framework": 0}
    for x, (year, name, note, kind) in enumerate(events):
        up = kind == "network"
        # Two heights per side, alternating, so that neighbouring labels never overlap.
        height = (1.0 + 1.15 * (sides[kind] % 2)) * (1 if up else -1)
        sides[kind] += 1
        colour = "tab:blue" if up else "tab:orange"
        ax.plot([x, x], [0, height], color=colour, linewidth=1)
        ax.plot(x, 0, "o", color=colour)
        ax.text(x, height, f"{year} {_.template(name)}\n{_.template(note)}", ha="center",
                va="bottom" if up else "top",
                fontsize=8.5, linespacing=1.25,
                bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=colour))
    ax.text(-1.0, 0.3, _("networks and ideas"), color="tab:blue", fontsize=10, rotation=90,
            ha="center", va="bottom")
    ax.text(-1.0, -0.3, _("frameworks"), color="tab:orange", fontsize=10, rotation=90,
            ha="center", va="top")
    return fig


# ------------------------------------------------------------------ chapter 3: gradient descent


def cost_per_epoch(costs, ax=None, label=None):
    """Plot the cost logged at each epoch, as the lecture's figure does (x 'epoch', y 'cost').

    Returns the Axes. Introduced in chapter 3.
    """
    ax = ax or plt.figure(figsize=(5, 3.5)).add_subplot()
    ax.plot(np.arange(len(costs)), costs, label=label)
    ax.set(xlabel=_("epoch"), ylabel=_("cost"), title=_("cost per epoch"))
    if label:
        ax.legend()
    return ax


def local_optima(starts=(-2.0, 2.0), lr=0.02, steps=25):
    """Greedy descent on a made-up cost with two valleys, from each of ``starts``.

    The cost f(w) = w⁴ − 3w² + w has a global minimum near w = −1.30 and a
    local one near w = 1.13; each step goes downhill from where it stands, so
    the valley a start ends in depends only on the start. Returns the Axes.
    Introduced in chapter 3.
    """
    def f(w):
        return w ** 4 - 3 * w ** 2 + w

    ax = plt.figure(figsize=(6, 4), layout="constrained").add_subplot()
    w_line = np.linspace(-2.1, 2.1, 200)
    ax.plot(w_line, f(w_line), color="gray")
    for start, color in zip(starts, ("tab:green", "tab:orange")):
        path = [start]
        for step in range(steps):
            path.append(path[-1] - lr * (4 * path[-1] ** 3 - 6 * path[-1] + 1))
        path = np.array(path)
        ax.plot(path, f(path), "o-", color=color, markersize=3,
                label=_("from w = {start}: ends at w = {end}", start=f"{start:g}",
                        end=f"{path[-1]:.2f}"))
    ax.annotate(_("global minimum"), (-1.30, f(-1.30)), (-1.2, 4.5),
                arrowprops={"arrowstyle": "->"}, ha="center")
    ax.annotate(_("local minimum"), (1.13, f(1.13)), (1.2, 4.5),
                arrowprops={"arrowstyle": "->"}, ha="center")
    ax.set(xlabel="w", ylabel=_("cost"), ylim=(-4.5, 7),
           title=_("greedy steps find the nearest valley"))
    # Outside the axes, below them: clear of the curve and the paths.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize="small")
    return ax


# ------------------------------------------------------------------ chapter 4 (back-propagation)

GRAPH_LABELS = {"y_hat": "ŷ", "xw": "x·w"}


def backprop_graph_layout(bias=False):
    """The computational graph of loss = (x·w + b − y)², laid out left to right (chapter 4).

    Without ``bias`` the model is ŷ = x·w. The forward path runs along one line;
    the other inputs of an operation (``w``, ``b``, ``y``) come from below.
    Returns ``(values, operations)``: ``values`` maps each value's name
    (``"x"``, ``"w"``, ``"y_hat"``, ``"r"``, ``"loss"``, …) to its position in
    axes coordinates; ``operations`` lists ``(symbol, position, inputs,
    output)`` in the order of the forward pass.
    """
    # The boxes fill the height: no empty band above or below (issue 17).
    line, below = 0.72, 0.17
    path = ["x", "×", "xw", "+", "y_hat", "−", "r", "²", "loss"] if bias else \
        ["x", "×", "y_hat", "−", "r", "²", "loss"]
    columns = dict(zip(path, np.linspace(0.06, 0.94, len(path))))
    values = {name: (columns[name], line) for name in path[::2]}
    values.update({"w": (columns["×"], below), "y": (columns["−"], below)})
    operations = [("×", ("x", "w"), "xw" if bias else "y_hat")]
    if bias:
        values["b"] = (columns["+"], below)
        operations.append(("+", ("xw", "b"), "y_hat"))
    operations += [("−", ("y_hat", "y"), "r"), ("²", ("r",), "loss")]
    return values, [(symbol, (columns[symbol], line), inputs, output)
                    for symbol, inputs, output in operations]


BOX_WIDTH, BOX_HEIGHT = 0.09, 0.3
# The graph's small text (numbers, local gradients) in points: 10 pixels at the
# explorers' 80 dpi, as chapters 1-2's MIN_FONT.
GRAPH_FONT = 9


def draw_backprop_graph(ax, bias=False):
    """Draw the graph's boxes, operations and arrows on ``ax``; return what changes.

    Returns ``{"values": {name: Text}, "edges": {(input, output): Text},
    "operations": {output: (x, y)}, "boxes": {name: (x, y, width, height)}}``:
    the text inside each value's box (its data and grad), the label beside
    each arrow into an operation (its local gradient), and where the
    operations and boxes are. The texts start empty. Used by
    :func:`backprop_graph` and the chapter 4 explorers. Introduced in chapter 4.
    """
    values, operations = backprop_graph_layout(bias)
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.set_axis_off()
    artists = {"values": {}, "edges": {}, "operations": {}, "boxes": {}}
    arrow = {"arrowstyle": "-|>", "color": "0.45", "shrinkA": 0, "shrinkB": 0}
    half_w, half_h = BOX_WIDTH / 2, BOX_HEIGHT / 2
    for symbol, (x1, y1), inputs, output in operations:
        artists["operations"][output] = (x1, y1)
        ax.text(x1, y1, symbol, ha="center", va="center", fontsize=13, zorder=3,
                bbox={"boxstyle": "circle,pad=0.3", "facecolor": "white", "edgecolor": "0.3"})
        for name in inputs:
            x0, y0 = values[name]
            from_below = x0 == x1
            start = (x0, y0 + half_h) if from_below else (x0 + half_w, y0)
            ax.annotate("", xy=(x1, y1), xytext=start, zorder=1,
                        arrowprops={**arrow, "shrinkB": 13})
            # The local gradient: right of an arrow from below, above a forward arrow.
            beside = (x1 + 0.012, (start[1] + y1) / 2, "left", "center") if from_below else \
                ((start[0] + x1) / 2, y1 + half_h + 0.02, "center", "bottom")
            artists["edges"][(name, output)] = ax.text(
                beside[0], beside[1], "", ha=beside[2], va=beside[3], fontsize=GRAPH_FONT,
                color="0.3", zorder=6, linespacing=1.2)
        x2, y2 = values[output]
        ax.annotate("", xy=(x2 - half_w, y2), xytext=(x1, y1), zorder=1,
                    arrowprops={**arrow, "shrinkA": 13})
    for name, (x, y) in values.items():
        box = (x - half_w, y - half_h, BOX_WIDTH, BOX_HEIGHT)
        artists["boxes"][name] = box
        ax.add_patch(plt.Rectangle(box[:2], *box[2:], facecolor="white", edgecolor="0.3",
                                   zorder=2))
        ax.text(x, y + half_h - 0.035, GRAPH_LABELS.get(name, name), ha="center", va="top",
                fontsize=10, fontweight="bold", zorder=5)
        # The words are static; only the numbers beside them change (less text to draw).
        numbers = {"va": "center", "fontsize": GRAPH_FONT, "zorder": 5, "linespacing": 1.35,
                   "family": "DejaVu Sans Mono"}
        ax.text(x - half_w + 0.006, y - 0.045, "data\ngrad", ha="left", color="0.4", **numbers)
        artists["values"][name] = ax.text(x + half_w - 0.006, y - 0.045, "", ha="right",
                                          **numbers)
    return artists


def graph_value_text(data, grad):
    """The numbers in a value's box: its data and, below, its grad (None shows as "None").

    Introduced in chapter 4.
    """
    return f"{data:.4g}\n{'None' if grad is None else f'{grad:.4g}'}"


def backprop_graph(data, grads, local=None, bias=False, title=None):
    """Draw the computational graph of the linear model's loss with numbers (chapter 4).

    ``data`` and ``grads`` map value names (``"x"``, ``"w"``, ``"y_hat"``, ``"y"``,
    ``"r"``, ``"loss"``; with ``bias`` also ``"b"`` and ``"xw"``) to numbers
    (a grad may be None); ``local`` maps ``(input, output)`` to the text of
    that arrow's local gradient. The numbers are drawn as given: this
    function computes nothing. Returns the Figure. Introduced in chapter 4.
    """
    figure = plt.figure(figsize=(11, 3.3 if title else 3.0), dpi=80)
    ax = figure.add_axes((0.0, 0.0, 1.0, 0.9 if title else 1.0))
    artists = draw_backprop_graph(ax, bias)
    for name, text in artists["values"].items():
        text.set_text(graph_value_text(data[name], grads.get(name)))
    for edge, text in artists["edges"].items():
        text.set_text((local or {}).get(edge, ""))
    if title:
        ax.set_title(title)
    return figure


QUADRATIC_GRAPH = {
    # value: (label, position); the forward path runs left to right
    "values": {"x2": ("x²", (0.05, 0.82)), "w1": ("w₁", (0.05, 0.58)),
               "x": ("x", (0.05, 0.38)), "w2": ("w₂", (0.05, 0.14)),
               "u": ("w₁·x²", (0.25, 0.70)), "v": ("w₂·x", (0.25, 0.26)),
               "s": ("w₁x² + w₂x", (0.46, 0.48)), "b": ("b", (0.46, 0.14)),
               "y_hat": ("ŷ", (0.64, 0.48)), "y": ("y", (0.64, 0.14)),
               "r": ("r = ŷ − y", (0.81, 0.48)), "loss": ("loss", (0.96, 0.48))},
    # (symbol, position, inputs, output), in the order of the forward pass
    "operations": [("×", (0.15, 0.70), ("x2", "w1"), "u"), ("×", (0.15, 0.26), ("x", "w2"), "v"),
                   ("+", (0.355, 0.48), ("u", "v"), "s"), ("+", (0.555, 0.48), ("s", "b"), "y_hat"),
                   ("−", (0.725, 0.48), ("y_hat", "y"), "r"), ("²", (0.89, 0.48), ("r",), "loss")],
}


def quadratic_graph(title=None):
    """Draw homework 4-3's computational graph, loss = (w₁·x² + w₂·x + b − y)² (chapter 4).

    Boxes are values, circles operations, as in :func:`backprop_graph`; x² is
    computed from the data, like x itself. The graph only: no numbers, no
    gradients (deriving them is the homework). Returns the Figure.
    Introduced in chapter 4.
    """
    figure = plt.figure(figsize=(11, 3.8), dpi=80)
    ax = figure.add_axes((0.0, 0.0, 1.0, 0.9 if title else 1.0))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.set_axis_off()
    texts = {}
    for name, (label, (x, y)) in QUADRATIC_GRAPH["values"].items():
        texts[name] = ax.text(x, y, label, ha="center", va="center", fontsize=12, zorder=3,
                              bbox={"boxstyle": "square,pad=0.5", "facecolor": "white",
                                    "edgecolor": "0.3"})
    for symbol, (x, y), inputs, output in QUADRATIC_GRAPH["operations"]:
        operation = ax.text(x, y, symbol, ha="center", va="center", fontsize=13, zorder=3,
                            bbox={"boxstyle": "circle,pad=0.3", "facecolor": "white",
                                  "edgecolor": "0.3"})
        for start, end in [*((texts[name], operation) for name in inputs),
                           (operation, texts[output])]:
            ax.annotate("", xy=end.get_position(), xytext=start.get_position(), zorder=4,
                        arrowprops={"arrowstyle": "-|>", "color": "0.45", "shrinkA": 1,
                                    "shrinkB": 1, "mutation_scale": 14,
                                    "patchA": start.get_bbox_patch(),
                                    "patchB": end.get_bbox_patch()})
    if title:
        ax.set_title(title)
    return figure
