"""Every kind of bad input a class hands in, through collect, autograde and export.

Each gets a clear message naming the file and the problem; a submission is
recorded (0 with the reason); the batch goes on; nothing in a source is
changed and nothing is written outside the course. Large inputs are made
sparse or quickly (a size cap lowered in the course config stands in for
hundreds of MB), and two sparse files of hundreds of MB check the real caps.
"""
import copy
import csv
import hashlib
import json
import os
import random
import string
import time
import zipfile
from datetime import datetime, timedelta, timezone

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_output

from conftest import notebook_path
from course_utils import checks
from grading import config as course_config
from grading import intake, pipeline
from test_grading import run_cli
from test_grading_chapters import _reference_solutions, _submission

CHAPTER = "02_linear_model"
TOTAL = sum(exercise.points for exercise in checks.exercises(CHAPTER))
CHAPTERS = [chapter for chapter in sorted(checks.chapters()) if notebook_path(chapter).is_file()]
MB = 1024 * 1024
ROSTER = ["json", "old", "empty", "png", "nulls", "text", "bigfile", "bigoutputs", "bigsource",
          "extra", "linked", "wrongnb", "absent", "dup", "huge", "zed"]
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def _sources_state(paths):
    """What each file under ``paths`` holds (a link: where it points)."""
    state = {}
    for path in paths:
        for item in sorted([path, *path.rglob("*")] if path.is_dir() else [path]):
            if item.is_symlink():
                state[str(item)] = "-> " + os.readlink(item)
            elif item.is_file():
                state[str(item)] = hashlib.sha256(item.read_bytes()).hexdigest()
    return state


def _zip(path, entries):
    """A zip of ``(name, bytes, time)``; a name ending in "@" is a symbolic link."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, moment in entries:
            info = zipfile.ZipInfo(name.rstrip("@"), date_time=moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            if name.endswith("@"):
                info.external_attr = 0o120777 << 16
            archive.writestr(info, data)
    return path


def _big_output(notebook, size):
    notebook = copy.deepcopy(notebook)
    cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    cell.outputs = [new_output("stream", name="stdout", text="x" * size)]
    return notebook


@pytest.fixture(scope="module")
def bad_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_input")
    course, inbox = root / "course", root / "inbox"
    (root / "course.toml").write_text("\n".join([
        "[roster]", f"students = {json.dumps(ROSTER)}",
        "[collect]", "max_file_mb = 4", "max_notebook_mb = 1", "max_zip_mb = 8", ""]))
    config = course_config.load(root / "course.toml", required=True)
    release, = pipeline.release([CHAPTER], course_dir=course, workspace=None, config=config)
    reference = _submission(release.release_notebook, _reference_solutions(CHAPTER))
    blank = nbformat.read(release.release_notebook, as_version=4)
    name = f"{CHAPTER}.ipynb"

    def put(student, data, file_name=name):
        path = inbox / student / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        elif isinstance(data, str):
            path.write_text(data)
        else:
            nbformat.write(data, path)
        return path

    put("json", '{"cells": [')
    old = nbformat.convert(copy.deepcopy(reference), 3)
    put("old", nbformat.writes(old, version=nbformat.NO_CONVERT))
    put("empty", b"")
    put("png", b"\x89PNG\r\n\x1a\n" + bytes(200))
    put("nulls", bytes(range(256)) * 8)
    put("text", "import numpy as np\nprint('my homework')\n")
    with open(put("bigfile", b"{"), "r+b") as sparse:  # 5 MB, nearly all a hole
        sparse.truncate(5 * MB)
    put("bigoutputs", _big_output(reference, 3 * MB))
    bigsource = copy.deepcopy(reference)
    bigsource.cells.append(new_markdown_cell("y" * (2 * MB)))
    put("bigsource", bigsource)
    put("extra", reference)
    put("extra", reference, "scratch.ipynb")
    put("extra", "x,y\n1,2\n", "data.csv")
    put("stranger", reference)
    put("bad id", reference)
    (inbox / "linked").mkdir()
    os.symlink(inbox / "extra" / name, inbox / "linked" / name)
    put("wrongnb", nbformat.read(notebook_path("03_gradient_descent"), as_version=4))

    zips = {
        "dup1": _zip(root / "dup1.zip", [(f"dup_{name}", nbformat.writes(reference), T0)]),
        "dup2": _zip(root / "dup2.zip", [(f"dup_{name}", nbformat.writes(blank),
                                          T0 + timedelta(hours=1))]),
        "evil": _zip(root / "evil.zip", [
            (f"../../escape_{name}", nbformat.writes(reference), T0),
            (f"/tmp/abs_{name}", nbformat.writes(reference), T0),
            (f"linky_{name}@", "/etc/passwd", T0),
            (f"huge_{name}", b" " * (5 * MB), T0),
            (f"zed_{name}", nbformat.writes(reference), T0)]),
        "bomb": _zip(root / "bomb.zip", [(f"b{i}_{name}", bytes(3 * MB), T0) for i in range(3)]),
        "nofiles": _zip(root / "nofiles.zip", []),
    }
    zips["empty"] = root / "empty.zip"
    zips["empty"].write_bytes(b"")
    whole = (root / "dup1.zip").read_bytes()
    zips["corrupt"] = root / "corrupt.zip"
    zips["corrupt"].write_bytes(whole[:len(whole) // 2])
    sources = [inbox, *zips.values()]
    before = _sources_state(sources)

    report = pipeline.collect(sources, course_dir=course, config=config)
    results = {r.student_id: r for r in pipeline.autograde(course_dir=course, config=config,
                                                          jobs=2)}
    pipeline.export(root / "grades.csv", course_dir=course, config=config)
    with open(root / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    return {"root": root, "course": course, "report": report, "results": results,
            "rows": rows, "before": before, "after": _sources_state(sources), "zips": zips,
            "sources": sources}


EXPECTED = {  # student: (status, score, words in the reason)
    "json": ("broken", 0, "inbox/json/02_linear_model.ipynb: not valid JSON"),
    "old": ("graded", TOTAL, "converted from notebook format 3"),
    "empty": ("broken", 0, "inbox/empty/02_linear_model.ipynb: the file is empty (0 bytes)"),
    "png": ("broken", 0, "inbox/png/02_linear_model.ipynb: a PNG image renamed .ipynb"),
    "nulls": ("broken", 0, "inbox/nulls/02_linear_model.ipynb: binary data, not a notebook"),
    "text": ("broken", 0, "inbox/text/02_linear_model.ipynb: not a notebook: it is text"),
    "bigfile": ("broken", 0, "inbox/bigfile/02_linear_model.ipynb: 5 MB, over the 4 MB"),
    "bigoutputs": ("graded", TOTAL, ""),
    "bigsource": ("broken", 0, "inbox/bigsource/02_linear_model.ipynb: the notebook is over 1 "
                               "MB even without its outputs"),
    "extra": ("graded", TOTAL, ""),
    "stranger": ("rejected", 0, "stranger is not on the course's roster (course.toml)"),
    "linked": ("broken", 0, "inbox/linked/02_linear_model.ipynb: a symbolic link, not followed"),
    "wrongnb": ("broken", 0, "not the 02_linear_model notebook: none of its exercise cells"),
    "absent": ("missing", 0, "nothing collected for 02_linear_model"),
    "dup": ("graded", 0, ""),
    "huge": ("broken", 0, "evil.zip: huge_02_linear_model.ipynb: 5 MB, over the 4 MB"),
    "zed": ("graded", TOTAL, ""),
}


def test_each_submission_gets_its_status_and_a_reason_naming_the_file(bad_class):
    results = bad_class["results"]
    assert set(results) == set(EXPECTED)
    for student, (state, score, words) in EXPECTED.items():
        result = results[student]
        assert (str(result.status), result.score) == (state, score), (student, result.reason)
        assert words in result.reason, (student, result.reason)
        row = bad_class["rows"][student]
        assert (row["status"], row["assignment_score"]) == (result.status_text, f"{score:g}")
    assert results["bigoutputs"].reason == "" and results["extra"].reason == ""


def test_collect_reports_what_does_not_belong_and_which_duplicate_it_kept(bad_class):
    report, zips = bad_class["report"], bad_class["zips"]
    assert dict(report.not_collected) == {
        "inbox/bad id/02_linear_model.ipynb": "invalid student id 'bad id': use letters, "
                                             "digits, _, - and . only, starting with a letter "
                                             "or digit",
        "inbox/extra/scratch.ipynb": "in extra's folder, but its name is not a chapter's "
                                     f"({', '.join(CHAPTERS)})",
        "inbox/extra/data.csv": "in extra's folder, but not a notebook (.ipynb)",
        "evil.zip: ../../escape_02_linear_model.ipynb": "a path out of the zip's folder (zip "
                                                        "slip): refused",
        "evil.zip: /tmp/abs_02_linear_model.ipynb": "an absolute path in the zip: refused",
        "evil.zip: linky_02_linear_model.ipynb": "a symbolic link: refused"}
    assert dict(report.errors) == {
        str(zips["empty"]): "the file is empty (0 bytes), not a zip archive",
        str(zips["nofiles"]): "the zip archive is empty: no files in it",
        str(zips["corrupt"]): dict(report.errors)[str(zips["corrupt"])],
        str(zips["bomb"]): "it would unpack to 9 MB, over the 8 MB limit; nothing was unpacked"}
    assert dict(report.errors)[str(zips["corrupt"])].startswith(
        "not a readable zip archive, corrupt or cut short")
    assert report.duplicates == [
        "dup 02_linear_model: kept dup2.zip: dup_02_linear_model.ipynb (submitted 2026-03-01 "
        "13:00:00 UTC), not dup1.zip: dup_02_linear_model.ipynb (submitted 2026-03-01 12:00:00 "
        "UTC)"]
    assert any("stranger is not on the roster" in warning for warning in report.warnings)


def test_sources_are_unchanged_and_nothing_escapes(bad_class):
    assert bad_class["after"] == bad_class["before"]
    root = bad_class["root"]
    assert not list(root.parent.rglob("escape_*")) and not list(root.rglob("abs_*"))
    assert not os.path.exists(f"/tmp/abs_{CHAPTER}.ipynb")
    collected = root / "course" / "collected"
    assert sorted(path.name for path in collected.iterdir() if path.is_dir()) == sorted(
        ["json", "old", "empty", "png", "nulls", "text", "bigoutputs", "bigsource", "extra",
         "stranger", "wrongnb", "dup", "zed"])
    assert not any(path.is_symlink() for path in collected.rglob("*"))


def test_the_cli_names_each_unreadable_zip_and_fails(bad_class, tmp_path):
    zips = bad_class["zips"]
    completed = run_cli("collect", zips["corrupt"], zips["empty"], zips["dup1"], "--course-dir",
                        tmp_path / "course")
    assert completed.returncode == 1
    assert f"  {zips['corrupt']}: not a readable zip archive" in completed.stdout
    assert f"  {zips['empty']}: the file is empty (0 bytes)" in completed.stdout
    assert "collected dup" in completed.stdout  # the good one still is


# ------------------------------------------------------------------ intake, directly


def _notebook_bytes():
    return notebook_path(CHAPTER).read_bytes()


@pytest.mark.parametrize("data, words", [
    (b"", "the file is empty (0 bytes)"),
    (b"PK\x03\x04" + bytes(100), "a ZIP archive renamed .ipynb, not a notebook"),
    (b"%PDF-1.7\n", "a PDF document renamed .ipynb"),
    (b"\xff\xd8\xff\xe0" + bytes(10), "a JPEG image renamed .ipynb"),
    (b"hello\x00world", "binary data, not a notebook"),
    (b"def f():\n    pass\n", "not a notebook: it is text that does not start like one"),
    (b'{"cells": [\xff\xfe]}', "not UTF-8 text"),
    (b'{"cells": [', "not valid JSON, so not a notebook (Expecting value: line 1 column 12"),
    (b"[1, 2]", "not a notebook: it is text"),
    (b'{"nbformat": 9, "cells": []}', "not a valid notebook: unknown notebook format 9"),
    (b'{"hello": 1}', "not a valid notebook"),
])
def test_read_notebook_says_what_is_wrong(tmp_path, data, words):
    path = tmp_path / "mine.ipynb"
    path.write_bytes(data)
    with pytest.raises(intake.Unusable) as raised:
        intake.read_notebook(path, label="alice/mine.ipynb")
    assert str(raised.value).startswith("alice/mine.ipynb: ")
    assert words in str(raised.value)
    assert str(raised.value.status) == "broken"


def test_a_notebook_with_hundreds_of_mb_of_outputs_is_read_without_them(tmp_path):
    """300 MB of output, one string written in chunks, under the default limits."""
    reference = nbformat.reads(_notebook_bytes().decode(), as_version=4)
    marked = _big_output(reference, 0)
    next(cell for cell in marked.cells if cell.cell_type == "code").outputs[0].text = "@@HOLE@@"
    before, after = nbformat.writes(marked).encode().split(b"@@HOLE@@")
    path = tmp_path / "huge.ipynb"
    with open(path, "wb") as out:
        out.write(before)
        chunk = b"x" * (4 * MB)
        for _ in range(75):
            out.write(chunk)
        out.write(after)
    assert path.stat().st_size > 300 * MB
    started = time.perf_counter()
    submission = intake.read_notebook(path)
    assert time.perf_counter() - started < 20
    assert [cell.source for cell in submission.notebook.cells] == \
        [cell.source for cell in reference.cells]
    assert all(not cell.get("outputs") for cell in submission.notebook.cells)


def test_a_file_of_hundreds_of_mb_is_not_read(tmp_path):
    path = tmp_path / "huge.ipynb"
    with open(path, "wb") as out:
        out.truncate(600 * MB)
    started = time.perf_counter()
    with pytest.raises(intake.Unusable, match=r"^huge.ipynb: the file is 600 MB, over the 512 MB "
                                              r"a submission may be; not read$"):
        intake.read_notebook(path)
    assert time.perf_counter() - started < 1


def test_stripping_outputs_keeps_everything_else(tmp_path):
    rng = random.Random(7)
    alphabet = string.printable + '"\\é中'
    notebook = json.loads(_notebook_bytes())
    for trial in range(40):
        data = copy.deepcopy(notebook)
        for cell in data["cells"]:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            if cell["cell_type"] == "code":
                cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                                    "text": [text, '"outputs": [' + text]}][:rng.randint(0, 1)]
            cell["source"] = text + '"outputs": ["not' + "".join(cell["source"])
        data["metadata"]["x"] = {"outputs": "kept: not an array", "y": ["outputs", text]}
        raw = json.dumps(data, ensure_ascii=trial % 2 == 0, indent=trial % 3 or None).encode()
        expected = json.loads(raw)
        for cell in expected["cells"]:
            if "outputs" in cell:
                cell["outputs"] = []
        assert json.loads(intake.strip_outputs(raw, 10 * MB)) == expected
    with pytest.raises(intake.TooLarge):
        intake.strip_outputs(b'{"cells": [{"source": "' + b"a" * 5000 + b'"}]}', 1000)
