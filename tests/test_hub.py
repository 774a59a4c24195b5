"""A class on JupyterHub, start to end, on this machine: deploy/hub/hub.py as the README runs it.

One ``hub.py up`` (as root, with the system's Python) sets up an instructor
and three students as system users, the shared environment, the course and
the hub. Then, over HTTP only, as each person would: the instructor releases
chapter 2 through the formgrader's API; each student logs in with their
password, starts their server, fetches the chapter through the assignment
list's API, writes their answers through the contents API (one correct, one
with a bug, one blank) and submits; the grader account (the formgrader's
terminal) collects, autogrades with the project's engine and writes feedback;
the instructor releases the feedback through the formgrader's API; each
student fetches it. Around that, what must not work: a student opening
another's server or the formgrader, or reading another's submission, the
course or the grading secret. ``hub.py remove`` deletes the users,
environment and processes at the end.
"""
import csv
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import requests

from course_utils import checks
from test_grading_chapters import _reference_solutions

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "deploy" / "hub" / "hub.py"
COURSE = "pytorch-practice-course"
CHAPTER = "02_linear_model"
SYSTEM_PYTHON = "/usr/bin/python3"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0 or not Path(SYSTEM_PYTHON).exists(),
    reason="a class on JupyterHub creates system users: Linux, as root, with /usr/bin/python3 "
           "(CI runs it)")


def _process_owners():
    """The uids that own a process now."""
    owners = set()
    for path in Path("/proc").iterdir():
        if not path.name.isdigit():
            continue
        try:
            owners.add(path.stat().st_uid)
        except FileNotFoundError:  # it ended meanwhile
            pass
    return owners


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def hub(*args, timeout=900):
    result = subprocess.run([SYSTEM_PYTHON, str(HUB), *map(str, args)], capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def as_user(name, code, python=SYSTEM_PYTHON):
    """What ``code`` (Python, printing JSON) prints when run as the system user ``name``."""
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                            user=name, group=name, extra_groups=[], cwd="/", timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class Person:
    """A user of the hub over HTTP: logged in with their password, then with an API token."""

    def __init__(self, base, name, password):
        self.base, self.name = base, name
        session = requests.Session()
        session.get(f"{base}/hub/login", timeout=30)
        login = session.post(f"{base}/hub/login", allow_redirects=False, timeout=30, data={
            "username": name, "password": password, "_xsrf": session.cookies["_xsrf"]})
        assert login.status_code == 302 and "login" not in login.headers["location"], login.text
        token = session.post(f"{base}/hub/api/users/{name}/tokens", json={"note": "test"},
                             headers={"X-XSRFToken": session.cookies["_xsrf"]}, timeout=30)
        assert token.status_code == 201, token.text
        self.headers = {"Authorization": f"token {token.json()['token']}"}

    def request(self, method, path, **kwargs):
        return requests.request(method, self.base + path, headers=self.headers, timeout=120,
                                **kwargs)

    def ok(self, method, path, **kwargs):
        response = self.request(method, path, **kwargs)
        assert response.ok, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content else None

    def start_server(self):
        response = self.request("POST", f"/hub/api/users/{self.name}/server")
        assert response.status_code in (201, 202), response.text
        for _ in range(240):
            if self.ok("GET", f"/hub/api/users/{self.name}")["servers"].get("", {}).get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{self.name}'s server did not start")

    def assignments(self, action, **data):
        """The assignment list's API on this user's server; its JSON answer, checked."""
        answer = self.ok("POST", f"/user/{self.name}/assignments/{action}",
                         data={"course_id": COURSE, "assignment_id": CHAPTER, **data})
        assert answer["success"], answer
        return answer

    def formgrader(self, action):
        answer = self.ok("POST", f"/services/{COURSE}/formgrader/api/assignment/{CHAPTER}/{action}")
        assert answer["success"], answer
        return answer

    def contents(self, path):
        return self.ok("GET", f"/user/{self.name}/api/contents/{path}?content=1")


def grade(klass, *args):
    """``python -m grading ARGS`` as the grader account, as in the formgrader's terminal."""
    result = subprocess.run([SYSTEM_PYTHON, str(HUB), "grader", "--prefix", str(klass.prefix),
                             "python", "-m", "grading", *map(str, args)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


def _answers(kind):
    """The grade-id → code of what a student writes: all correct, a bug in mse, or nothing."""
    reference = _reference_solutions(CHAPTER)
    if kind == "correct":
        return reference
    if kind == "bug":  # sums instead of averaging: costs exactly mse's points
        return {**reference, "sol_mse": reference["sol_mse"].replace("np.mean(", "np.sum(")}
    return {}


POINTS = {exercise.name: exercise.points for exercise in checks.exercises(CHAPTER)}
TOTAL = sum(POINTS.values())
EXPECTED = {"correct": TOTAL, "bug": TOTAL - POINTS["mse"], "blank": 0}


@pytest.fixture(scope="module")
def klass():
    root = Path(tempfile.mkdtemp(prefix="pytorch-practice-hub-", dir="/tmp"))
    root.chmod(0o755)
    tag = secrets.token_hex(2)
    names = {"instructor": f"pp{tag}-teacher", "correct": f"pp{tag}-alice",
             "bug": f"pp{tag}-bob", "blank": f"pp{tag}-carol"}
    (root / "class.txt").write_text(f"# the test's class\n{names['instructor']} instructor\n"
                                    + "".join(f"{names[kind]}\n" for kind in EXPECTED))
    port, hub_port, api_port, formgrader_port = free_ports(4)
    state, prefix, exchange = root / "state", root / "prefix", root / "exchange"
    try:
        started = time.monotonic()
        up = ["up", root / "class.txt", "--prefix", prefix, "--state", state, "--exchange",
              exchange, "--grader", f"pp{tag}-grader", "--ip", "127.0.0.1", "--port", port,
              "--hub-port", hub_port, "--proxy-api-port", api_port,
              "--formgrader-port", formgrader_port, "--background"]
        hub(*up)
        print(f"hub.py up: {time.monotonic() - started:.0f} s")
        passwords = dict(line.split() for line in (state / "passwords.txt").read_text().splitlines())
        yield SimpleNamespace(
            base=f"http://127.0.0.1:{port}", names=names, passwords=passwords, root=root, up=up,
            prefix=prefix, state=state, exchange=exchange, grader=f"pp{tag}-grader",
            settings=json.loads((prefix / "etc" / "class.json").read_text()),
            uids={name: pwd.getpwnam(name).pw_uid for name in [*names.values(), f"pp{tag}-grader"]})
    finally:
        subprocess.run([SYSTEM_PYTHON, str(HUB), "remove", "--yes", "--state", state],
                       capture_output=True, timeout=300)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def run(klass):
    """The class, start to end; what each student got back."""
    started = time.monotonic()
    people = {kind: Person(klass.base, name, klass.passwords[name])
              for kind, name in klass.names.items()}
    teacher = people["instructor"]
    teacher.formgrader("assign")
    teacher.formgrader("release")

    submitted = {}
    for kind in EXPECTED:
        student = people[kind]
        student.start_server()
        listed = student.ok("GET", f"/user/{student.name}/assignments?course_id={COURSE}")
        assert [item["assignment_id"] for item in listed["value"]] == [CHAPTER], listed
        student.assignments("fetch")
        path = f"{CHAPTER}/{CHAPTER}.ipynb"
        notebook = nbformat.from_dict(student.contents(path)["content"])
        answers = _answers(kind)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        student.ok("PUT", f"/user/{student.name}/api/contents/{path}",
                   json={"type": "notebook", "format": "json", "content": notebook})
        student.assignments("submit")
        submitted[kind] = notebook

    # Bob hands in a blank notebook in Alice's name, later than hers.
    inbound = klass.exchange / COURSE / "inbound"
    alices, = [path.name for path in inbound.iterdir()
               if path.name.startswith(klass.names["correct"] + "+")]
    student, chapter, _, _ = alices.split("+")
    forged = inbound / f"{student}+{chapter}+2099-01-01 00:00:00.000000 UTC+forged"
    blank = klass.exchange / COURSE / "outbound" / CHAPTER / f"{CHAPTER}.ipynb"
    as_user(klass.names["bug"], f"import json, os, shutil\nos.mkdir({str(forged)!r})\n"
                                f"shutil.copyfile({str(blank)!r}, {str(forged / blank.name)!r})\n"
                                "print(json.dumps('forged'))")
    # Carol hands in again, as herself, with a time before the others' in the folder's
    # name; and tries to make an `inbound` of her own in the exchange's root.
    carols, = [path for path in inbound.iterdir()
               if path.name.startswith(klass.names["blank"] + "+")]
    early = inbound / f"{klass.names['blank']}+{CHAPTER}+2020-01-01 00:00:00.000000 UTC+early"
    early_written = datetime.now(timezone.utc)
    in_root = as_user(klass.names["blank"], (
        "import json, os, shutil\n"
        f"os.mkdir({str(early)!r})\n"
        f"for name in [{CHAPTER + '.ipynb'!r}, 'submission_secret.txt']:\n"
        f"    shutil.copyfile(os.path.join({str(carols)!r}, name), "
        f"os.path.join({str(early)!r}, name))\n"
        "try:\n"
        f"    os.mkdir({str(klass.exchange / 'inbound')!r})\n"
        "    print(json.dumps('made'))\n"
        "except PermissionError:\n"
        "    print(json.dumps('refused'))\n"))

    collected = grade(klass, "collect", klass.exchange)
    for step in (["autograde"], ["feedback"], ["export", f"/home/{klass.grader}/grades.csv"]):
        grade(klass, *step)
    teacher.formgrader("release_feedback")

    pages = {}
    for kind in EXPECTED:
        student = people[kind]
        student.assignments("fetch_feedback")
        feedback, = student.contents(f"{CHAPTER}/feedback")["content"]
        page, = student.contents(feedback["path"])["content"]
        pages[kind] = student.contents(page["path"])["content"]
    print(f"the class, from release to feedback: {time.monotonic() - started:.0f} s")
    return SimpleNamespace(people=people, pages=pages, submitted=submitted, collected=collected,
                           early_written=early_written, in_root=in_root)


def test_each_student_gets_their_score_back_as_feedback(klass, run):
    for kind, points in EXPECTED.items():
        page = run.pages[kind]
        assert CHAPTER in page
        assert re.search(rf"\b{points:g}(\.0)?\s*/\s*{TOTAL:g}\b", page), (kind, page[:2000])
    # The bug costs mse and says so; the blank notebook's page names what is missing.
    assert "mse" in run.pages["bug"]


def test_a_submission_in_another_students_name_is_refused(klass, run):
    # Alice's 10 (above) stands; collect says why the forgery was not taken.
    assert f"made by {klass.names['bug']}, not by {klass.names['correct']}" in run.collected, \
        run.collected


def test_a_time_in_a_folders_name_does_not_make_a_submission_earlier(klass, run):
    """Carol's second folder says 2020: it counts from when she wrote it."""
    manifest = json.loads((Path(klass.settings["course_dir"]) / "collected" /
                           "collection.json").read_text())
    carol = manifest["submissions"][klass.names["blank"]][CHAPTER]
    assert "+early" in carol["origin"], carol  # her latest, as she wrote it last
    submitted_at = datetime.fromisoformat(carol["submitted_at"])
    assert submitted_at >= run.early_written - timedelta(seconds=2), carol


def test_no_student_can_create_anything_in_the_exchanges_root(klass, run):
    """Else an `inbound` of a student's, beside the course's folder, could be what is read."""
    assert run.in_root == "refused"
    info = klass.exchange.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o755)


def test_the_gradebook_export_has_the_expected_scores(klass, run):
    rows = csv.DictReader(Path(f"/home/{klass.grader}/grades.csv").read_text().splitlines())
    scores = {row["student_id"]: float(row["assignment_score"]) for row in rows
              if row["assignment"] == CHAPTER}
    assert scores == {klass.names[kind]: points for kind, points in EXPECTED.items()}


def test_the_formgraders_autograde_button_runs_no_student_code(klass, run):
    teacher, alice = run.people["instructor"], run.people["correct"]
    answer = teacher.ok("POST", f"/services/{COURSE}/formgrader/api/submission/{CHAPTER}/"
                                f"{alice.name}/autograde")
    assert not answer["success"], answer
    assert "Grade with `python -m grading autograde`" in answer["log"], answer["log"]
    # It removed alice's autograded copy: the next `grading autograde` grades her again.
    grade(klass, "autograde")
    submission = teacher.ok("GET", f"/services/{COURSE}/formgrader/api/submission/{CHAPTER}/"
                                   f"{alice.name}")
    assert submission["autograded"] and submission["score"] == EXPECTED["correct"], submission


def test_a_student_cannot_open_another_students_server_or_the_formgrader(klass, run):
    alice, bob = run.people["correct"], run.people["bug"]
    assert alice.request("GET", f"/user/{bob.name}/api/contents").status_code == 403
    assert alice.request("GET", f"/user/{bob.name}/assignments?course_id={COURSE}"
                         ).status_code == 403
    assert alice.request("GET", f"/services/{COURSE}/formgrader/api/assignments"
                         ).status_code == 403
    assert alice.request("GET", f"/user/{alice.name}/api/contents").status_code == 200


def test_students_lab_is_the_learners_lab(klass, run):
    alice = run.people["correct"]
    # no instructor tools in a student's server, and no news or update checks
    assert alice.request("GET", f"/user/{alice.name}/formgrader").status_code == 404
    setting = alice.ok("GET", f"/user/{alice.name}/lab/api/settings/"
                              "@jupyterlab/apputils-extension:notification")
    defaults = {name: value["default"] for name, value in setting["schema"]["properties"].items()}
    assert defaults["checkForUpdates"] is False and defaults["fetchNews"] == "false"
    # the widgets' and nbgrader's lab extensions, nbgrader's instructor plugins off
    page = alice.request("GET", f"/user/{alice.name}/lab").text
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">'
                                  r"(.*?)</script>", page, re.S)[1])
    extensions = {extension["name"] for extension in config["federated_extensions"]}
    assert {"@jupyter-widgets/jupyterlab-manager", "@jupyter/nbgrader"} <= extensions
    assert "@jupyter/nbgrader:formgrader" in config["disabledExtensions"]


def test_validate_runs_the_courses_checks_in_the_students_own_server(klass, run):
    path = f"{CHAPTER}/{CHAPTER}.ipynb"
    alice, carol = run.people["correct"], run.people["blank"]
    passed = alice.ok("POST", f"/user/{alice.name}/assignments/validate", data={"path": path})
    assert passed["success"] and "failed" not in passed["value"], passed
    failed = carol.ok("POST", f"/user/{carol.name}/assignments/validate", data={"path": path})
    assert failed["success"] and failed["value"]["failed"], failed
    # the course's message, not a traceback into course_utils
    assert "not implemented yet" in json.dumps(failed["value"]), failed


def test_students_cannot_read_each_others_work_the_course_or_the_secret(klass, run):
    inbound = klass.exchange / COURSE / "inbound"
    bobs = [path for path in inbound.iterdir() if path.name.startswith(klass.names["bug"] + "+")]
    assert bobs, "bob's submission is in the exchange"
    targets = {
        "inbound listing": str(inbound),
        "bob's submission": str(bobs[0] / f"{CHAPTER}.ipynb"),
        "bob's home": f"/home/{klass.names['bug']}/{CHAPTER}/{CHAPTER}.ipynb",
        "the course": f"/home/{klass.grader}/course/gradebook.db",
        "the source notebooks": f"/home/{klass.grader}/notebooks/{CHAPTER}.ipynb",
        "the grading secret": f"/home/{klass.grader}/.config/pytorch-practice/grading-secret",
        "the answer keys": f"/home/{klass.grader}/keys/ch02.py",
        "the hub's state": str(klass.state / "jupyterhub.sqlite"),
    }
    for path in targets.values():
        assert Path(path).exists(), path
    code = ("import json, os\n"
            f"targets = {targets!r}\n"
            "result = {}\n"
            "for what, path in targets.items():\n"
            "    try:\n"
            "        os.listdir(path) if os.path.isdir(path) else open(path, 'rb').read(1)\n"
            "        result[what] = 'read'\n"
            "    except PermissionError:\n"
            "        result[what] = 'refused'\n"
            "print(json.dumps(result))\n")
    assert as_user(klass.names["correct"], code) == {what: "refused" for what in targets}
    # while the grader, who collected it, could read bob's submission
    grader = as_user(klass.grader, code)
    assert grader["bob's submission"] == "read" and grader["the grading secret"] == "read"
    assert grader["the answer keys"] == "read"
    # The shared environment has no answer key: a student's Python finds none.
    keys = ("import json\nfrom grading import answers\ntry:\n"
            "    answers.key('02_linear_model'); found = 'found'\n"
            "except answers.MissingKey:\n    found = 'missing'\nprint(json.dumps(found))\n")
    assert as_user(klass.names["correct"], keys,
                   python=klass.prefix / "venv" / "bin" / "python") == "missing"


def test_each_students_server_runs_as_that_student(klass, run):
    for kind in EXPECTED:
        assert subprocess.run(["pgrep", "-u", klass.names[kind], "-f", "jupyterhub-singleuser"],
                              capture_output=True).returncode == 0, kind
    formgrader = subprocess.run(["pgrep", "-u", klass.grader, "-f", "jupyterhub-singleuser"],
                                capture_output=True)
    assert formgrader.returncode == 0


def test_up_again_restarts_the_hub_and_keeps_the_class(klass, run):
    output = hub(*klass.up)
    assert "restarting the hub" in output
    assert "installing" not in output and "releasing" not in output
    passwords = dict(line.split()
                     for line in (klass.state / "passwords.txt").read_text().splitlines())
    assert passwords == klass.passwords  # nobody's password changed
    teacher = Person(klass.base, klass.names["instructor"], passwords[klass.names["instructor"]])
    assignments = teacher.ok("GET", f"/services/{COURSE}/formgrader/api/assignments")
    chapter, = [item for item in assignments if item["name"] == CHAPTER]
    assert chapter["num_submissions"] == len(EXPECTED)


def test_remove_leaves_no_user_process_or_file_behind(klass, run):
    names = [*klass.names.values(), klass.grader]
    hub("remove", "--yes", "--state", klass.state)
    for name in names:
        assert subprocess.run(["id", name], capture_output=True).returncode != 0, name
        assert not Path(f"/home/{name}").exists()
    assert not set(klass.uids.values()) & _process_owners()
    for path in (klass.prefix, klass.state, klass.exchange / COURSE):
        assert not path.exists(), path
    with pytest.raises(requests.ConnectionError):
        requests.get(klass.base, timeout=5)
