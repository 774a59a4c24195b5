"""Where the class stands: what is released, collected, graded, and what failed and why.

Read from the course directory (release folder, gradebook), the collection
(:mod:`grading.collect`), the status file (:mod:`grading.reports`) and the
course config (due dates, roster); nothing is written.
"""
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import collect, reports
from .config import CourseConfig, format_late
from .course import CONFIG_FILE, Status, course_notebook, open_course, releasable_chapters
from .settings import COURSE_DIR, NOTEBOOKS_DIR


@dataclass
class Cell:
    """One student's state in one chapter."""
    state: str  # "graded", "missing", "broken", "rejected", "collected" (not graded yet), ""
    text: str  # what the table shows
    reason: str = ""


@dataclass
class Overview:
    course_dir: Path
    config: CourseConfig
    chapters: list  # every chapter of the course (released or not)
    released: dict  # chapter: bool
    skipped: dict  # chapter: why it cannot be released (no checks module)
    students: list
    cells: dict  # (student, chapter): Cell
    collected: dict = field(default_factory=dict)  # chapter: submissions in the collection
    collect_problems: list = field(default_factory=list)  # (source, origin, why)
    collect_errors: list = field(default_factory=list)  # (source, why)


def overview(*, course_dir=COURSE_DIR, notebooks_dir=NOTEBOOKS_DIR, config=None, exercises=None):
    config = config or CourseConfig()
    course_dir = Path(course_dir).resolve()
    chapters, skipped = releasable_chapters(notebooks_dir, exercises)
    released = {chapter: False for chapter in chapters}
    manifest = collect.load_manifest(course_dir)
    collected = collect.entries(course_dir)
    statuses = reports.load_status_entries(course_dir)
    scores = {}
    if (course_dir / CONFIG_FILE).is_file():
        api = open_course(course_dir)
        with api.gradebook as gb:
            for assignment in gb.assignments:
                released[assignment.name] = course_notebook(
                    api, api.coursedir.release_directory, assignment.name).is_file()
                for submission in assignment.submissions:
                    scores[submission.student_id, assignment.name] = (
                        submission.score, submission.max_score)
    chapters = sorted(released)
    students = sorted(set(config.roster or ()) | set(collected)
                      | {student for entries in statuses.values() for student in entries}
                      | {student for student, _ in scores})
    cells = {}
    for student in students:
        for chapter in chapters:
            cells[student, chapter] = _cell(student, chapter, collected, statuses, scores,
                                            config)
    problems = [(source, origin, why) for source, entry in sorted(manifest["sources"].items())
                for origin, why in entry.get("not_collected", [])]
    errors = [(source, entry["error"]) for source, entry in sorted(manifest["sources"].items())
              if entry.get("error")]
    counts = {chapter: sum(chapter in entries for entries in collected.values())
              for chapter in chapters}
    return Overview(course_dir, config, chapters, released, skipped, students, cells, counts,
                    problems, errors)


def _cell(student, chapter, collected, statuses, scores, config):
    entry = collected.get(student, {}).get(chapter)
    status = statuses.get(chapter, {}).get(student)
    if entry is not None and (status is None or status.get("submission") !=
                              entry.get("fingerprint")):
        return Cell("collected", "collected", "collected, not graded yet: run autograde")
    if status is None:
        if (student, chapter) in scores:
            score, max_score = scores[student, chapter]
            return Cell("graded", f"{score:g}/{max_score:g}")
        if config.roster is not None and student in config.roster:
            return Cell("", "-", "nothing collected")
        return Cell("", "")
    state = Status(status["status"])
    if state is not Status.GRADED:
        return Cell(str(state), str(state), status.get("reason", ""))
    score, max_score = scores.get((student, chapter), (status.get("score", 0.0),
                                                       status.get("max_score", 0.0)))
    text = f"{score:g}/{max_score:g}"
    submitted_at = status.get("submitted_at")
    late = config.seconds_late(chapter, datetime.fromisoformat(submitted_at)) \
        if submitted_at else 0.0
    if late:
        penalty = config.late.penalty(late, score, max_score)
        text += f" late {format_late(late)}" + (f" -{penalty:g}" if penalty else "")
    return Cell("graded", text, status.get("reason", ""))


def lines(view, *, chapter=None, student=None):
    """The overview as lines of text for the terminal."""
    config = view.config
    chapters = [chapter] if chapter else view.chapters
    students = [student] if student else view.students
    out = [f"course {view.course_dir}",
           f"config {config.path}" if config.path else
           "config: none (no due dates, no late penalty, no roster)"]
    if config.path:
        out.append(f"late policy: {config.late.describe()}; roster: "
                   + (f"{len(config.roster)} students" if config.roster is not None
                      else "none (anyone may submit)"))
    out.append("")
    header = ["chapter", "released", "due", "collected", "graded", "not graded", "missing",
              "late"]
    rows = []
    for name in chapters:
        states = [view.cells.get((who, name), Cell("", "")).state for who in view.students]
        late = sum(" late " in view.cells.get((who, name), Cell("", "")).text
                   for who in view.students)
        rows.append([name, "yes" if view.released.get(name) else "no",
                     config.local(config.due_date(name)) or "-",
                     str(view.collected.get(name, 0)),
                     str(states.count("graded")),
                     str(states.count("broken") + states.count("rejected")),
                     str(states.count("missing")), str(late)])
    out += _columns(header, rows)
    for name, why in view.skipped.items():
        out.append(f"  {name}: not releasable: {why}")
    if not view.students:
        out += ["", "no submissions collected or graded yet"]
        return out
    out.append("")
    out += _columns(["student", *chapters],
                    [[who, *(view.cells[who, name].text or "" for name in chapters)]
                     for who in students if who in view.students])
    failed = [(who, name, view.cells[who, name]) for who in students for name in chapters
              if (who, name) in view.cells and view.cells[who, name].state in
              ("broken", "rejected", "collected")]
    if failed:
        out += ["", "not graded, and why:"]
        for who, name, cell in failed:
            out.append(f"  {who:<16} {name:<22} {cell.state}: {cell.reason}")
    missing = {name: [who for who in students if (who, name) in view.cells
                      and view.cells[who, name].state == "missing"] for name in chapters}
    if any(missing.values()):
        out += ["", "missing (graded 0: nothing handed in):"]
        out += [f"  {name}: {', '.join(who)}" for name, who in missing.items() if who]
    if view.collect_errors or view.collect_problems:
        out += ["", "collect: not collected, and why:"]
        for source, why in view.collect_errors:
            out.append(f"  {source}: {why}")
        for source, origin, why in view.collect_problems:
            out.append(f"  {origin}: {why}")
    return out


def _columns(header, rows):
    widths = [max(len(str(row[index])) for row in [header, *rows])
              for index in range(len(header))]
    return ["  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths)).rstrip()
            for row in [header, *rows]]

