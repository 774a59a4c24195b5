"""What a student or another local user controls, used against the grader, through the CLI.

Each test plays an attack as it would be made: files, links, pipes, devices
and names in a submissions folder (`autograde DIR`) or in nbgrader's exchange
(`collect`), times a student can write (a name, a file's content, `touch`),
folders a student can create where `collect` looks, a lock folder another
user made first, a grading secret that is not the grader's, `make clean`
and the deletion of a class's data. What must hold: no link is followed, no
pipe blocks, no file's content is quoted anywhere (terminal, status, CSV,
report, feedback, audit), names are shown escaped, one bad entry is that
student's 0 with a reason and the batch goes on, a student's submission is
never earlier than its last change, `collect` reads only the course's own
inbound, the grader's own state is its own, and class data is deleted only
when asked.

Students are played by uids that have no name here (chown as root), so the
tests that need them are skipped unless run as root (CI runs as root).
"""
import csv
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from course_utils import checks
from grading import engine, pipeline, sandbox
from test_grading_chapters import _reference_solutions, _submission
from test_grading_workflow import _nbgrader_submit

REPO = Path(__file__).resolve().parents[1]
CHAPTER = "02_linear_model"
POINTS = sum(exercise.points for exercise in checks.exercises(CHAPTER))
FULL = f"{POINTS:g}/{POINTS:g}"  # an honest student's score, as status and the CLI show it
NOTEBOOK = f"{CHAPTER}.ipynb"
COURSE_ID = pipeline.COURSE_ID
STUDENT_UID, OTHER_UID = 4242, 4243  # local users with no name: students, a classmate
MARKER = "PRIVATE-" + secrets.token_hex(8)  # what a file a student should not see holds
ROOT = os.geteuid() == 0
as_root = pytest.mark.skipif(not ROOT, reason="plays other local users with chown: root only")

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def cli(*args, input=None, env=None, timeout=300):
    """``python -m grading ARGS``; a hang fails the test (subprocess.TimeoutExpired)."""
    return subprocess.run([sys.executable, "-m", "grading", *map(str, args)], cwd=REPO,
                          input=input, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def ok(completed):
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout + completed.stderr


def chown(path, uid):
    for item in [path, *(path.rglob("*") if path.is_dir() and not path.is_symlink() else [])]:
        os.lchown(item, uid, uid)


def texts_under(*paths):
    """Every file's text under ``paths`` (bytes decoded with replacement)."""
    return {str(item): item.read_bytes().decode("utf-8", "replace")
            for path in paths for item in ([path] if path.is_file() else path.rglob("*"))
            if item.is_file() and not item.is_symlink() and item.suffix != ".db"}


def assert_nothing_quoted_or_raw(outputs):
    """No file content (the marker, the grading secret) and no raw control character."""
    for where, text in outputs.items():
        assert MARKER not in text, where
        for raw in ("\x1b", "\x07", "\u202e", "\udcff"):
            assert raw not in text, (where, raw)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A released course of chapter 2 and the reference notebook, for copies."""
    root = tmp_path_factory.mktemp("released")
    release, = pipeline.release([CHAPTER], course_dir=root / "course", workspace=None)
    return {"course": root / "course",
            "reference": _submission(release.release_notebook, _reference_solutions(CHAPTER))}


@pytest.fixture
def course(released, tmp_path):
    shutil.copytree(released["course"], tmp_path / "course")
    return tmp_path / "course"


def put(folder, student, data, name=NOTEBOOK):
    path = folder / student / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        nbformat.write(data, path)
    return path


def statuses(course):
    return json.loads((course / "grading_status.json").read_text())[CHAPTER]


# ------------------------------------------------------------------ autograde DIR


@pytest.fixture(scope="module")
def hostile_dir(released, tmp_path_factory):
    """A submissions folder of links, pipes, devices, odd bytes and odd names, graded,
    then status, export and feedback, all through the CLI."""
    root = tmp_path_factory.mktemp("hostile_dir")
    course, inbox = root / "course", root / "inbox"
    shutil.copytree(released["course"], course)
    reference = released["reference"]
    secret = root / "secret"
    engine.load_secret(secret)
    private = root / "private.txt"
    private.write_text(f"{MARKER} my password\n")
    (root / "course.toml").write_text("[collect]\nmax_file_mb = 4\n")

    put(inbox, "good", reference)
    os.makedirs(inbox / "linked")
    os.symlink(secret, inbox / "linked" / NOTEBOOK)
    put(root / "elsewhere", "x", reference)
    os.symlink(root / "elsewhere" / "x", inbox / "linkdir")
    os.makedirs(inbox / "fifo")
    os.mkfifo(inbox / "fifo" / NOTEBOOK)
    if ROOT:  # a device node, as /dev/zero: endless zeros
        os.makedirs(inbox / "device")
        os.mknod(inbox / "device" / NOTEBOOK, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    put(inbox, "latin", '{"cells": ["\xe9t\xe9"]}'.encode("latin-1"))
    put(inbox, "texty", private.read_bytes())
    schema = json.loads(nbformat.writes(reference))
    schema["cells"][0]["cell_type"] = MARKER
    put(inbox, "schema", json.dumps(schema).encode())
    odd_marks = json.loads(nbformat.writes(reference))
    odd_marks["cells"][0]["metadata"]["nbgrader"] = MARKER
    odd_marks["cells"][1]["metadata"]["nbgrader"] = {"grade_id": [MARKER]}
    put(inbox, "oddmarks", json.dumps(odd_marks).encode())
    surrogate = json.loads(nbformat.writes(reference))
    surrogate["cells"][-1]["source"] = "x = '\ud800'"
    put(inbox, "surrogate", json.dumps(surrogate).encode())
    put(inbox, "deep", b'{"a": ' * 50_000 + b"1" + b"}" * 50_000)
    with open(put(inbox, "huge", b"{"), "r+b") as sparse:
        sparse.truncate(5 * 1024 * 1024)
    (inbox / "\x1b]0;pwned\x07.ipynb").write_bytes(private.read_bytes())
    put(inbox, "<img src=x onerror=alert(1)>", reference)
    put(inbox, "bob\x1b[31m", reference)
    put(inbox, "\u0430lice", reference)  # a Cyrillic а: looks exactly like alice
    put(inbox, "ok\u202eusr", reference)
    os.makedirs(os.fsencode(inbox) + b"/\xff\xfe")

    common = ["--course-dir", course, "--config", root / "course.toml"]
    graded = cli("autograde", inbox, "--secret", secret, "-q", "--jobs", "2", *common)
    status = cli("status", *common)
    export = cli("export", root / "grades.csv", *common)
    feedback = cli("feedback", *common)
    with open(root / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row["status"] for row in csv.DictReader(fh)}
    return {"root": root, "course": course, "secret": secret.read_text().strip(),
            "runs": {"autograde": graded, "status": status, "export": export,
                     "feedback": feedback}, "rows": rows}


DIR_EXPECTED = {  # student (as shown): the start of its status, as export writes it
    "good": "graded",
    "linked": "broken: linked/02_linear_model.ipynb: a symbolic link, not followed",
    "linkdir": "broken: linkdir: a symbolic link, not followed",
    "fifo": "broken: fifo/02_linear_model.ipynb: a named pipe, not a regular file",
    "latin": "broken: latin/02_linear_model.ipynb: not UTF-8 text",
    "texty": "broken: texty/02_linear_model.ipynb: not a notebook: it is text that does not "
             "start like one (with {)",
    "schema": "broken: schema/02_linear_model.ipynb: not a valid notebook: it does not follow "
              "the notebook format (cell 1)",
    "oddmarks": "graded: cells 1, 2: nbgrader marks not as nbgrader writes them",
    "surrogate": "broken: surrogate/02_linear_model.ipynb: not a notebook: its JSON holds text "
                 "that is not Unicode",
    "deep": "broken: deep/02_linear_model.ipynb: not a notebook: its JSON is nested too deeply",
    "huge": "broken: huge/02_linear_model.ipynb: the file is 5 MB, over the 4 MB",
    "\\x1b]0;pwned\\x07.ipynb": "rejected: a file directly in",
    "<img src=x onerror=alert(1)>": "rejected: invalid student id",
    "bob\\x1b[31m": "rejected: invalid student id 'bob\\x1b[31m'",
    "\\u0430lice": "rejected: invalid student id '\\u0430lice': use letters, digits, _, - and . "
                   "only, starting with a letter or digit (ASCII only)",
    "ok\\u202eusr": "rejected: invalid student id 'ok\\u202eusr'",
    "\\udcff\\udcfe": "rejected: invalid student id '\\udcff\\udcfe'",
}


def test_autograde_dir_gives_each_hostile_entry_its_0_and_a_reason_and_goes_on(hostile_dir):
    for run in hostile_dir["runs"].values():
        ok(run)
    rows = hostile_dir["rows"]
    expected = dict(DIR_EXPECTED, **({"device": "broken: device/02_linear_model.ipynb: a "
                                                "device, not a regular file"} if ROOT else {}))
    assert set(rows) == set(expected)
    for student, start in expected.items():
        assert rows[student].startswith(start), (student, rows[student])
    graded = {line.split()[0]: line for line in hostile_dir["runs"]["autograde"].stdout
              .splitlines() if line.startswith(("good ", "oddmarks "))}
    assert FULL in graded["good"] and FULL in graded["oddmarks"]


def test_no_content_is_quoted_and_no_name_reaches_a_terminal_or_page_raw(hostile_dir):
    root, course = hostile_dir["root"], hostile_dir["course"]
    outputs = {f"{name} {stream}": getattr(run, stream)
               for name, run in hostile_dir["runs"].items() for stream in ("stdout", "stderr")}
    outputs.update(texts_under(course / "grading_status.json", course / "audit",
                               course / "feedback", root / "grades.csv", root / "grades.html"))
    assert_nothing_quoted_or_raw(outputs)
    assert not any(hostile_dir["secret"] in text for text in outputs.values())
    for page in [root / "grades.html", *(course / "feedback").rglob("*.html")]:
        assert "<img src=x" not in page.read_text(), page
    assert "&lt;img src=x onerror=alert(1)&gt;" in (root / "grades.html").read_text()


# ------------------------------------------------------------------ the exchange


def _exchange_with_good(root, reference, student="good", moment=None):
    exchange = root / "exchange"
    _nbgrader_submit(exchange, root / "home", student, CHAPTER, reference,
                     moment or datetime.now(timezone.utc) - timedelta(hours=1))
    return exchange, exchange / COURSE_ID / "inbound"


def _handed_in(inbound, name, files):
    """A submission folder as a student could write it: ``files`` is name: bytes, or a
    callable that makes the entry at the path it is given."""
    folder = inbound / name
    folder.mkdir()
    for file, data in files.items():
        data(folder / file) if callable(data) else (folder / file).write_bytes(data)
    return folder


def test_collect_survives_every_bad_entry_of_the_exchange(released, course, tmp_path):
    reference = nbformat.writes(released["reference"]).encode()
    exchange, inbound = _exchange_with_good(tmp_path, released["reference"])
    private = tmp_path / "private.txt"
    private.write_text(MARKER)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / NOTEBOOK).write_bytes(reference)
    when = "2026-01-01 00:00:00.000000 UTC"
    _handed_in(inbound, f"eve+{CHAPTER}+{when}+r1", {
        NOTEBOOK: reference, "submission_secret.txt": b"\xff\xfe" + MARKER.encode()})
    _handed_in(inbound, f"pip+{CHAPTER}+not a time+r2", {
        NOTEBOOK: reference, "timestamp.txt": os.mkfifo})
    _handed_in(inbound, f"lnk+{CHAPTER}+{when}+r3", {
        NOTEBOOK: lambda path: os.symlink(private, path)})
    _handed_in(inbound, f"fif+{CHAPTER}+{when}+r4", {NOTEBOOK: os.mkfifo})
    _handed_in(inbound, f"big+{CHAPTER}+{when}+r5", {
        NOTEBOOK: reference, "submission_secret.txt": b"a" * 100_000})
    os.symlink(tmp_path / "elsewhere", inbound / f"dirlink+{CHAPTER}+{when}+r6")
    _handed_in(inbound, f"esc\x1b[2J+{CHAPTER}+{when}+r7", {NOTEBOOK: reference})
    os.mkfifo(inbound / f"pipe+{CHAPTER}+{when}+r8")

    collected = cli("collect", exchange, "--course-dir", course, timeout=120)
    output = ok(collected)
    assert_nothing_quoted_or_raw({"collect": output})
    assert "collected good " in output
    graded = ok(cli("autograde", "--course-dir", course, "-q", timeout=300))
    assert FULL in next(line for line in graded.splitlines() if line.startswith("good "))
    reasons = {student: entry["reason"] for student, entry in statuses(course).items()}
    assert reasons["eve"].endswith("submission_secret.txt: not UTF-8 text")
    assert reasons["pip"].endswith("timestamp.txt: a named pipe, not a regular file")
    assert reasons["lnk"].endswith(f"{NOTEBOOK}: a symbolic link, not followed")
    assert reasons["fif"].endswith(f"{NOTEBOOK}: a named pipe, not a regular file")
    assert reasons["big"].endswith("submission_secret.txt: 100,000 bytes, more than the 1,000 "
                                   "it may have; not read")
    assert f"dirlink+{CHAPTER}+{when}+r6: not a submission folder: a symbolic link, not " \
           "followed" in output
    assert f"pipe+{CHAPTER}+{when}+r8: not a submission folder: a named pipe" in output
    assert "esc\\x1b[2J" in output
    status = ok(cli("status", "--course-dir", course))
    assert_nothing_quoted_or_raw({"status": status, **texts_under(course / "collected")})


@as_root
def test_collect_reads_only_the_courses_own_inbound(released, course, tmp_path):
    """A student who creates ``inbound`` in a writable exchange root makes no difference."""
    exchange, _ = _exchange_with_good(tmp_path, released["reference"])
    forged = exchange / "inbound" / f"victim+{CHAPTER}+2026-01-01 00:00:00.000000 UTC+x"
    forged.mkdir(parents=True)
    (forged / NOTEBOOK).write_text("{}")
    chown(exchange / "inbound", STUDENT_UID)
    output = ok(cli("collect", exchange, "--course-dir", course))
    assert "collected good " in output and "victim" not in output


@as_root
def test_collect_refuses_an_exchange_a_student_could_have_rearranged(course, tmp_path):
    """Each exchange below holds a student's forged submission where collect would find it."""
    attacks = {
        "inbound of a student's, no course folder": "belongs to uid 4242, not to root or to "
                                                    "the grader running collect",
        "the course folder a link": "a symbolic link, not followed",
        "the course folder writable by all": "may be written by others than its owner",
        "the course's inbound a student's": "inbound belongs to uid 4242",
        "only another course": f"without this course's folder, {COURSE_ID} (found: other)",
    }
    exchanges = {}
    for number, attack in enumerate(attacks):
        exchange = exchanges[attack] = tmp_path / f"exchange{number}"
        folder = exchange / COURSE_ID
        elsewhere = tmp_path / f"theirs{number}"
        (elsewhere / "inbound" / f"victim+{CHAPTER}+2026-01-01 00:00:00.000000 UTC+x").mkdir(
            parents=True)
        chown(elsewhere, STUDENT_UID)
        if attack.startswith("inbound of"):
            exchange.mkdir()
            shutil.move(elsewhere / "inbound", exchange / "inbound")
        elif attack.endswith("a link"):
            exchange.mkdir()
            os.symlink(elsewhere, folder)
        elif attack.endswith("by all"):
            (folder / "inbound").mkdir(parents=True)
            folder.chmod(0o777)
        elif attack.startswith("the course's inbound"):
            folder.mkdir(parents=True)
            shutil.move(elsewhere / "inbound", folder / "inbound")
        else:
            (exchange / "other" / "inbound").mkdir(parents=True)
    collected = cli("collect", *exchanges.values(), "--course-dir", course)
    assert collected.returncode == 1, collected.stdout
    errors = dict(line.strip().split(": ", 1) for line in
                  collected.stdout.split("sources not read:\n")[1].splitlines()[:len(attacks)])
    for attack, words in attacks.items():
        assert words in errors[str(exchanges[attack])], (attack, errors)
    assert "victim" not in collected.stdout.split("sources not read")[0]


# ------------------------------------------------------------------ times


@as_root
def test_a_time_a_student_writes_never_makes_their_submission_earlier(released, course,
                                                                      tmp_path):
    """An early time in an exchange folder's name, in a zip name's student part, or set
    with touch: a student's own file counts from its last change; the instructor's copy
    keeps its time."""
    now = datetime.now(timezone.utc)
    early = "2020-01-01 00:00:00.000000 UTC"
    reference = nbformat.writes(released["reference"]).encode()
    due = (now - timedelta(days=1)).replace(microsecond=0)
    (tmp_path / "course.toml").write_text(
        f'[due]\n{CHAPTER} = {due.isoformat()}\n[late]\npercent = 10\n'
        '[collect]\nzip_patterns = ["(?P<student_id>[a-z]+)_(?P<file_id>\\\\d\\\\d_[a-z_]+?)_'
        '(?P<timestamp>[0-9-]+)\\\\.ipynb"]\n')
    exchange, inbound = _exchange_with_good(tmp_path, released["reference"])
    chown(_handed_in(inbound, f"mia+{CHAPTER}+{early}+early", {NOTEBOOK: reference}),
          STUDENT_UID)  # written by the student
    _handed_in(inbound, f"nia+{CHAPTER}+{early}+copy", {NOTEBOOK: reference})  # by the grader
    folder = tmp_path / "folder"
    for student, uid in (("lea", STUDENT_UID), ("noa", 0)):
        path = put(folder, student, reference)
        os.utime(path, (0, datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp()))
        chown(path.parent, uid)
    with zipfile.ZipFile(tmp_path / "lms.zip", "w") as archive:
        entry = zipfile.ZipInfo(f"zoe_{CHAPTER}_2020-01-01-00-00-00.ipynb",
                                date_time=now.timetuple()[:6])
        archive.writestr(entry, reference)
    common = ["--course-dir", course, "--config", tmp_path / "course.toml"]
    ok(cli("collect", exchange, folder, tmp_path / "lms.zip", *common))
    manifest = json.loads((course / "collected" / "collection.json").read_text())
    times = {student: datetime.fromisoformat(chapters[CHAPTER]["submitted_at"])
             for student, chapters in manifest["submissions"].items()}
    for student in ("mia", "lea"):
        assert times[student] >= now - timedelta(seconds=5), (student, times[student])
    for student in ("nia", "noa"):
        assert times[student].year == 2020, (student, times[student])
    assert times["zoe"] > now - timedelta(days=1)  # the entry's time, not the name's
    ok(cli("autograde", "-q", *common))
    ok(cli("export", tmp_path / "grades.csv", *common))
    with open(tmp_path / "grades.csv", newline="") as fh:
        late = {row["student_id"]: float(row["late_by_hours"]) for row in csv.DictReader(fh)}
    assert late["mia"] > 0 and late["lea"] > 0 and late["nia"] == 0 and late["noa"] == 0


@as_root
def test_autograde_dir_takes_a_students_file_at_its_last_change(released, course, tmp_path):
    """Lea's file says 2020 (touch); Ian's copy, of the instructor who runs sudo, keeps it."""
    for student, uid in (("lea", STUDENT_UID), ("ian", OTHER_UID)):
        path = put(tmp_path / "inbox", student, released["reference"])
        os.utime(path, (0, datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp()))
        chown(path.parent, uid)
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    ok(cli("autograde", tmp_path / "inbox", "--course-dir", course, "-q",
           env={"SUDO_UID": str(OTHER_UID)}))
    times = {student: datetime.fromisoformat(entry["submitted_at"])
             for student, entry in statuses(course).items()}
    assert times["lea"] >= before and times["ian"].year == 2020


# ------------------------------------------------------------------ the grader's own state


def _full_isolation():
    isolation = sandbox.detect()
    if not (isolation.bwrap and isolation.as_root):
        pytest.skip("the uid locks are used by a root grader with bubblewrap")


def _one_good_submission(released, tmp_path):
    put(tmp_path / "inbox", "good", released["reference"])
    return tmp_path / "inbox"


def test_a_lock_folder_made_first_in_the_shared_temporary_folder_changes_nothing(
        released, course, tmp_path):
    """Before: the locks sat in $TMPDIR, where any user could make the folder first and
    link a lock to a file of someone else's, which the root grader then truncated."""
    _full_isolation()
    tmp = tmp_path / "tmp"
    hostile = tmp / "pytorch-practice-sandbox-uids"
    hostile.mkdir(parents=True, mode=0o777)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    chown(victim, OTHER_UID)
    for uid in range(sandbox.UIDS.start, sandbox.UIDS.start + 8):
        os.symlink(victim, hostile / f"{uid}.lock")
    chown(hostile, STUDENT_UID)
    graded = ok(cli("autograde", _one_good_submission(released, tmp_path), "--course-dir",
                    course, "-q", env={"TMPDIR": str(tmp)}))
    assert FULL in graded
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("attack", ["a link", "another user's", "writable by others",
                                    "a lock a link"])
def test_a_root_grader_refuses_a_lock_folder_that_is_not_its_own_alone(
        released, course, tmp_path, attack):
    _full_isolation()
    locks, victim = tmp_path / "locks", tmp_path / "victim.txt"
    victim.write_text("precious")
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    if attack == "a link":
        os.symlink(real, locks)
    elif attack == "a lock a link":
        locks.mkdir(mode=0o700)
        for uid in range(sandbox.UIDS.start, sandbox.UIDS.start + 8):
            os.symlink(victim, locks / f"{uid}.lock")
    else:
        locks.mkdir(mode=0o700)
        chown(locks, STUDENT_UID) if attack == "another user's" else locks.chmod(0o777)
    code = ("import sys; from pathlib import Path; from grading import __main__, sandbox; "
            "sandbox.UID_LOCKS = Path(sys.argv[1]); sys.exit(__main__.main(sys.argv[2:]))")
    graded = subprocess.run(
        [sys.executable, "-c", code, locks, "autograde", _one_good_submission(released, tmp_path),
         "--course-dir", course, "-q"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert victim.read_text() == "precious" and not list(real.iterdir())
    if attack == "a lock a link":  # the folder is the grader's own: each submission says why
        assert "uid lock" in graded.stdout and "cannot be opened" in graded.stdout, graded.stdout
        return
    assert graded.returncode == 1, graded.stdout
    assert "refusing to use it" in graded.stderr or \
        "cannot be opened as a folder" in graded.stderr, graded.stderr
    assert not (course / "grading_status.json").exists()


@as_root
@pytest.mark.parametrize("attack", ["a link", "another user's", "readable by others"])
def test_the_grading_secret_must_be_the_graders_own_file(released, course, tmp_path, attack):
    secret = tmp_path / "secret"
    real = tmp_path / "real-secret"
    engine.load_secret(real)
    if attack == "a link":
        os.symlink(real, secret)
    else:
        shutil.copy(real, secret)
        chown(secret, STUDENT_UID) if attack == "another user's" else secret.chmod(0o644)
    graded = cli("autograde", _one_good_submission(released, tmp_path), "--course-dir", course,
                 "--secret", secret, "-q")
    assert graded.returncode == 1, graded.stdout
    assert f"the grading secret {secret}" in graded.stderr
    assert not (course / "grading_status.json").exists()


# ------------------------------------------------------------------ class data


def test_make_clean_removes_only_what_make_rebuilds(tmp_path):
    shutil.copy(REPO / "Makefile", tmp_path)
    kept = [tmp_path / "course" / "gradebook.db", tmp_path / "course" / "collected" / "a" / "x",
            tmp_path / "workspace" / NOTEBOOK, tmp_path / "grading" / "engine.py"]
    gone = [tmp_path / ".venv" / "bin" / "python", tmp_path / "x.egg-info" / "PKG-INFO",
            tmp_path / "grading" / "__pycache__" / "engine.pyc"]
    for path in kept + gone:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert all(path.exists() for path in kept)
    assert not any(path.exists() for path in gone)


def test_class_data_is_deleted_only_when_asked_and_named(course):
    (course / "collected" / "alice").mkdir(parents=True)
    (course / "collected" / "alice" / NOTEBOOK).write_text("{}")
    (course / "feedback" / "alice").mkdir(parents=True)
    (course / "grading_status.json").write_text("{}")
    data = ["collected", "feedback", "gradebook.db", "grading_status.json"]
    for answer in ("", "n\n", "maybe\n"):
        asked = cli("delete-class-data", "--course-dir", course, input=answer)
        assert asked.returncode == 1 and "nothing deleted" in asked.stdout
        assert "Delete all of this? [y/N]" in asked.stdout
        for name in data:
            assert name in asked.stdout and (course / name).exists()
    ok(cli("delete-class-data", "--course-dir", course, input="y\n"))
    assert not any((course / name).exists() for name in data)
    assert (course / "source").is_dir() and (course / "release").is_dir()
    assert "nothing to delete" in ok(cli("delete-class-data", "--course-dir", course, "--yes"))
    ok(cli("status", "--course-dir", course))
