"""Defaults of the grading commands, kept apart from the pipeline so that the
command line can show them without importing nbgrader (which takes seconds)."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
COURSE_DIR = REPO_ROOT / "course"
WORKSPACE_DIR = REPO_ROOT / "workspace"

# Seconds a cell may run when grading; chapter cells take well under one, so a
# cell still running after this is stuck, and a stuck submission should not
# hold up a class for long.
CELL_TIMEOUT = 30
