"""The course's Chinese font (course_utils/fonts): every Chinese character of the course is in it.

A character added to a notebook, to ``course_utils`` or to the README fails
here until a maintainer rebuilds the font (``python -m course_utils.fonts``).
That Lab draws the notebooks' text with it is tested in tests/test_browser.py.
"""
import re
import tomllib
import warnings

import matplotlib
import pytest
from fontTools.ttLib import TTFont

matplotlib.use("Agg")

import course_utils  # noqa: E402  (registers the font with matplotlib)
from conftest import ROOT  # noqa: E402
from course_utils import fonts  # noqa: E402
from course_utils.fonts import subset  # noqa: E402

CSS = ROOT / "deploy" / "learner" / "custom" / "custom.css"


@pytest.fixture(scope="module")
def characters():
    found = subset.course_characters()
    assert len(found) > 100  # the notebooks' terms, at least
    return found


@pytest.mark.parametrize("style", sorted(fonts.FILES))
def test_every_chinese_character_of_the_course_is_in_the_font(characters, style):
    font = TTFont(fonts.FILES[style])
    cmap = font.getBestCmap()
    missing = {char: str(path) for char, path in characters.items() if ord(char) not in cmap}
    assert not missing, (f"not in {fonts.FILES[style].name}: {missing}; "
                         "rebuild it with `python -m course_utils.fonts`")
    # Its own name, not Noto's: it is a subset, never to be taken for the full font.
    assert font["name"].getDebugName(1) == fonts.FAMILY
    assert "Open Font License" in str(font["name"].getDebugName(13))


def test_characters_are_found_however_a_notebook_escapes_them(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "x.ipynb").write_text('{"cells": [{"source": "\\u68af\\u5ea6"}]}')
    (tmp_path / "README.md").write_text("loss (损失), plain: a b c")
    assert set(subset.course_characters(tmp_path)) == {"梯", "度", "损", "失"}


def test_the_lab_css_uses_the_font_for_every_chinese_character(characters):
    css = CSS.read_text()
    ranges = [tuple(int(end, 16) for end in part.split("-"))
              for part in re.search(r"unicode-range:([^;]+);", css)[1].replace("U+", "").split(",")]
    outside = [char for char in characters if not any(a <= ord(char) <= b for a, b in ranges)]
    assert not outside, outside
    for path in fonts.FILES.values():
        assert f'url("{path.name}")' in css


def test_the_package_ships_the_font_and_its_licence():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = data["package-data"]["course_utils.fonts"]
    for path in [*fonts.FILES.values(), fonts.FOLDER / "OFL.txt"]:
        assert any(path.match(pattern) for pattern in patterns), path.name


def test_figures_draw_chinese_with_the_course_font():
    import matplotlib.pyplot as plt

    assert matplotlib.rcParams["font.family"][-1] == fonts.FAMILY
    assert fonts.register() == list(matplotlib.rcParams["font.family"])  # once only
    figure, axes = plt.subplots()
    axes.set_title("梯度下降 gradient descent")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        figure.canvas.draw()
    plt.close(figure)
