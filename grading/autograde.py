"""Grading a class: intake, the engine in parallel, results into nbgrader's gradebook.

What is graded is either a folder, ``DIR/<student_id>/<chapter>.ipynb``, or,
without one, the course's collection (:mod:`grading.collect`), which also
knows each submission's time. For each chapter, every student's notebook goes
through intake (:mod:`grading.intake`); a usable notebook is copied to
``course/submitted/`` and graded by the engine (:mod:`grading.engine`: the
learner's code in a sandbox, the checks judged here), all cores at once. The
scores go into nbgrader's gradebook as automatic scores, so formgrader,
manual grading, export and feedback work as with nbgrader's own autograder;
a manual score an instructor gave stays. The submission time, the chapter's
due date and the late penalty of the course config (:mod:`grading.config`)
go there too (``late_submission_penalty``, shown by formgrader). An
autograded notebook (the submission with the course's test cells, each
showing its check's message) lands in ``course/autograded/`` for formgrader
and feedback, and an audit record (:mod:`grading.audit`) says what each grade
was computed from. A submission graded before, with the same checks and
settings, is not graded again unless ``force``.

With a roster in the course config, a student not on it is rejected (0, not
in the gradebook) and a student on it who handed in nothing is missing (0).
"""
import dataclasses
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbconvert.filters import strip_ansi
from nbgrader.api import MissingEntry
from nbgrader.utils import rmtree

from course_utils import checks, i18n

from . import audit, collect, editions, engine, intake, reports, sandbox, untrusted
from .config import CourseConfig
from .course import (GradingError, Status, available_chapters, course_notebook, graded_exercises,
                     is_released, load_config, open_course, release)
from .names import shown
from .settings import COURSE_DIR, NOTEBOOKS_DIR, SECRET_FILE

_ = i18n.translator(__name__)


@dataclass(frozen=True)
class SubmissionResult:
    student_id: str
    chapter: str
    status: Status
    reason: str = ""  # why there are no marks; for a graded one, notes (repairs, errors)
    score: float = 0.0  # before any late penalty
    max_score: float = 0.0
    regraded: bool = True  # False when an earlier, identical grading was kept
    submitted_at: datetime | None = None  # aware, UTC; None when unknown
    late_seconds: float = 0.0  # past the chapter's due date
    penalty: float = 0.0  # points the late policy takes off ``score``
    submission: str = ""  # fingerprint of what was graded (the file, or its problem)

    @property
    def status_text(self):
        return self.status.text(self.reason)

    @property
    def final_score(self):
        return max(0.0, self.score - self.penalty)


@dataclass(frozen=True)
class _Where:
    """Where one student's notebook of a chapter is, and what is known of it already."""
    folder: Path | None  # holds <chapter>.ipynb; None when there is nothing to read
    label: str  # the file, as the instructor knows it
    submitted_at: datetime | None = None
    missing: str = ""  # why there is no file: MISSING
    problem: str = ""  # why the file could not be collected: BROKEN
    secret: str = ""  # nbgrader's submission secret, from the exchange
    fingerprint: str = ""  # the collection's, for a problem


def autograde(submissions_dir=None, *, chapter=None, course_dir=COURSE_DIR,
              notebooks_dir=NOTEBOOKS_DIR, exercises=None, jobs=None, force=False, limits=None,
              secret_file=SECRET_FILE, progress=None, config=None):
    """Grade every ``submissions_dir/<student_id>/<chapter>.ipynb``, or without
    ``submissions_dir`` everything collected into the course; return the
    :class:`SubmissionResult` of each student (and loose file), chapter by chapter.

    Without ``chapter``, grades the chapters that at least one student
    submitted, releasing a chapter first if the course does not have it yet.
    ``jobs`` submissions are graded at once (default: one per core), within
    :class:`grading.sandbox.Limits`, changed by ``limits`` (a dict, e.g.
    ``{"memory_mb": 2048}``); the cell limit defaults to the course's.
    ``config`` (a :class:`grading.config.CourseConfig`; default: none) gives
    the due dates, late policy, roster and intake limits. A submission that
    cannot be graded gets 0 and a reason; the batch goes on.
    ``progress(done, total, result)`` follows the grading.
    """
    config = config or CourseConfig()
    course_dir = Path(course_dir).resolve()
    roster = set(config.roster or ())
    if submissions_dir is None:
        collection = collect.entries(course_dir)
        if not collection:
            raise GradingError(f"nothing collected in {collect.collected_dir(course_dir)}: run "
                               "`python -m grading collect SOURCE` first, or grade a folder "
                               "with `python -m grading autograde DIR`")
        students, loose_files = sorted(set(collection) | roster), []
        submitted = {name for chapters in collection.values() for name in chapters}
        where = _collected(course_dir, collection)
    else:
        submissions_dir = Path(submissions_dir)
        if not submissions_dir.is_dir():
            raise GradingError(f"no submissions folder at {submissions_dir}")
        student_dirs, loose_files = intake.scan(submissions_dir)
        students = sorted({path.name for path in student_dirs} | roster)
        submitted = {path.stem for folder in student_dirs if _is_folder(folder)
                     for path in folder.glob("*.ipynb")}
        where = _in_folder(submissions_dir)
    chapters = [chapter] if chapter else [
        name for name in available_chapters(notebooks_dir) if name in submitted]
    if not chapters:
        raise GradingError(f"no <chapter>.ipynb of {notebooks_dir} in any student folder of "
                           f"{submissions_dir}; name the chapter with --chapter")
    unreleased = [name for name in chapters if not is_released(course_dir, name)]
    if unreleased:
        release(unreleased, course_dir=course_dir, workspace=None, notebooks_dir=notebooks_dir,
                exercises=exercises, config=config)
    api = open_course(course_dir)
    limits = dataclasses.replace(sandbox.Limits(cell_seconds=load_config(course_dir).Execute.get(
        "timeout", sandbox.Limits.cell_seconds)), **(limits or {}))
    secret = engine.load_secret(secret_file)
    isolation = sandbox.detect()
    if isolation.warning:
        print(isolation.warning, file=sys.stderr)
    if isolation.bwrap and isolation.as_root:
        try:  # the uid locks: refused before anything is graded, not per submission
            os.close(sandbox.lock_folder())
        except sandbox.SandboxError as problem:
            raise GradingError(str(problem)) from None

    # Intake of every chapter first, then one parallel run over all that needs grading,
    # so that a class of several chapters keeps every core busy.
    plans, todo = [], []
    for chapter in chapters:
        with api.gradebook as gb:
            declared = graded_exercises(gb, chapter, exercises)
            solution_ids = [cell.name for cell in gb.find_notebook(chapter, chapter).solution_cells]
            max_score = gb.find_assignment(chapter).max_score
        known_ids = [exercise.test_id for exercise in declared] + solution_ids
        source_path = course_notebook(api, api.coursedir.source_directory, chapter)
        release_tests = _test_sources(nbformat.read(
            course_notebook(api, api.coursedir.release_directory, chapter), as_version=4))
        plan = {"chapter": chapter, "declared": declared, "max_score": max_score,
                "source": nbformat.read(source_path, as_version=4), "results": {},
                "fingerprints": {"checks": engine.checks_fingerprint(chapter, source_path),
                                 "config": engine.config_fingerprint(limits, secret)}}
        for student in students:
            outcome = _take_in(api, student, chapter, where(student, chapter), known_ids,
                               max_score, plan["fingerprints"], force, config)
            if isinstance(outcome, SubmissionResult):
                plan["results"][student] = outcome
            else:
                todo.append({**outcome, "chapter": chapter, "release_tests": release_tests,
                             "plan": plan})
        plans.append(plan)
    graded = engine.grade_many(todo, secret, jobs=jobs, limits=limits, isolation=isolation,
                               progress=progress)
    for item, result in zip(todo, graded):
        plan = item["plan"]
        plan["results"][item["student"]] = _record(api, item, result, plan["source"],
                                                   plan["declared"], plan["fingerprints"],
                                                   isolation)

    results = []
    for plan in plans:
        chapter = plan["chapter"]
        chapter_results = _apply_lateness(api, chapter, plan["results"], config)
        done = [chapter_results[student] for student in students] + [
            SubmissionResult(shown(path.name), chapter, Status.REJECTED,
                             intake.loose_file_reason(path, chapter),
                             max_score=plan["max_score"])
            for path in loose_files]
        reports.record_status(course_dir, *done)
        results += done
    return results


def _is_folder(path):
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _in_folder(submissions_dir):
    """Where each student's notebook is in ``submissions_dir``; the time comes from the
    file when it is read (:func:`grading.untrusted.submitted_time`)."""
    def where(student, chapter):
        folder = submissions_dir / student
        try:
            info = folder.lstat()
        except OSError:
            return _Where(None, "", missing=f"no folder {student} in {shown(submissions_dir)}")
        if not stat.S_ISDIR(info.st_mode):
            return _Where(None, shown(student), problem="a symbolic link, not followed"
                          if stat.S_ISLNK(info.st_mode)
                          else f"{untrusted.kind(info.st_mode)}, not a folder")
        return _Where(folder, f"{shown(student)}/{chapter}.ipynb")
    return where


def _collected(course_dir, collection):
    def where(student, chapter):
        entry = collection.get(student, {}).get(chapter)
        if entry is None:
            return _Where(None, "", missing=f"nothing collected for {chapter}")
        return _Where(collect.collected_dir(course_dir) / student, entry["origin"],
                      entry["submitted_at"], problem=entry.get("problem", ""),
                      secret=entry.get("secret", ""), fingerprint=entry.get("fingerprint", ""))
    return where


def _test_sources(notebook):
    return [cell.source for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("grade")]


def _take_in(api, student, chapter, where, known_ids, max_score, fingerprints, force, config):
    """A result for a submission that needs no grading run, else the item to grade."""
    invalid = intake.invalid_student_id(student)
    if invalid:
        # Shown in ASCII: an id in another script may look exactly like a classmate's.
        return SubmissionResult(ascii(student)[1:-1], chapter, Status.REJECTED, invalid,
                                max_score=max_score)
    if not config.on_roster(student):
        return SubmissionResult(student, chapter, Status.REJECTED,
                                f"{student} is not on the course's roster "
                                f"({config.path.name if config.path else 'course config'})",
                                max_score=max_score, submitted_at=where.submitted_at,
                                submission=where.fingerprint)
    try:
        if where.missing:
            raise intake.Unusable(Status.MISSING, where.missing)
        if where.problem:
            raise intake.Unusable(Status.BROKEN, f"{where.label}: {where.problem}")
        submission = intake.read_submission(where.folder, chapter, known_ids,
                                            limits=config.limits, label=where.label)
    except Exception as problem:  # whatever the file is: this student's 0, the batch goes on
        if not isinstance(problem, intake.Unusable):
            problem = intake.Unusable(Status.BROKEN,
                                      f"{where.label}: {untrusted.why_not(problem)}")
        _clear(api, student, chapter)
        audit.remove(api.coursedir.root, chapter, student)
        result = _grade_zero(api, student, chapter, problem.status, str(problem))
        return dataclasses.replace(result, submitted_at=where.submitted_at,
                                   submission=where.fingerprint)
    where = dataclasses.replace(where, submitted_at=where.submitted_at or untrusted.submitted_time(
        datetime.fromtimestamp(submission.info.st_mtime, timezone.utc), submission.info))
    if not force:
        kept = audit.unchanged(api.coursedir.root, chapter, student,
                               submission=submission.digest, **fingerprints)
        # A graded submission whose autograded notebook is gone (deleted, or removed by
        # nbgrader's own autograder) is graded again, so formgrader has it.
        if kept is not None and (Status(kept["status"]) is not Status.GRADED or course_notebook(
                api, api.coursedir.autograded_directory, chapter, student).is_file()):
            with api.gradebook as gb:
                score = gb.find_submission(chapter, student).score
            return SubmissionResult(student, chapter, Status(kept["status"]), kept["reason"],
                                    score=score, max_score=max_score, regraded=False,
                                    submitted_at=where.submitted_at,
                                    submission=submission.digest)
    _clear(api, student, chapter)
    submitted = course_notebook(api, api.coursedir.submitted_directory, chapter, student)
    submitted.parent.mkdir(parents=True)
    nbformat.write(submission.notebook, submitted)
    submitted_at = where.submitted_at or datetime.now(timezone.utc)
    (submitted.parent / "timestamp.txt").write_text(f"{submitted_at:%Y-%m-%d %H:%M:%S.%f} UTC\n")
    if where.secret:
        (submitted.parent / "submission_secret.txt").write_text(where.secret)
    notes = list(submission.notes)
    if submission.copies:
        notes.append(f"copied cells graded as plain code: {', '.join(submission.copies)}")
    return {"student": student, "notebook": submission.notebook, "notes": notes,
            "submitted_at": submitted_at, "submission_hash": submission.digest}


def _apply_lateness(api, chapter, results, config):
    """The chapter's due date, each submission's time and late penalty into the gradebook;
    ``results`` with their lateness."""
    due = config.due_date(chapter)
    updated = {}
    with api.gradebook as gb:
        assignment = gb.find_assignment(chapter)
        naive_due = due.replace(tzinfo=None) if due else None
        if assignment.duedate != naive_due:
            assignment.duedate = naive_due
        for student, result in results.items():
            if result.status is Status.REJECTED:
                updated[student] = result
                continue
            try:
                submission = gb.find_submission(chapter, student)
            except MissingEntry:
                updated[student] = result
                continue
            if result.submitted_at is not None:
                submission.timestamp = result.submitted_at.astimezone(timezone.utc) \
                    .replace(tzinfo=None)
            late = config.seconds_late(chapter, result.submitted_at)
            score = submission.score
            penalty = (config.late.penalty(late, score, submission.max_score)
                       if result.status is Status.GRADED else 0.0)
            for notebook in submission.notebooks:
                notebook.late_submission_penalty = penalty
            updated[student] = dataclasses.replace(result, score=score, late_seconds=late,
                                                   penalty=penalty)
        gb.db.commit()
    return updated


def _clear(api, student, chapter):
    """Remove what an earlier grading of this submission left: a new one replaces it."""
    for step in (api.coursedir.submitted_directory, api.coursedir.autograded_directory,
                 api.coursedir.feedback_directory):
        old = Path(api.coursedir.format_path(step, student, chapter))
        if old.exists():
            rmtree(str(old))


def _record(api, item, graded, source, exercises, fingerprints, isolation):
    """Write one engine result to the gradebook, the autograded folder and the audit."""
    student, chapter = item["student"], item["chapter"]
    scores = {result.name: result for result in graded.exercises}
    with api.gradebook as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(chapter, student,
                                                    timestamp=item["submitted_at"])
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                result = scores.get(grade.name.removeprefix("test_"))
                grade.auto_score = result.score if result else 0.0
                # As nbgrader does when re-autograding: a grader's manual score
                # stays, flagged for another look.
                grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()
        score, max_score = submission.score, submission.max_score
    with i18n.using(editions.language_of(item["notebook"])):  # the notebook's own language
        _write_autograded(api, item, graded, source, exercises)
    status = Status.BROKEN if graded.failure else Status.GRADED
    notes = [graded.failure] if graded.failure else item["notes"] + _cell_notes(graded)
    result = SubmissionResult(student, chapter, status, "; ".join(notes), score=score,
                              max_score=max_score, submitted_at=item["submitted_at"],
                              submission=item["submission_hash"])
    audit.record(api.coursedir.root, chapter, student, submission=item["submission_hash"],
                 **fingerprints, isolation=isolation, graded=graded, status=result.status,
                 reason=result.reason)
    return result


def _cell_notes(graded):
    stopped = sum(cell.get("status") == "timeout" for cell in graded.cells)
    return [f"{stopped} cell(s) stopped at the time limit"] if stopped else []


def _write_autograded(api, item, graded, source, exercises):
    """The submission with the course's test cells, each showing its check's result.

    Test cells come from the course's source (what the learner did to them
    does not matter); one the learner deleted is put back after its solution.
    """
    marks = {cell.metadata.nbgrader.grade_id: cell.metadata.nbgrader for cell in source.cells
             if "grade_id" in cell.metadata.get("nbgrader", {})}
    tests = {cell.metadata.nbgrader.grade_id: cell for cell in source.cells
             if cell.metadata.get("nbgrader", {}).get("grade")}
    results = {result.name: result for result in graded.exercises}
    cells = []
    for cell in nbformat.from_dict(dict(item["notebook"])).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in tests:
            continue
        # nbgrader's marks as the course set them: a learner's own (say, a solution cell
        # marked graded) would mislead formgrader.
        if grade_id in marks:
            cell.metadata.nbgrader = nbformat.from_dict(dict(marks[grade_id]))
        else:
            cell.metadata.pop("nbgrader", None)
        cells.append(cell)
    for exercise in exercises:
        cell = nbformat.from_dict(dict(tests[exercise.test_id]))
        cell.outputs = [_output(exercise, results.get(exercise.name))]
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
        after = max((ids.index(sid) for sid in exercise.solution_ids if sid in ids), default=None)
        cells.insert(len(cells) if after is None else after + 1, cell)
    notebook = nbformat.from_dict(dict(item["notebook"]))
    notebook.cells = cells
    path = course_notebook(api, api.coursedir.autograded_directory, item["chapter"], item["student"])
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    submitted = course_notebook(api, api.coursedir.submitted_directory, item["chapter"],
                                item["student"])
    for name in ("timestamp.txt", "submission_secret.txt"):
        if submitted.with_name(name).is_file():
            shutil.copyfile(submitted.with_name(name), path.with_name(name))


def _output(exercise, result):
    if result is not None and not result.message:
        return nbformat.v4.new_output("stream", name="stdout",
                                      text="✓ " + _("{name}: all checks passed",
                                                    name=exercise.name) + "\n")
    message = result.message if result else _("not graded")
    return nbformat.v4.new_output("error", ename=checks.CheckFailed.__name__, evalue=message,
                                  traceback=[f"✗ {exercise.name}: " + message])


def _grade_zero(api, student, chapter, status, reason):
    """Record 0 in the gradebook, so the student is listed like everyone else."""
    with api.gradebook as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(chapter, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0.0
                grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()
        return SubmissionResult(student, chapter, status, reason,
                                score=submission.score, max_score=submission.max_score)


def cell_failure(cell, timeout=None):
    """What went wrong in an autograded test ``cell``, in the learner's words, or "".

    A check's message is shown as it is, any other error with its type.
    """
    errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
    if not errors:
        return ""
    error = errors[-1]
    message = strip_ansi(error.evalue).strip()
    if error.ename == checks.CheckFailed.__name__:
        return message
    return f"{error.ename}: {message}" if message else error.ename
