"""The instructor's whole workflow, over every chapter, with a small synthetic class.

One course, released with a course config (due dates in the course's time
zone, a late policy, a roster); submissions from a folder with nested
sections, an LMS zip and nbgrader's exchange (written by nbgrader's own
``submit``); collected, autograded, given feedback, exported to CSV and an
HTML report; ``status`` read at each stage; ``check`` compared with
``autograde``; formgrader started on the course and asked over HTTP.

The class, per chapter (M points, the first exercise p1):

* ada, folder section-a: the reference, on time; an older blank copy named
  ``<chapter> (1).ipynb`` beside it (a duplicate: the latest is kept);
* ben, folder section-b: the blank release, on time (0); chapter 2 named
  ``02-Linear-Model.ipynb`` (a close name: mapped with a warning);
* cy, LMS zip: the first exercise left a stub, 26 h late (2 started days: 20%);
* dee, nbgrader's exchange: the reference, 10 days late (capped at 50%); an
  earlier blank submission of chapter 2 too;
* fay, folder section-b/group-1 (two levels of sections): the reference; in
  the zip, chapter 2 with a wrong ``mse`` 4 min late, within the grace;
* eve: on the roster, hands in nothing (missing);
* mallory: not on the roster (rejected).
"""
import base64
import copy
import csv
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import re
import time
import urllib.request
import zipfile
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import notebook_path
from course_utils import checks
from grading import audit, check, engine, pipeline, reports, sandbox, status
from grading import collect as collecting
from grading import config as course_config
from test_grading import assert_private, nbgrader_metadata, run_cli
from test_grading_chapters import _cells, _reference_solutions, _submission

CHAPTERS = [chapter for chapter in sorted(checks.chapters()) if notebook_path(chapter).is_file()]
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime.now(timezone.utc).replace(second=0, microsecond=0)
DUE = NOW - timedelta(days=12)
ROSTER = ["ada", "ben", "cy", "dee", "eve", "fay"]
WRONG_MSE = "import numpy as np\n\ndef mse(y_hat, y):\n    return np.sum((y_hat - y) ** 2)\n"

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def points(chapter):
    exercises = checks.exercises(chapter)
    return sum(exercise.points for exercise in exercises), exercises[0]


def late_penalty(late, raw, max_score):
    """The policy of CONFIG, written out: 10% per started day, at most 50%, 5 min grace."""
    if late <= timedelta(minutes=5):
        return 0.0
    days = -(-late // timedelta(days=1))
    return min(raw, max_score * min(50, 10 * days) / 100)


def fingerprints(folder):
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _stamp(path, moment):
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def _write(path, notebook, moment):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    _stamp(path, moment)


def _nbgrader_submit(exchange, home, student, chapter, notebook, moment):
    """Hand ``notebook`` in with nbgrader's own ``submit``, at ``moment``."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.submit import ExchangeSubmit

    class SubmitAt(ExchangeSubmit):
        def set_timestamp(self):
            self.timestamp = moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")

    course = exchange / pipeline.COURSE_ID
    (course / "inbound").mkdir(parents=True, exist_ok=True)
    (course / "outbound" / chapter).mkdir(parents=True, exist_ok=True)
    folder = home / student / chapter
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{chapter}.ipynb")
    SubmitAt(coursedir=CourseDirectory(course_id=pipeline.COURSE_ID, assignment_id=chapter,
                                       student_id=student),
             authenticator=Authenticator(), root=str(exchange), cache=str(home / ".cache"),
             assignment_dir=str(home / student), log=pipeline.NBGRADER_LOG).start()


def _config_text():
    due = DUE.astimezone(ZONE).replace(tzinfo=None).isoformat()
    return "\n".join([
        'timezone = "Asia/Shanghai"', "", "[due]", *(f"{chapter} = {due}" for chapter in CHAPTERS),
        "", "[late]", "percent = 10", 'per = "day"', "max_percent = 50", "grace_minutes = 5", "",
        "[roster]", f"students = {json.dumps(ROSTER)}", ""])


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """The class above, taken through the whole workflow; what each stage left."""
    root = tmp_path_factory.mktemp("workflow")
    course, folder, exchange = root / "course", root / "submissions", root / "exchange"
    (root / "course.toml").write_text(_config_text(), encoding="utf-8")
    config = course_config.load(root / "course.toml", required=True)
    stages = {}
    releases = pipeline.release(CHAPTERS, course_dir=course, workspace=root / "workspace",
                                config=config)
    stages["released"] = status.lines(status.overview(course_dir=course, config=config))

    notebooks = {}
    zip_path = root / "lms.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in releases:
            chapter, release = item.chapter, item.release_notebook
            reference = _reference_solutions(chapter)
            blank = nbformat.read(release, as_version=4)
            first = points(chapter)[1]
            stubbed = {**reference, **{cell_id: _cells(release)[cell_id].source
                                       for cell_id in first.solution_ids}}
            notebooks[chapter] = {"ref": _submission(release, reference), "blank": blank,
                                  "stubbed": _submission(release, stubbed)}
            mine = notebooks[chapter]
            _write(folder / "section-a" / "ada" / f"{chapter}.ipynb", mine["ref"],
                   DUE - timedelta(days=1))
            _write(folder / "section-a" / "ada" / f"{chapter} (1).ipynb", blank,
                   DUE - timedelta(days=2))
            ben_name = "02-Linear-Model" if chapter == "02_linear_model" else chapter
            _write(folder / "section-b" / "ben" / f"{ben_name}.ipynb", blank,
                   DUE - timedelta(hours=3))
            _write(folder / "section-a" / "mallory" / f"{chapter}.ipynb", mine["ref"],
                   DUE - timedelta(hours=1))
            if chapter != "02_linear_model":
                _write(folder / "section-b" / "group-1" / "fay" / f"{chapter}.ipynb", mine["ref"],
                       DUE - timedelta(hours=1))
            entry = zipfile.ZipInfo(f"cy_{chapter}.ipynb", date_time=(
                DUE + timedelta(hours=26)).astimezone(ZONE).timetuple()[:6])
            archive.writestr(entry, nbformat.writes(mine["stubbed"]))
            _nbgrader_submit(exchange, root / "home", "dee", chapter, mine["ref"],
                             DUE + timedelta(days=10))
        wrong = _submission(releases[CHAPTERS.index("02_linear_model")].release_notebook,
                            {**_reference_solutions("02_linear_model"), "sol_mse": WRONG_MSE})
        notebooks["02_linear_model"]["wrong_mse"] = wrong
        archive.writestr(zipfile.ZipInfo("fay_02_linear_model.ipynb", date_time=(
            DUE + timedelta(minutes=4)).astimezone(ZONE).timetuple()[:6]), nbformat.writes(wrong))
        archive.writestr("README.txt", "Downloaded from the LMS")
        archive.writestr("__MACOSX/._cy_02_linear_model.ipynb", "")
    _nbgrader_submit(exchange, root / "home", "dee", "02_linear_model",
                     notebooks["02_linear_model"]["blank"], DUE + timedelta(days=9))
    (folder / "section-a" / "ada" / "notes.txt").write_text("my notes")
    (folder / "section-a" / "ada" / ".ipynb_checkpoints").mkdir()
    sources = {"folder": folder, "zip": zip_path, "exchange": exchange}
    before = {name: fingerprints(path) if path.is_dir() else
              hashlib.sha256(path.read_bytes()).hexdigest() for name, path in sources.items()}

    report = pipeline.collect([folder, zip_path], course_dir=course, config=config)
    cli_collect = run_cli("collect", exchange, "--course-dir", course, "--config",
                          root / "course.toml")
    stages["collected"] = status.lines(status.overview(course_dir=course, config=config))
    results = pipeline.autograde(course_dir=course, config=config, jobs=2)
    stages["graded"] = status.lines(status.overview(course_dir=course, config=config))
    pages = pipeline.feedback(course_dir=course, config=config)
    cli_export = run_cli("export", root / "grades.csv", "--course-dir", course, "--config",
                         root / "course.toml")
    after = {name: fingerprints(path) if path.is_dir() else
             hashlib.sha256(path.read_bytes()).hexdigest() for name, path in sources.items()}
    with open(root / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {"root": root, "course": course.resolve(), "config": config, "report": report,
            "cli_collect": cli_collect, "cli_export": cli_export, "stages": stages,
            "results": {(r.student_id, r.chapter): r for r in results}, "pages": pages,
            "rows": rows, "before": before, "after": after, "notebooks": notebooks,
            "folder": folder}


def test_release_puts_the_due_dates_in_the_gradebook(klass):
    with Gradebook(f"sqlite:///{klass['course'] / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
        assert {a.name: a.duedate for a in gb.assignments} == \
            {chapter: DUE.replace(tzinfo=None) for chapter in CHAPTERS}
    assert klass["config"].due == {chapter: DUE for chapter in CHAPTERS}


def test_collect_keeps_each_students_latest_notebook_and_reports_the_rest(klass):
    entries = collecting.entries(klass["course"])
    assert set(entries) == {"ada", "ben", "cy", "dee", "fay", "mallory"}
    for chapter in CHAPTERS:
        assert {student for student, chapters in entries.items() if chapter in chapters} == \
            {"ada", "ben", "cy", "dee", "fay", "mallory"}
        assert entries["ada"][chapter]["submitted_at"] == DUE - timedelta(days=1)
        assert entries["cy"][chapter]["submitted_at"] == DUE + timedelta(hours=26)
        assert entries["dee"][chapter]["submitted_at"] == DUE + timedelta(days=10)
        assert entries["ada"][chapter]["origin"] == \
            f"submissions/section-a/ada/{chapter}.ipynb"
        assert entries["cy"][chapter]["origin"] == f"lms.zip: cy_{chapter}.ipynb"
        assert entries["dee"][chapter]["origin"].startswith(
            f"exchange/{pipeline.COURSE_ID}/inbound/dee+{chapter}+")
    report = klass["report"]
    assert [message.split(":")[0] for message in report.duplicates] == \
        [f"ada {chapter}" for chapter in CHAPTERS]
    assert all(f"{chapter} (1).ipynb" in message and "not" in message
               for chapter, message in zip(CHAPTERS, report.duplicates))
    assert any("02-Linear-Model.ipynb: taken as ben's 02_linear_model" in warning
               for warning in report.warnings)
    assert any("mallory is not on the roster" in warning for warning in report.warnings)
    assert dict(report.not_collected) == {
        "submissions/section-a/ada/notes.txt": "in ada's folder, but not a notebook (.ipynb)",
        "lms.zip: README.txt": "not a notebook (.ipynb)"}
    assert any(".ipynb_checkpoints" in name for name in report.skipped)
    assert any("__MACOSX" in name for name in report.skipped)

    cli = klass["cli_collect"]
    assert cli.returncode == 0, cli.stderr
    assert "duplicates, the latest kept:" in cli.stdout
    assert f"dee 02_linear_model: kept exchange/{pipeline.COURSE_ID}/inbound/dee+02_linear_model+"\
        in cli.stdout
    assert f"{len(CHAPTERS)} new, 0 replaced" in cli.stdout


def test_nothing_in_a_source_is_modified(klass):
    assert klass["after"] == klass["before"]


def test_autograde_grades_everything_collected_with_late_penalties(klass):
    Status = pipeline.Status
    for chapter in CHAPTERS:
        total, first = points(chapter)
        fay = (total - 2, DUE + timedelta(minutes=4)) if chapter == "02_linear_model" else \
            (total, DUE - timedelta(hours=1))
        expected = {
            "ada": (Status.GRADED, total, DUE - timedelta(days=1)),
            "ben": (Status.GRADED, 0, DUE - timedelta(hours=3)),
            "cy": (Status.GRADED, total - first.points, DUE + timedelta(hours=26)),
            "dee": (Status.GRADED, total, DUE + timedelta(days=10)),
            "fay": (Status.GRADED, *fay),
            "eve": (Status.MISSING, 0, None),
            "mallory": (Status.REJECTED, 0, DUE - timedelta(hours=1))}
        for student, (state, raw, submitted_at) in expected.items():
            result = klass["results"][student, chapter]
            late = submitted_at - DUE if submitted_at and submitted_at > DUE else timedelta(0)
            late = late if late > timedelta(minutes=5) else timedelta(0)  # the grace
            penalty = late_penalty(late, raw, total) if state is Status.GRADED else 0
            assert (result.status, result.score, result.submitted_at, result.penalty) == \
                (state, raw, submitted_at, pytest.approx(penalty)), (student, chapter)
            assert result.late_seconds == late.total_seconds(), (student, chapter)
        assert "not on the course's roster (course.toml)" in \
            klass["results"]["mallory", chapter].reason
        assert klass["results"]["eve", chapter].reason == f"nothing collected for {chapter}"
    # The penalties of the policy: 20% for cy (26 h), capped at 50% for dee (10 days).
    total, first = points("02_linear_model")
    assert klass["results"]["cy", "02_linear_model"].penalty == 0.2 * total
    assert klass["results"]["dee", "02_linear_model"].final_score == 0.5 * total


def test_the_gradebook_has_times_and_penalties_for_formgrader(klass):
    with Gradebook(f"sqlite:///{klass['course'] / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
        assert {student.id for student in gb.students} == set(ROSTER)
        for chapter in CHAPTERS:
            dee = gb.find_submission(chapter, "dee")
            assert dee.timestamp == (DUE + timedelta(days=10)).replace(tzinfo=None)
            assert dee.total_seconds_late == timedelta(days=10).total_seconds()
            assert dee.late_submission_penalty == klass["results"]["dee", chapter].penalty > 0
            assert gb.find_submission(chapter, "ada").late_submission_penalty == 0


def test_feedback_shows_messages_and_lateness_but_no_hidden_tests(klass):
    course = klass["course"]
    assert sorted(klass["pages"]) == sorted(
        course / "feedback" / student / chapter / f"{chapter}.html"
        for student in ROSTER for chapter in CHAPTERS)
    for page in klass["pages"]:
        text = page.read_text(encoding="utf-8")
        assert_private(text, course)
        chapter = page.parent.name
        for cell in _cells(course / "source" / chapter / f"{chapter}.ipynb").values():
            if nbgrader_metadata(cell).get("grade"):
                for line in cell.source.splitlines():
                    if line.strip() and not line.startswith(("import ", '"""')):
                        assert line not in text, (page, line)
    for chapter in CHAPTERS:
        first = points(chapter)[1]
        cy = (course / "feedback" / "cy" / chapter / f"{chapter}.html").read_text()
        assert f"{first.name} is not implemented yet" in cy
        assert "Late by 1 d 2 h" in cy and "10% of the points per started day late" in cy
        dee = (course / "feedback" / "dee" / chapter / f"{chapter}.html").read_text()
        assert "Late by 10 d" in dee
        assert "Late by" not in (course / "feedback" / "ada" / chapter /
                                 f"{chapter}.html").read_text()
        assert "Not graded (missing): nothing collected" in (
            course / "feedback" / "eve" / chapter / f"{chapter}.html").read_text()
    fay = (course / "feedback" / "fay" / "02_linear_model" / "02_linear_model.html").read_text()
    assert "summed the squared errors" in fay and "Late by" not in fay


def test_nbgraders_release_feedback_takes_every_page(klass, tmp_path):
    """The formgrader's "Release feedback" publishes every page, even of submissions that
    did not come through the exchange; one that did is fetched by its hash."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
    from nbgrader.utils import notebook_hash

    course, exchange = klass["course"], tmp_path / "exchange"
    exchange.mkdir()
    for chapter in CHAPTERS:
        coursedir = CourseDirectory(course_id=pipeline.COURSE_ID, assignment_id=chapter,
                                    root=str(course))
        ExchangeReleaseFeedback(coursedir=coursedir, authenticator=Authenticator(),
                                root=str(exchange), log=pipeline.NBGRADER_LOG).start()
    released = {path.name for path in (exchange / pipeline.COURSE_ID / "feedback").iterdir()}
    assert len(released) == len(klass["pages"])
    for chapter in CHAPTERS:
        secret = (course / "feedback" / "dee" / chapter / "submission_secret.txt").read_text()
        assert f"{notebook_hash(secret=secret, notebook_id=chapter)}.html" in released


def test_export_writes_the_penalty_columns(klass):
    cli = klass["cli_export"]
    assert cli.returncode == 0, cli.stderr
    assert f"report: {klass['root'] / 'grades.html'}" in cli.stdout
    rows = klass["rows"]
    assert list(rows[0]) == list(reports.CSV_COLUMNS)
    assert [(row["student_id"], row["assignment"], row["exercise"]) for row in rows] == [
        (student, chapter, exercise.name) for student in sorted([*ROSTER, "mallory"])
        for chapter in CHAPTERS for exercise in checks.exercises(chapter)]
    for row in rows:
        result = klass["results"][row["student_id"], row["assignment"]]
        assert row["status"] == result.status_text
        assert float(row["assignment_raw_score"]) == result.score
        assert float(row["late_penalty"]) == pytest.approx(result.penalty)
        assert float(row["assignment_score"]) == pytest.approx(result.final_score)
        assert float(row["late_by_hours"]) == pytest.approx(result.late_seconds / 3600)
        if result.status is not pipeline.Status.REJECTED and result.submitted_at:
            assert datetime.fromisoformat(row["submitted_at"]) == result.submitted_at


class _Tables(HTMLParser):
    """The text of every table cell, by table id, and the images' sources."""

    def __init__(self):
        super().__init__()
        self.tables, self.images, self.table, self.row, self.cell = {}, [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = self.tables.setdefault(attrs.get("id"), [])
        elif tag == "tr" and self.table is not None:
            self.row = []
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _records(table):
    header, *rows = table
    return [dict(zip(header, row)) for row in rows]


def _close(text, value):
    return float(text) == pytest.approx(round(value, 2), abs=0.006)


def test_the_report_has_plots_and_the_numbers_of_the_csv(klass):
    text = (klass["root"] / "grades.html").read_text(encoding="utf-8")
    for forbidden in ("http://", "https://", "<script", "<link", "url("):
        assert forbidden not in text
    page = _Tables()
    page.feed(text)
    assert len(page.images) == 2
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"

    rows = klass["rows"]
    submissions = {(row["student_id"], row["assignment"]): row for row in rows}
    chapters = _records(page.tables["chapters"])
    assert [row["chapter"] for row in chapters] == CHAPTERS
    for row in chapters:
        mine = [r for (student, chapter), r in submissions.items() if chapter == row["chapter"]]
        graded = [float(r["assignment_score"]) for r in mine if r["status"].startswith("graded")]
        assert int(row["students"]) == len(mine) == len(ROSTER) + 1
        assert int(row["graded"]) == len(graded) == 5
        assert int(row["missing"]) == sum(r["status"].startswith("missing") for r in mine) == 1
        assert int(row["not graded"]) == 1  # mallory
        assert int(row["late"]) == sum(float(r["late_by_hours"]) > 0 for r in mine)
        assert _close(row["mean"], sum(graded) / len(graded))
        assert _close(row["median"], sorted(graded)[2])
        assert _close(row["max"], float(mine[0]["assignment_max_score"]))

    exercises = _records(page.tables["exercises"])
    assert [(row["chapter"], row["exercise"]) for row in exercises] == [
        (chapter, exercise.name) for chapter in CHAPTERS for exercise in checks.exercises(chapter)]
    for row in exercises:
        scores = [float(r["score"]) for r in rows if r["assignment"] == row["chapter"]
                  and r["exercise"] == row["exercise"] and r["status"].startswith("graded")]
        top = float(row["points"])
        assert int(row["graded"]) == len(scores)
        assert _close(row["mean"], sum(scores) / len(scores))
        assert int(row["full marks"]) == sum(score >= top for score in scores)
        assert int(row["zero"]) == sum(score == 0 for score in scores)
        assert int(row["partial"]) == sum(0 < score < top for score in scores)

    hardest = _records(page.tables["hardest"])
    assert hardest, "the first exercises (stubbed by cy, blank for ben) are the hardest"
    for row in hardest:
        assert "not implemented yet" in row["most frequent messages"] or \
            "summed the squared errors" in row["most frequent messages"]

    missing = _records(page.tables["missing"])
    assert sorted((row["student"], row["chapter"], row["status"]) for row in missing) == sorted(
        [("eve", chapter, "missing") for chapter in CHAPTERS]
        + [("mallory", chapter, "rejected") for chapter in CHAPTERS])

    late = _records(page.tables["late"])
    assert sorted((row["student"], row["chapter"]) for row in late) == sorted(
        (student, chapter) for (student, chapter), row in submissions.items()
        if float(row["late_by_hours"]) > 0)
    for row in late:
        mine = submissions[row["student"], row["chapter"]]
        assert _close(row["penalty"], float(mine["late_penalty"]))
        assert _close(row["final"], float(mine["assignment_score"]))
        assert _close(row["hours late"], float(mine["late_by_hours"]))


def test_status_reflects_each_stage(klass):
    released, collected, graded = (klass["stages"][name] for name in
                                   ("released", "collected", "graded"))
    text = "\n".join(released)
    for chapter in CHAPTERS:
        assert any(line.startswith(chapter) and " yes " in line for line in released)
    rows = {line.split()[0]: line.split()[1:] for line in released
            if line.split() and line.split()[0] in ROSTER and not line.startswith(" ")}
    assert rows == {student: ["-"] * len(CHAPTERS) for student in ROSTER}
    local_due = f"{DUE.astimezone(ZONE):%Y-%m-%d %H:%M} CST"
    assert local_due in text

    table = {line.split()[0]: line.split()[1:] for line in collected
             if line.split() and line.split()[0] in [*ROSTER, "mallory"]
             and not line.startswith(" ")}
    assert table["ada"] == ["collected"] * len(CHAPTERS)
    assert table["eve"] == ["-"] * len(CHAPTERS)
    assert "collected, not graded yet: run autograde" in "\n".join(collected)

    text = "\n".join(graded)
    assert "collected, not graded yet" not in text
    ada = next(line for line in graded if line.startswith("ada "))
    assert ada.split()[1:] == [f"{points(chapter)[0]}/{points(chapter)[0]}"
                               for chapter in CHAPTERS]
    cy = next(line for line in graded if line.startswith("cy "))
    penalty = klass["results"]["cy", "02_linear_model"].penalty
    assert f"late 1 d 2 h -{penalty:g}" in cy
    assert "missing (graded 0: nothing handed in):" in text
    assert all(f"  {chapter}: eve" in text for chapter in CHAPTERS)
    assert "mallory" in text and "rejected: mallory is not on the course's roster" in text
    assert "lms.zip: README.txt: not a notebook" in text
    row = next(line for line in graded if line.startswith("02_linear_model "))
    assert row.split()[-5:] == ["6", "5", "1", "1", "2"]  # collected, graded, not, missing, late


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_check_agrees_with_autograde_on_the_visible_cases(klass, chapter, tmp_path):
    course = klass["course"]
    kinds = {"ada": "ref", "ben": "blank", "cy": "stubbed"}
    if chapter == "02_linear_model":
        kinds["fay"] = "wrong_mse"
    for student, kind in kinds.items():
        path = tmp_path / f"{chapter}.ipynb"
        nbformat.write(klass["notebooks"][chapter][kind], path)
        checked = check.check(path)
        assert checked.chapter == chapter
        record, = audit.records(course, chapter, student)
        mine = [(e.name, e.score, e.message) for e in checked.graded.exercises]
        assert mine == [(e["name"], e["score"], e["message"]) for e in record["exercises"]], \
            (student, kind)
        assert not any(e["message"].startswith("On hidden data") for e in record["exercises"])


def test_check_on_the_command_line(klass, tmp_path):
    path = tmp_path / "my copy.ipynb"
    nbformat.write(klass["notebooks"]["02_linear_model"]["wrong_mse"], path)
    saved = datetime.now().replace(hour=14, minute=3, second=12, microsecond=0)
    os.utime(path, (saved.timestamp(), saved.timestamp()))
    completed = run_cli("check", path)  # the chapter from its cells: the name is no chapter's
    assert completed.returncode == 1, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[:2] == [f"graded {path}, saved 14:03:12: what you have not saved is not in it",
                         "chapter 02_linear_model, visible cases only"]
    rows = [line for line in lines[3:] if re.match(r"  \S", line)]  # continuations indent more
    table = {line.split()[0]: line.split()[1] for line in rows}
    assert table == {"train_dev_test_split": "3/3", "fit_errors": "2/2", "forward": "2/2",
                     "mse": "0/2", "exhaustive_search": "3/3", "cost_surface": "3/3",
                     "total": "13/15"}
    mse_line = lines.index(rows[3])
    assert "mse(y_hat=[1., 2., 3.], y=[2., 4., 6.]) returned 14.0" in lines[mse_line]
    assert lines[mse_line + 1].strip() == \
        "Likely bug: you summed the squared errors instead of taking their mean"
    assert "hidden cases" in completed.stdout

    nbformat.write(klass["notebooks"]["02_linear_model"]["ref"], tmp_path / "02_linear_model.ipynb")
    completed = run_cli("check", tmp_path / "02_linear_model.ipynb")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "15/15" in completed.stdout

    # A syntax error is named with its cell and line, in its exercise's row or after the table.
    broken = copy.deepcopy(klass["notebooks"]["02_linear_model"]["ref"])
    for cell in broken.cells:
        if nbgrader_metadata(cell).get("grade_id") == "sol_mse":
            cell.source = "import numpy as np\n\ndef mse(y_hat, y):\n    return np.mean((y_hat - y) ** 2\n"
    broken.cells.insert(1, nbformat.v4.new_code_cell("x = 1\nprint(x +)"))
    nbformat.write(broken, tmp_path / "02_linear_model.ipynb")
    completed = run_cli("check", tmp_path / "02_linear_model.ipynb")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    rows = {line.split()[0]: line for line in completed.stdout.splitlines()}
    assert re.fullmatch(r"  mse +0/2  The cell of mse has a syntax error on its line 4 "
                        r"\(SyntaxError: .+\): fix it, run the cell, save, check again",
                        rows["mse"]), rows["mse"]
    assert "The cell that starts 'x = 1' has a syntax error on its line 2 (SyntaxError: " \
        in completed.stdout
    assert "not defined" not in completed.stdout

    # The Chinese edition's table is Chinese, the bug's name included.
    chinese = copy.deepcopy(klass["notebooks"]["02_linear_model"]["wrong_mse"])
    chinese.metadata.setdefault("course", {})["language"] = "zh"
    nbformat.write(chinese, path)
    os.utime(path, (saved.timestamp(), saved.timestamp()))
    completed = run_cli("check", path)
    assert completed.returncode == 1, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[:2] == [f"已评分 {path}（保存于 14:03:12）：没有保存的内容不在其中",
                         "章节 02_linear_model，只检查可见的测试用例"]
    mse_line = next(i for i, line in enumerate(lines) if line.startswith("  mse "))
    assert re.search("[\u4e00-\u9fff]", lines[mse_line] + lines[mse_line + 1])
    assert "instead of taking their mean" not in completed.stdout
    assert lines[-1] == "正式评分还会检查隐藏的测试用例：请让每个练习对任意输入都正确。"

    completed = run_cli("check", tmp_path / "nothing.ipynb")
    assert completed.returncode == 1
    assert completed.stderr.strip() == f"grading: error: no notebook at {tmp_path / 'nothing.ipynb'}"


def test_check_works_without_the_sandbox(klass, tmp_path):
    """A learner's machine without bubblewrap (macOS): the same result, one short note."""
    path = tmp_path / "02_linear_model.ipynb"
    nbformat.write(klass["notebooks"]["02_linear_model"]["wrong_mse"], path)
    bare = sandbox.Isolation(None, False, ("bubblewrap is not installed",))
    note = check.isolation_note(bare)
    assert note and "\n" not in note and len(note) < 100
    assert check.isolation_note(sandbox.Isolation("/usr/bin/bwrap", False, ("not root",))) == ""
    checked = check.check(path, isolation=bare)
    assert [(e.name, e.score) for e in checked.graded.exercises] == [
        ("train_dev_test_split", 3), ("fit_errors", 2), ("forward", 2), ("mse", 0),
        ("exhaustive_search", 3), ("cost_surface", 3)]
    assert "summed the squared errors" in checked.graded.exercises[3].message


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_formgrader_lists_the_chapters_and_the_scores(klass, tmp_path):
    course, port, token = klass["course"], _free_port(), "workflow-test"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    args = [str(Path(sys.executable).with_name("jupyter")), "server", "--no-browser",
            f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
            f"--Exchange.root={tmp_path / 'exchange'}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    server = subprocess.Popen(args, cwd=course, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/api/status", token)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the Jupyter server did not start: "
                                + server.stderr.read().decode()[-2000:])
                time.sleep(0.3)
        assignments = _get(f"{base}/formgrader/api/assignments", token)
        assert sorted(a["name"] for a in assignments) == CHAPTERS
        for assignment in assignments:
            # The students with a notebook in submitted/: all but eve, who is missing.
            assert assignment["num_submissions"] == len(ROSTER) - 1
            assert assignment["duedate"] is not None
        submissions = {s["student"]: s for s in
                       _get(f"{base}/formgrader/api/submissions/02_linear_model", token)}
        total = points("02_linear_model")[0]
        assert submissions["ada"]["score"] == total
        assert submissions["cy"]["score"] == total - points("02_linear_model")[1].points
        assert submissions.get("eve", {}).get("score", 0) == 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_a_newer_submission_is_collected_and_graded_alone(klass, tmp_path):
    """Last in this file: it changes the class (ben's chapter 2)."""
    course, config = klass["course"], klass["config"]
    newer = tmp_path / "late-fix" / "ben" / "02_linear_model.ipynb"
    _write(newer, klass["notebooks"]["02_linear_model"]["ref"], DUE + timedelta(hours=1))
    report = pipeline.collect([tmp_path / "late-fix"], course_dir=course, config=config)
    assert [(candidate.student, candidate.chapter) for candidate, _ in report.replaced] == \
        [("ben", "02_linear_model")]
    view = status.overview(course_dir=course, config=config)
    assert view.cells["ben", "02_linear_model"].state == "collected"
    # Kept, unless the checks changed since (chapters are edited while this runs).
    source = course / "source" / "02_linear_model" / "02_linear_model.ipynb"
    checks_now = engine.checks_fingerprint("02_linear_model", source)
    kept = {record["student"] for record in audit.records(course, "02_linear_model")
            if record["hashes"]["checks"] == checks_now and record["student"] != "ben"}
    results = pipeline.autograde(course_dir=course, config=config, chapter="02_linear_model")
    regraded = {r.student_id for r in results if r.regraded and r.status is
                pipeline.Status.GRADED}
    assert "ben" in regraded and not regraded & kept
    ben = next(r for r in results if r.student_id == "ben")
    total = points("02_linear_model")[0]
    assert (ben.score, ben.penalty) == (total, 0.1 * total)
    assert status.overview(course_dir=course, config=config).cells[
        "ben", "02_linear_model"].text == f"{total}/{total} late 1 h -{0.1 * total:g}"
    cli = run_cli("status", "--course-dir", course, "--config", klass["root"] / "course.toml",
                  "--student", "ben")
    assert cli.returncode == 0, cli.stderr
    ben_row, = [line for line in cli.stdout.splitlines() if line.startswith("ben ")]
    assert f"{total}/{total} late 1 h -{0.1 * total:g}" in ben_row


def test_collect_reads_the_usual_folder_layouts(tmp_path):
    """Sections at any depth, nbgrader's <student>/<chapter>/ folders (with its
    timestamp.txt), LMS-named notebooks in a section; nothing that belongs to no one
    is dropped silently."""
    source = tmp_path / "downloads"
    files = {"term/section-a/ann/02_linear_model.ipynb": "ann",
             "term/section-a/bo/02_linear_model/02_linear_model.ipynb": "bo",
             "term/lms-export/cid_02_linear_model.ipynb": "cid",
             "term/lms-export/dot_02_linear_model.ipynb": "dot",
             "term/stray.ipynb": None,
             "term/section-a/ann/old/02_linear_model.ipynb": None}
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("{}")
    (source / "term/section-a/bo/02_linear_model/timestamp.txt").write_text(
        "2026-03-01 10:00:00.000000 UTC")
    report = pipeline.collect([source], course_dir=tmp_path / "course")
    assert sorted((c.student, c.chapter, c.origin) for c in report.collected) == sorted(
        (student, "02_linear_model", f"downloads/{name}") for name, student in files.items()
        if student)
    assert sorted(origin for origin, _ in report.not_collected) == sorted(
        f"downloads/{name}" for name, student in files.items() if not student)
    assert not report.warnings and not report.errors
    bo, = [candidate for candidate in report.collected if candidate.student == "bo"]
    assert bo.submitted_at == datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)  # nbgrader's
