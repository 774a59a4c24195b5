"""Telling chapters from file names, and showing names, without nbgrader: shared by collect
and check."""
import difflib
import re

CLOSE_ENOUGH = 0.75  # difflib ratio from which a name is taken for a chapter's
# Names that file managers and Jupyter leave behind: skipped, and counted in the report.
SYSTEM_NAMES = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini", ".ipynb_checkpoints"}


def match_chapter(name, chapters):
    """``(chapter, note)`` for a notebook or folder name (without ``.ipynb``), or
    ``(None, why)``: the chapter itself, or one whose name it is close to."""
    if name in chapters:
        return name, ""
    normal = _normalize(name)
    if normal in chapters:
        return normal, f"named {ascii(name)}"
    scores = sorted(((max(_ratio(normal, chapter), _ratio(normal, _topic(chapter))), chapter)
                     for chapter in chapters), reverse=True)
    if not scores or scores[0][0] < CLOSE_ENOUGH:
        return None, "its name is not a chapter's (" + ", ".join(sorted(chapters)) + ")"
    if len(scores) > 1 and scores[0][0] - scores[1][0] < 0.1:
        return None, f"its name is as close to {scores[0][1]} as to {scores[1][1]}"
    return scores[0][1], f"named {ascii(name)}, close to {scores[0][1]}"


def _normalize(name):
    name = name.strip().lower()
    name = re.sub(r"^copy[ _-]of[ _-]", "", name)
    name = re.sub(r"\s*\(\d+\)$|[ _-]copy\d*$", "", name)
    return re.sub(r"[\s.-]+|_+", "_", name).strip("_")


def _topic(chapter):
    return re.sub(r"^\d+_", "", chapter)


def _ratio(a, b):
    return difflib.SequenceMatcher(None, a, b).ratio()


def hidden(name):
    return name.startswith(".") or name in SYSTEM_NAMES


def shown(name):
    """A file name (or path) as it may be printed, in a terminal, a CSV or a page: every
    character that is not printable (control characters, terminal escapes, the marks
    that reorder or hide text, bytes that are no UTF-8) as its escape, e.g. ``\\x1b``."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode()
                   for char in str(name))
