"""What every grading step shares, importable without nbgrader: the error and the statuses."""
import enum


class GradingError(Exception):
    """A problem the grader must fix before the command can do its job."""


class Status(enum.StrEnum):
    """What became of a submission; files and the CSV hold the lowercase value."""
    GRADED = "graded"  # graded (the reason may note repairs or timeouts)
    MISSING = "missing"  # no notebook of the chapter from the student: 0
    BROKEN = "broken"  # a notebook that cannot be graded: 0
    REJECTED = "rejected"  # not attributable to a student (loose file, invalid or unknown id): 0

    def text(self, reason=""):
        """The status with its reason, as the CSV and the command line show it."""
        return f"{self}: {reason}" if reason else str(self)
