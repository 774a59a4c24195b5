"""Data sets of course_utils.data."""
import numpy as np
import pytest

from course_utils import data


def test_hours_points_is_the_lectures_data_and_a_fresh_copy():
    x, y = data.hours_points()
    assert x.tolist() == [1.0, 2.0, 3.0] and y.tolist() == [2.0, 4.0, 6.0]
    x[0] = 99.0
    assert data.hours_points()[0][0] == 1.0


def test_lecture_grid_includes_4_and_has_float_artefacts():
    grid = data.lecture_w_grid()
    assert len(grid) == 41 and grid[-1] == 4.0
    assert repr(float(grid[3])) == "0.30000000000000004"


def test_noisy_line_is_seeded():
    first, again, other = (data.noisy_line(10, w=2.0, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.allclose(first[1], other[1])


def _partitions(result, x):
    """Whether ``result`` cuts the samples ``x`` into disjoint sets that hold all of them, as
    (x_train, y_train, ...) or as ((x_train, y_train), ...)."""
    try:
        flat = [part for item in result for part in (item if isinstance(item, tuple) else (item,))]
        parts = [np.asarray(part, dtype=float) for part in flat[::2]]
    except Exception:
        return False
    return len(parts) >= 2 and sorted(np.concatenate(parts).ravel().tolist()) == sorted(x)


def test_no_data_function_splits_a_data_set():
    """Splitting into training, dev and test sets is chapter 1's train_dev_test_split: no
    function a student holds may do it for them."""
    x, y = data.noisy_line(20, w=2.0)
    calls = [(x, y), (x, y, 0.2, 0.2, 0), (x, y, (0.6, 0.2, 0.2), 0), (x, y, (0.6, 0.2, 0.2))]
    for name in dir(data):
        member = getattr(data, name)
        if not callable(member) or getattr(member, "__module__", "") != data.__name__:
            continue
        for args in calls:
            try:
                result = member(*args)
            except Exception:
                continue
            assert not _partitions(result, x.tolist()), \
                f"data.{name} with {len(args)} arguments splits the data"
