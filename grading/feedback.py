"""Feedback for learners: one offline HTML page per student and chapter.

A page lies at nbgrader's feedback path,
``course/feedback/<student>/<chapter>/<chapter>.html``, so nbgrader's
``release_feedback`` and ``fetch_feedback`` hand it out. It shows the
chapter, the student, the total score and, per exercise in the order of its
definition, the score, the check's message and the learner's own solution
code: scores from the gradebook (manual overrides included), messages and
code from the autograded notebook. A submission graded 0 without being run
(broken, missing) gets a page that says why.

Learners read these pages, so a page is built from those parts only: never
from a test cell's source (the hidden tests and their seeds) and never with
a path of the grading machine; it loads nothing (inline CSS, no URL at all),
and every text in it is escaped.
"""
import functools
import html
import re
import secrets
import shutil
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from course_utils import i18n

from . import editions
from .autograde import cell_failure
from .config import CourseConfig, format_late
from .course import GradingError, Status, course_notebook, graded_exercises, open_course
from .reports import load_statuses
from .settings import COURSE_DIR

_ = i18n.translator(__name__)

# Files nbgrader's release_feedback reads next to the page, when grading left them.
SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")

# An absolute POSIX path: a slash that starts a name and does not follow one
# ("a/b" and "x / w" stay), up to the end of the name.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~<>)\]])/[\w.@+-]+(?:/[\w.@+-]*)*")

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; color: #1f2328; line-height: 1.45; }
h1 { margin-bottom: .2rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa;
      border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .8rem; }
section { border-top: 1px solid #d0d7de; margin-top: 1.5rem; }
.score { float: right; font-variant-numeric: tabular-nums; }
.passed .score { color: #1a7f37; }
.lost .score, .reason { color: #cf222e; }
.reason { font-weight: 600; }
"""


def feedback(*, chapter=None, course_dir=COURSE_DIR, exercises=None, config=None):
    """Write the feedback page of every submission in the gradebook; return the pages' paths.

    ``exercises`` gives each chapter's exercise definitions (see
    :func:`grading.course.graded_exercises`); ``config`` (a
    :class:`grading.config.CourseConfig`) the due dates and late policy, so a
    late submission's page shows its penalty and final score.
    """
    config = config or CourseConfig()
    course_dir = Path(course_dir).resolve()
    api = open_course(course_dir)
    statuses = load_statuses(course_dir)
    pages = []
    with api.gradebook as gb:
        chapters = [chapter] if chapter else sorted(a.name for a in gb.assignments)
        for chapter in chapters:
            declared = graded_exercises(gb, chapter, exercises)
            for submission in sorted(gb.find_assignment(chapter).submissions,
                                     key=lambda submission: submission.student_id):
                status = statuses.get(chapter, {}).get(submission.student_id,
                                                       (Status.GRADED, ""))
                pages.append(_write_page(api, chapter, submission, declared, status,
                                         functools.partial(_lateness, config=config)))
    if not pages:
        raise GradingError("no submissions in the gradebook to give feedback on: "
                           "run autograde first")
    return pages


def _lateness(chapter, submission, status, config):
    """Paragraphs on when the submission came in and what lateness cost, or []."""
    if submission.timestamp is None or status[0] is not Status.GRADED:
        return []
    submitted_at = submission.timestamp.replace(tzinfo=timezone.utc)
    due = config.due_date(chapter)
    lines = [_("Submitted {when}; due {due}.", when=config.local(submitted_at),
               due=config.local(due)) if due else
             _("Submitted {when}.", when=config.local(submitted_at))]
    late = config.seconds_late(chapter, submitted_at)
    if late:
        penalty = config.late.penalty(late, submission.score, submission.max_score)
        template = _("Late by {late}: 1 point off ({policy}). Final score: {score}/{points}.") \
            if penalty == 1 else \
            _("Late by {late}: {penalty} points off ({policy}). Final score: {score}/{points}.")
        lines.append(template.format(late=format_late(late), penalty=f"{penalty:g}",
                                     policy=config.late.describe(),
                                     score=f"{max(0.0, submission.score - penalty):g}",
                                     points=f"{submission.max_score:g}"))
    return lines


def _write_page(api, chapter, submission, exercises, status, lateness):
    """Write one submission's page next to its autograded files, in the language of the
    notebook handed in; return its path. ``lateness(chapter, submission, status)`` gives
    the lines on its lateness."""
    student = submission.student_id
    autograded = course_notebook(api, api.coursedir.autograded_directory, chapter, student)
    # Of these cells only the test cells' outputs and the solution cells' code
    # reach the page, never a test cell's source (it holds the hidden tests).
    notebook = nbformat.read(autograded, as_version=4) if autograded.is_file() else None
    cells = {cell.metadata.nbgrader.grade_id: cell for cell in (notebook.cells if notebook else [])
             if "grade_id" in cell.metadata.get("nbgrader", {})}
    with i18n.using(editions.language_of(notebook or {})):  # the student's edition
        return _write_page_in(api, chapter, submission, exercises, status, lateness, cells,
                              autograded)


def _write_page_in(api, chapter, submission, exercises, status, lateness, cells, autograded):
    student = submission.student_id
    scores = {grade.name: grade.score for notebook in submission.notebooks
              for grade in notebook.grades}
    scrub = _scrubber(Path(api.coursedir.root))
    timeout = api.config.Execute.timeout
    sections = []
    for exercise in exercises:
        score = scores.get(exercise.test_id, 0.0)
        if score >= exercise.points:
            message = _("passed")
        elif exercise.test_id not in cells:
            message = _("not graded: see above")
        else:
            message = (cell_failure(cells[exercise.test_id], timeout)
                       or _("points taken off by the grader"))
        code = "\n\n".join(cells[cell_id].source for cell_id in exercise.solution_ids
                           if cell_id in cells)
        sections.append(_section(exercise, score, scrub(message), code))

    page = course_notebook(api, api.coursedir.feedback_directory, chapter, student) \
        .with_suffix(".html")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(_page(chapter, student, submission, status, scrub, sections,
                          lateness(chapter, submission, status)),
                    encoding="utf-8")
    for name in SUBMISSION_FILES:
        if (autograded.parent / name).is_file():
            shutil.copyfile(autograded.parent / name, page.parent / name)
        elif not (page.parent / name).is_file():
            # Not from nbgrader's exchange (a folder, a zip, a forgery): nbgrader's
            # release_feedback still needs both files, or it stops for the whole chapter.
            # A fresh secret publishes the page under a name nobody can fetch.
            moment = submission.timestamp or datetime.now(timezone.utc)
            (page.parent / name).write_text(
                secrets.token_hex(64) if name == "submission_secret.txt"
                else f"{moment:%Y-%m-%d %H:%M:%S.%f} UTC")
    return page


def _scrubber(course_dir):
    """A function that takes the grading machine's paths out of a text."""
    known = [(str(course_dir), "<course>"), (str(Path.home()), "~")]

    def scrub(text):
        for path, name in known:
            if len(path) > 1:  # a home of "/" would replace every slash
                text = text.replace(path, name)
        return _ABSOLUTE_PATH.sub("<path>", text)
    return scrub


def _section(exercise, score, message, code):
    kind = "passed" if score >= exercise.points else "lost"
    score_text = f"{score:g}/{exercise.points:g}"
    parts = [f'<section class="{kind}">',
             f'<h2>{_e(exercise.name)} <span class="score">{score_text}</span></h2>',
             f"<pre>{_e(message)}</pre>"]
    if code:
        parts += [f"<h3>{_e(_('Your code'))}</h3>", f"<pre>{_e(code)}</pre>"]
    return "\n".join([*parts, "</section>"])


def _page(chapter, student, submission, status, scrub, sections, lateness=()):
    state, reason = status
    if state is not Status.GRADED:
        notes = ['<p class="reason">' + _e(_("Not graded ({state}): {reason}", state=state,
                                                 reason=scrub(reason))) + "</p>"]
    else:
        notes = ["<p>" + _e(_("Note: {note}", note=scrub(reason))) + "</p>"] if reason else []
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if i18n.language() == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(_('{chapter}: feedback for {student}', chapter=chapter, student=student))}"
        "</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(chapter)}</h1>",
        "<p>" + _("Feedback for {student}", student=f"<strong>{_e(student)}</strong>") + "</p>",
        "<p>" + _("Total score: {score}", score=f"<strong>{submission.score:g}/"
                                                f"{submission.max_score:g}</strong>") + "</p>",
        *(f'<p class="late">{_e(line)}</p>' for line in lateness),
        *notes,
        *sections,
        "</body>",
        "</html>",
        ""])


def _e(text):
    return html.escape(str(text))
