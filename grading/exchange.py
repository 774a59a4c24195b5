"""nbgrader on a shared machine (a JupyterHub): private submissions, an exchange root
that students cannot write, no unsandboxed autograding.

nbgrader's own ``submit`` leaves a submission readable by every account on the
machine (files 0644 in a folder 0777); only its name, with a timestamp and a
random part, in an ``inbound`` folder that nobody else may list, hides it.
One leaked name and a classmate can copy it. :class:`PrivateSubmit` closes
that: after nbgrader's submit it makes the submission folder 0770 and its
files 0640, so only the student and the graders' group can read it.

The graders' group comes from the exchange itself: ``inbound`` is setgid
(nbgrader makes it 2733), so what a student creates in it belongs to the
group that owns ``inbound``, the grader account's (``deploy/hub`` sets it up
so). Where that is not so (no setgid, or the student is in that group), the
permissions stay nbgrader's, so a submission never becomes unreadable to the
graders. Turn it on in the students' nbgrader config::

    c.ExchangeFactory.submit = "grading.exchange.PrivateSubmit"

nbgrader checks before each step that the exchange's root is writable by the
user (its ``release_assignment`` even makes it 0777), though it only ever
writes in the course's folder, ``<root>/<course_id>``. A root that everyone
may write lets a student create what is not theirs there: an ``inbound``
beside the courses, a course's folder before the instructor releases.
:class:`CourseFolderOnly` asks only that the root exists and can be passed
through, so the root can be root's, 0755 (``deploy/hub`` makes it so), with
the course's folder the grader's. Everyone's nbgrader config names them
(``c.ExchangeFactory.fetch_assignment = "grading.exchange.FetchAssignment"``,
and so ``fetch_feedback``, ``list``, ``release_assignment``,
``release_feedback`` and ``collect``, as ``deploy/hub/hub.py`` writes it;
``PrivateSubmit`` is one of them too). The formgrader's *Autograde* button runs nbgrader's own autograder: the
student's code in a kernel of the grader account, outside the sandbox, where
it can read the gradebook and the grading secret. :class:`SandboxedOnly`
switches it off (the grader's nbgrader config)::

    c.Autograde.sanitize_preprocessors = ["grading.exchange.SandboxedOnly"]
"""
import os
import stat
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.exchange.default.fetch_feedback import ExchangeFetchFeedback
from nbgrader.exchange.default.list import ExchangeList
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import check_directory

PRIVATE_DIR = 0o770
PRIVATE_FILE = 0o640


class CourseFolderOnly:
    """For nbgrader's exchange steps: the root must exist and be passable, not writable."""

    def ensure_root(self):
        if not check_directory(self.root, execute=True):
            self.fail(f"No exchange directory, please contact your instructor: {self.root}")


class FetchAssignment(CourseFolderOnly, ExchangeFetchAssignment):
    pass


class FetchFeedback(CourseFolderOnly, ExchangeFetchFeedback):
    pass


class List(CourseFolderOnly, ExchangeList):
    pass


class ReleaseAssignment(CourseFolderOnly, ExchangeReleaseAssignment):
    pass


class ReleaseFeedback(CourseFolderOnly, ExchangeReleaseFeedback):
    pass


class Collect(CourseFolderOnly, ExchangeCollect):
    pass


class PrivateSubmit(CourseFolderOnly, ExchangeSubmit):
    """nbgrader's submit; then the submission is readable by its author and the graders only."""

    def copy_files(self):
        super().copy_files()
        inbound = Path(self.inbound_path)
        submission = inbound / self.assignment_filename
        graders = inbound.stat()
        if not graders.st_mode & stat.S_ISGID or graders.st_gid in {os.getgid(), *os.getgroups()}:
            self.log.warning("%s is not set up for private submissions (setgid, and owned by "
                             "the graders' group): the submission keeps nbgrader's permissions",
                             inbound)
            return
        for folder, _, files in os.walk(submission):
            for name in files:
                path = os.path.join(folder, name)
                if os.stat(path).st_gid == graders.st_gid:
                    os.chmod(path, PRIVATE_FILE)
            if os.stat(folder).st_gid == graders.st_gid:
                os.chmod(folder, PRIVATE_DIR)



class SandboxedOnly(Preprocessor):
    """nbgrader's autograder, switched off: its first step refuses, before any student code runs.

    For ``Autograde.sanitize_preprocessors`` (and ``autograde_preprocessors``):
    nbgrader swallows a failing ``pre_convert_hook``, but not a failing step.
    """

    enabled = True  # nbconvert skips a preprocessor that is not

    def preprocess(self, nb, resources):
        raise RuntimeError("nbgrader's own autograder is off on this hub: it would run the "
                           "student's code outside the sandbox. Grade with `python -m grading "
                           "autograde` in the formgrader's terminal (with --force to redo a "
                           "student whose autograded copy this button removed).")
