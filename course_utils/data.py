"""Data sets of the course.

Every function returns fresh numpy arrays, so a learner who changes them in
place cannot change what the next cell (or a check) sees.
"""
import numpy as np

from .i18n import N_


def hours_points():
    """Lecture 2's data set: hours studied ``x`` and points earned ``y``.

    Returns ``(x, y)``, two float arrays of shape (3,): ``x = [1, 2, 3]``,
    ``y = [2, 4, 6]``. The question the lecture asks: what is ``y`` at ``x = 4``?
    Introduced in chapter 2.
    """
    return np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])


def lecture_w_grid():
    """The lecture's grid of candidate weights, ``np.arange(0.0, 4.1, 0.1)``.

    Returns an array of shape (41,). The stop value 4.1 is what makes 4.0
    part of the grid; float steps leave artefacts such as 0.30000000000000004.
    Introduced in chapter 2.
    """
    return np.arange(0.0, 4.1, 0.1)


def noisy_line(n, w, b=0.0, noise=0.5, seed=0):
    """``n`` samples of ``y = x * w + b`` plus Gaussian noise of std ``noise``.

    Returns ``(x, y)``, float arrays of shape (n,), ``x`` drawn uniformly from
    [0, 5). Seeded, so the same call gives the same data. Introduced in
    chapter 2 (training, dev and test sets).
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 5.0, n)
    return x, x * w + b + rng.normal(0.0, noise, n)


# ------------------------------------------------------------------ chapter 1 (overview)


def wavy(n, noise=0.3, seed=0):
    """``n`` noisy samples of the curve ``y = sin(2πx)``, with ``x`` uniform in [0, 1).

    Returns ``(x, y)``, float arrays of shape (n,); Gaussian noise of std
    ``noise``. Seeded, so the same call gives the same data. No straight line
    fits this curve and a high-degree polynomial overfits a few samples of
    it: the data of chapter 1's overfitting exercise and explorer.
    Introduced in chapter 1.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, n)
    return x, np.sin(2.0 * np.pi * x) + rng.normal(0.0, noise, n)


def milestones():
    """Lecture 1's history of neural networks, and the deep-learning frameworks.

    Returns a tuple of ``(year, name, note, kind)`` rows in time order, with
    ``kind`` either ``"network"`` (an idea or a network) or ``"framework"``.
    Drawn by ``plots.timeline``, which translates the notes (marked ``N_``).
    Introduced in chapter 1.
    """
    return (
        (1958, N_("Perceptron"), N_("Rosenblatt:\nweighted sum,\nthreshold"), "network"),
        (1986, N_("Back-propagation"), N_("Rumelhart, Hinton,\nWilliams: train\nhidden layers"),
         "network"),
        (1998, "LeNet-5", N_("LeCun et al.:\nconvolutions\nread digits"), "network"),
        (2002, "Torch", N_("C++ (Torch7,\nin Lua: 2011)"), "framework"),
        (2007, "Theano", N_("Python,\nstatic graphs"), "framework"),
        (2012, "AlexNet", N_("wins ImageNet:\n8 layers,\non GPUs"), "network"),
        (2013, "Caffe", N_("networks as\nconfig files"), "framework"),
        (2014, "GoogLeNet, VGG", N_("22 and 16-19\nlayers"), "network"),
        (2015, "ResNet", N_("residual blocks:\n152 layers"), "network"),
        (2015, "TensorFlow", N_("static graphs\n(dynamic in 2.0)"), "framework"),
        (2016, "PyTorch", N_("Python,\ndynamic graphs"), "framework"),
    )
