"""The grading commands' functions in one place, for ``python -m grading`` and scripts.

Each lives in the module of its step: :mod:`grading.course` (course
directory, release), :mod:`grading.collect` (gathering submissions),
:mod:`grading.intake` (reading submissions), :mod:`grading.autograde`,
:mod:`grading.reports` (status file, CSV), :mod:`grading.report` (the HTML
report), :mod:`grading.feedback`, :mod:`grading.status` and
:mod:`grading.check` (a learner's self-check); :mod:`grading.config` reads
the course config.
"""
from .autograde import SubmissionResult, autograde
from .check import check
from .collect import collect
from .config import CourseConfig
from .config import load as load_config
from .course import (COURSE_ID, NBGRADER_LOG, GradingError, Release, Status, available_chapters,
                     releasable_chapters, release)
from .feedback import feedback
from .reports import export, grade_rows
from .settings import CELL_TIMEOUT
from .status import overview

__all__ = ["CELL_TIMEOUT", "COURSE_ID", "NBGRADER_LOG", "CourseConfig", "GradingError",
           "Release", "Status", "SubmissionResult", "autograde", "available_chapters", "check",
           "collect", "export", "feedback", "grade_rows", "load_config", "overview",
           "releasable_chapters", "release"]
