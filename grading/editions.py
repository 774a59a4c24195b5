"""One source notebook, two editions: English and 中文.

A chapter's source notebook holds its prose twice: each English markdown cell is followed by
its Chinese twin, tagged ``zh`` (in JupyterLab: the property inspector's cell tags). Code cells
are shared, so the editions cannot drift. The release keeps one language's prose
(:func:`edition`) and records the language in the notebook's metadata, where the grader
reads which language a submission's feedback speaks.
"""
import copy

from course_utils.i18n import DEFAULT, LANGUAGES, normalise

TAG = "zh"  # the tag of a Chinese prose cell; an untagged markdown cell is English


def cell_language(cell):
    """``"en"`` or ``"zh"`` for a prose (markdown) cell, None for a shared (code) cell."""
    if cell.cell_type != "markdown":
        return None
    return "zh" if TAG in cell.metadata.get("tags", ()) else "en"


def edition(notebook, language):
    """A copy of a source ``notebook`` with the prose of ``language`` only."""
    if language not in LANGUAGES:
        raise ValueError(f"no {language!r} edition: the languages are {', '.join(LANGUAGES)}")
    result = copy.deepcopy(notebook)
    result.cells = [cell for cell in result.cells if cell_language(cell) in (None, language)]
    for cell in result.cells:
        tags = [tag for tag in cell.metadata.get("tags", ()) if tag != TAG]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    result.metadata.setdefault("course", {})["language"] = language
    return result


def language_of(notebook):
    """The edition of a released (or handed-in) notebook; English if it does not say."""
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    course = metadata.get("course") if isinstance(metadata, dict) else None
    said = course.get("language") if isinstance(course, dict) else None
    return normalise(said) if isinstance(said, str) else DEFAULT


def problems(notebook):
    """Where a source notebook's prose lacks its other language: each English markdown cell
    must be followed by its Chinese twin, and each Chinese cell must follow one."""
    found = []
    cells = notebook.cells
    for i, cell in enumerate(cells):
        kind = cell_language(cell)
        before = cell_language(cells[i - 1]) if i else None
        after = cell_language(cells[i + 1]) if i + 1 < len(cells) else None
        if kind == "en" and after != "zh":
            found.append(f"cell {i} ({cell.get('id', '?')}): English prose without its Chinese "
                         "twin (a markdown cell tagged zh) after it")
        if kind == "zh" and before != "en":
            found.append(f"cell {i} ({cell.get('id', '?')}): Chinese prose that follows no "
                         "English cell")
    return found
