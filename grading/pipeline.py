"""The grading commands' functions in one place, for ``python -m grading`` and scripts.

Each lives in the module of its step: :mod:`grading.course` (course
directory, release), :mod:`grading.intake` (reading submissions),
:mod:`grading.autograde`, :mod:`grading.reports` (status file, CSV) and
:mod:`grading.feedback`.
"""
from .autograde import SubmissionResult, autograde
from .course import (COURSE_ID, NBGRADER_LOG, GradingError, Release, Status, available_chapters,
                     release)
from .feedback import feedback
from .reports import export
from .settings import CELL_TIMEOUT

__all__ = ["CELL_TIMEOUT", "COURSE_ID", "NBGRADER_LOG", "GradingError", "Release", "Status",
           "SubmissionResult", "autograde", "available_chapters", "export", "feedback", "release"]
