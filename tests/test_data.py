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


def test_split_partitions_the_samples():
    x, y = data.noisy_line(10, w=2.0)
    parts = data.split(x, y, fractions=(0.5, 0.3, 0.2), seed=3)
    assert [len(px) for px, _ in parts] == [5, 3, 2]
    assert sorted(np.concatenate([px for px, _ in parts])) == sorted(x)
    pairs = dict(zip(x, y))
    assert all(pairs[xi] == yi for px, py in parts for xi, yi in zip(px, py)), \
        "each x must keep its own y"

def test_split_rejects_fractions_not_adding_to_one():
    with pytest.raises(ValueError, match="add up to 1"):
        data.split(*data.noisy_line(10, w=2.0), fractions=(0.5, 0.5, 0.5))
