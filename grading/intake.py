"""Reading, validating and repairing submissions before they are graded.

Learners hand in ``<submissions>/<student_id>/<chapter>.ipynb``. Whatever the
file holds, intake either returns a notebook nbgrader can grade or says why
there is nothing to grade: a folder name that is no student id, or a loose
file, is rejected; a missing or unusable notebook raises :class:`Unusable`.
"""
import re
from pathlib import Path

import nbformat

from .course import Status

# nbgrader treats a student id as a file glob and as a path component, so only
# ids that mean the same thing in both are accepted.
STUDENT_ID = re.compile(r"\w[\w.-]*")


class Unusable(Exception):
    """A submission with nothing to grade: its ``status`` and, as message, the reason."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status


def scan(submissions_dir):
    """``(student folders, loose files)`` of ``submissions_dir``, sorted, hidden ones left out."""
    entries = sorted(path for path in Path(submissions_dir).iterdir()
                     if not path.name.startswith("."))
    folders = [path for path in entries if path.is_dir()]
    return folders, [path for path in entries if path not in folders]


def invalid_student_id(student):
    """Why nbgrader cannot take the folder name ``student`` as a student id, or ""."""
    if STUDENT_ID.fullmatch(student):
        return ""
    return (f"invalid student id {student!r}: use letters, digits, _, - and . only, "
            "starting with a letter or digit")


def loose_file_reason(path, chapter):
    """Why the file ``path``, directly in the submissions folder, is not graded."""
    # Whose it is cannot be told for sure; say so rather than skip it silently.
    return (f"a file directly in {path.parent}: put each learner's notebook in "
            f"{path.parent}/<student_id>/{chapter}.ipynb")


def read_submission(student_dir, chapter, known_ids):
    """``(notebook, copies, raw)``: the student's notebook made ready for grading, the
    grade ids of the copied cells it now treats as plain code, and the file's bytes.

    ``known_ids`` are the chapter's solution and test cells, any of which tells
    the chapter. Test cells may be missing or changed: grading takes them from
    the course. Raises :class:`Unusable` (missing or broken) for nothing to grade.
    """
    path = Path(student_dir) / f"{chapter}.ipynb"
    if not path.is_file():
        found = ", ".join(sorted(entry.name for entry in Path(student_dir).iterdir())) or "nothing"
        raise Unusable(Status.MISSING, f"no {path.name} (found: {found})")
    try:
        # nbformat.read would log validation errors and return the notebook anyway.
        raw = path.read_bytes()
        notebook = nbformat.reader.reads(raw.decode("utf-8"))
        nbformat.validate(notebook)
        notebook = nbformat.convert(notebook, nbformat.current_nbformat)
    except Exception as error:  # whatever the file holds, the submission is unusable
        message = str(error).strip().splitlines()
        raise Unusable(Status.BROKEN, "not a valid notebook: "
                       f"{message[0] if message else type(error).__name__}") from None

    present, copies = set(), []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in present:
            # A cell copied in JupyterLab keeps its nbgrader marks, and nbgrader
            # refuses a notebook with an id twice: the copy runs as plain code.
            del cell.metadata["nbgrader"]
            copies.append(grade_id)
        elif grade_id:
            present.add(grade_id)
    if not present & set(known_ids):
        raise Unusable(Status.BROKEN,
                       f"not the {chapter} notebook: none of its exercise cells is there")
    return notebook, copies, raw
