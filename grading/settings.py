"""Defaults of the grading commands, kept apart from the pipeline so that the
command line can show them without importing nbgrader (which takes seconds)."""
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Beside the repository by default. Where the course is installed as a package
# (a JupyterHub, see deploy/hub), these variables say where things are.
NOTEBOOKS_DIR = Path(os.environ.get("PYTORCH_PRACTICE_NOTEBOOKS", REPO_ROOT / "notebooks"))
COURSE_DIR = Path(os.environ.get("PYTORCH_PRACTICE_COURSE", REPO_ROOT / "course"))
# The learner's workspace, where `make lab` and start.py release the student notebooks.
WORKSPACE_DIR = Path(os.environ.get("PYTORCH_PRACTICE_WORKSPACE", REPO_ROOT / "workspace"))

# Seconds a cell may run when grading; chapter cells take well under one, so a
# cell still running after this is stuck, and a stuck submission should not
# hold up a class for long.
CELL_TIMEOUT = 30

# The instructor's grading secret, from which each student's hidden test cases
# are drawn: outside the repository and the course directory, created on first
# use. PYTORCH_PRACTICE_SECRET names another file.
SECRET_FILE = Path(os.environ.get("PYTORCH_PRACTICE_SECRET",
                                  Path.home() / ".config" / "pytorch-practice" / "grading-secret"))

# The instructor's course config: due dates, late policy, roster, intake limits
# (see grading/config.py for its format). PYTORCH_PRACTICE_CONFIG names another file.
CONFIG_FILE = REPO_ROOT / "course.toml"
