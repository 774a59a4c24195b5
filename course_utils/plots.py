"""Static plots of the course, drawn with pyplot into the notebook."""
import matplotlib.pyplot as plt
import numpy as np


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
            label=f"least cost at w = {w_grid[best]:.2f}")
    ax.set(xlabel="w", ylabel="Loss", title="MSE against w")
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
            label=f"minimum at w = {w_grid[j]:.2f}, b = {b_grid[i]:.2f}")
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
    ax3d.set(xlabel="w", ylabel="b", zlabel="cost", title="cost surface")
    ax2d = fig.add_subplot(1, 2, 2)
    filled, _ = contours(ax2d, w_grid, b_grid, cost)
    ax2d.set(title="contours")
    ax2d.legend(loc="upper right")
    fig.colorbar(filled, ax=ax2d, label="cost")
    return fig


def split_fits(train, dev, fits, ax=None):
    """Scatter the training and dev sets, each a pair ``(x, y)``, with fitted curves.

    ``fits`` maps a label to polynomial coefficients (``np.polyfit``'s order).
    The test set is not drawn: its labels stay unseen until the very end.
    Returns the Axes. Introduced in chapter 2.
    """
    ax = ax or plt.figure(figsize=(6, 3.8)).add_subplot()
    ax.scatter(*train, marker="o", label="training set (fit on these)")
    ax.scatter(*dev, marker="s", label="dev set (compare on these)")
    x_all = np.concatenate([train[0], dev[0]])
    x_line = np.linspace(x_all.min(), x_all.max(), 200)
    y_all = np.concatenate([train[1], dev[1]])
    for label, coefficients in fits.items():
        ax.plot(x_line, np.polyval(coefficients, x_line), label=label)
    margin = np.ptp(y_all) * 0.4
    ax.set(xlabel="x (hours)", ylabel="y (points)",
           ylim=(y_all.min() - margin, y_all.max() + margin))
    ax.legend(fontsize="small")
    return ax
