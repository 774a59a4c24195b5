"""A class's data in the course, and deleting it: ``python -m grading delete-class-data``.

What a class leaves in the course directory (the work collected, the
gradebook, feedback, the audit) cannot be made again from the repository, so
no ``make`` target deletes it: ``make clean`` removes only what ``make``
rebuilds. This command is the one way, and it names each thing first. The
released chapters (``source/``, ``release/``, the course's nbgrader config)
stay, and so does the learner's ``workspace/``.
"""
import os
import shutil
from pathlib import Path

# (name in the course directory, what it holds): nothing else is deleted.
CLASS_DATA = [
    ("collected", "the submissions collected from the class, with their times"),
    ("submitted", "the submissions as they were graded"),
    ("autograded", "the graded notebooks, which formgrader shows"),
    ("feedback", "the feedback pages for the students"),
    ("audit", "what each grade was computed from"),
    ("gradebook.db", "the gradebook: every score, manual grades included"),
    ("grading_status.json", "why each submission was graded as it was"),
]


def present(course_dir):
    """``[(path, what it holds, how much)]`` of the class data in ``course_dir``."""
    found = []
    for name, what in CLASS_DATA:
        path = Path(course_dir) / name
        if not os.path.lexists(path):
            continue
        if path.is_dir() and not path.is_symlink():
            count = sum(len(files) for _, _, files in os.walk(path))
            size = f"{count} file{'s' * (count != 1)}"
        else:
            size = f"{path.lstat().st_size / 1024:,.0f} KB"
        found.append((path, what, size))
    return found


def delete(paths):
    """Delete each path: a folder with what it holds, a file or a link itself only."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
