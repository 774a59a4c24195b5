"""``python -m course_utils.fonts``: rebuild the course's Chinese font (see :mod:`.subset`)."""
import sys

from .subset import main

sys.exit(main())
