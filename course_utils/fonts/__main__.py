"""``python -m course_utils.fonts``: rebuild the course's Chinese font (see :mod:`.subset`)."""
import sys

from .subset import main

if __name__ == "__main__":  # not when a tool imports every module of the package
    sys.exit(main())
