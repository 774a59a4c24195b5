"""The course's Chinese font, so that every Chinese term shows without a system CJK font.

``course-cjk-sans-*.otf`` are Noto Sans CJK SC (SIL Open Font License 1.1, see
``OFL.txt``) cut down to exactly the wide characters (汉字 and full-width
punctuation) that the course's notebooks, ``course_utils`` and README use, and
renamed :data:`FAMILY`. Latin text keeps the system's font.

* **Figures**: ``import course_utils`` calls :func:`register`, which adds the
  font to matplotlib and puts :data:`FAMILY` after the Latin font in
  ``rcParams["font.family"]``, so a glyph the Latin font lacks is drawn with it.
* **JupyterLab** (the notebooks' text, the explorers' labels and readouts): the
  learner's Lab (``deploy/learner``) serves this folder under ``/custom/`` and
  its ``custom/custom.css`` declares the font for Chinese characters.

A maintainer who adds a Chinese character to the course rebuilds the font with
``python -m course_utils.fonts`` (see :mod:`course_utils.fonts.subset`);
``tests/test_fonts.py`` fails until then. Introduced in chapter 1.
"""
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
FAMILY = "Course CJK Sans"
FILES = {"regular": FOLDER / "course-cjk-sans-regular.otf",
         "bold": FOLDER / "course-cjk-sans-bold.otf"}


def register():
    """Let matplotlib draw the course's Chinese characters with :data:`FAMILY`.

    Adds the font files to matplotlib's font manager and :data:`FAMILY` to the
    end of ``rcParams["font.family"]`` (once), as the fallback for glyphs that
    the families before it lack. Returns the family list now in force.
    """
    from matplotlib import font_manager, rcParams

    for path in FILES.values():
        font_manager.fontManager.addfont(str(path))
    families = list(rcParams["font.family"])
    if FAMILY not in families:
        rcParams["font.family"] = families + [FAMILY]
    return list(rcParams["font.family"])
