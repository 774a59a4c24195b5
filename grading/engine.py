"""The grading engine: a submission's code in a sandbox, its checks judged here.

For one submission (:func:`grade`):

1. the learner's code cells are taken from the submission, leaving out every
   test cell (whatever its metadata says: cells are matched by grade id and by
   the release's test sources), so edited, deleted, duplicated or re-typed test
   cells change nothing but the learner's own code;
2. the sandbox (:mod:`grading.sandbox`) runs the cells, then, step by step,
   the running half of each check and hands back plain data: first on the
   visible cases; then, once those are judged, on hidden cases drawn from
   seeds derived from the instructor's secret, the student and the exercise
   (:func:`hidden_seeds`); last, for an exercise that uses one the learner got
   wrong (``Exercise.uses``), on its cases again with the grader's correct
   version in place of the learner's;
3. the judging half runs here, in the grader's own process, against the
   answers of the grader's key (:mod:`grading.answers`), which never enter the
   sandbox: monkeypatched builtins or numpy, rigged ``__eq__``, IPython hooks
   and printed fake results in the submission cannot reach it.

A message about a hidden case, or about a step with the grader's correct
versions in the sandbox, says what failed in the course's fixed words and
never the answer, the case's numbers or anything the learner's code returned.
An exercise scores its points when every case passes, else 0 with the check's
message; what could not be run scores 0 with the reason. :func:`grade_many`
grades a class on all cores.
"""
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course_utils import checks, i18n
from course_utils.checks import core

from . import answers as answers_key
from . import editions, sandbox

ENGINE_VERSION = "1"
HIDDEN_DRAWS = 2  # hidden seeds per exercise and student


@dataclass
class ExerciseResult:
    name: str
    points: int
    score: float
    message: str = ""  # the check's message, or why it could not be checked; "" when passed


@dataclass
class Graded:
    """What grading one submission gave: per exercise, and why the notebook as a whole failed."""
    chapter: str
    student: str
    exercises: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # the runner's report per learner cell
    failure: str = ""  # set when the notebook could not be run at all

    @property
    def score(self):
        return sum(result.score for result in self.exercises)

    @property
    def max_score(self):
        return sum(result.points for result in self.exercises)

    def to_dict(self):
        return asdict(self)


# ------------------------------------------------------------------ secret and seeds


def load_secret(path):
    """The instructor's grading secret at ``path``, created (mode 600) on first use.

    Read only from a regular file, not through a link, that belongs to this user
    and that nobody else may read or write; else :class:`~grading.base.GradingError`.
    """
    import stat

    from .base import GradingError

    path = Path(path).expanduser()
    if not os.path.lexists(path):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise GradingError(f"the grading secret {path} cannot be read ({error.strerror}); "
                           "is it a link? It must be a file of your own") from None
    with os.fdopen(descriptor, "rb") as secret:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() \
                or info.st_mode & 0o077:
            raise GradingError(f"the grading secret {path} must be a regular file of your own "
                               f"(uid {os.geteuid()}) that nobody else may read or write "
                               f"(chmod 600); it is {stat.filemode(info.st_mode)}, uid "
                               f"{info.st_uid}: refusing to use it")
        return secret.read(4096).strip()


def hidden_seeds(secret, chapter, exercise, student, draws=HIDDEN_DRAWS):
    """Seeds of one student's hidden cases: the same at every regrade, unguessable without the secret."""
    return [int.from_bytes(hmac.new(secret, f"{chapter}/{exercise}/{student}/{k}".encode(),
                                    hashlib.sha256).digest()[:6], "big")
            for k in range(draws)]


# ------------------------------------------------------------------ the learner's code


def learner_cells(submission, exercises, release_tests=()):
    """The code of the submission's cells that are not test cells, in order.

    A test cell is one with a test's grade id or a release test's source; the
    learner's own marks (a solution cell flagged graded) change nothing.
    """
    return [_source(cell) for cell in learner_code_cells(submission, exercises, release_tests)]


def learner_code_cells(submission, exercises, release_tests=()):
    """The cells whose code :func:`learner_cells` gives (the runner's reports follow them)."""
    test_ids = {exercise.test_id for exercise in exercises}
    release_tests = {source.strip() for source in release_tests}
    # Test cells are the course's, whatever the submission's metadata claims.
    return [cell for cell in submission.cells if cell.get("cell_type") == "code"
            and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in test_ids
            and _source(cell).strip() not in release_tests]


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


# ------------------------------------------------------------------ one submission


def grade(submission, chapter, student, secret, *, limits=sandbox.Limits(), isolation=None,
          release_tests=(), visible_only=False, check_data=None):
    """Grade one submission (an nbformat notebook) of ``chapter``; return :class:`Graded`.

    ``visible_only`` checks the visible cases alone, as a learner's self-check
    does; their answers then come from the check data in the folder
    ``check_data`` (the learner's notebook's), else from the grader's key.
    """
    with i18n.using(editions.language_of(submission)):  # the messages: in the notebook's own
        return _grade(submission, chapter, student, secret, limits, isolation, release_tests,
                      visible_only, check_data)


def _grade(submission, chapter, student, secret, limits, isolation, release_tests, visible_only,
           check_data):
    exercises = checks.exercises(chapter)
    graded = Graded(chapter, student)
    steps = _Steps(chapter, exercises, limits)
    try:
        with sandbox.session(limits, isolation) as box:
            reply = box.ask({"cells": learner_cells(submission, exercises, release_tests),
                             "cell_timeout": limits.cell_seconds,
                             "exercise_timeout": limits.exercise_seconds,
                             "call_timeout": limits.call_seconds})
            graded.cells = _cell_reports(reply.get("cells"))
            steps.run(box, student, secret, visible_only, check_data)
    except sandbox.SandboxError as problem:
        # A run that did not end: what was judged before it stopped does not count either.
        graded.failure = str(problem)
        steps.outcomes.clear()
    for exercise in exercises:
        outcome = steps.outcomes.get(exercise.name) or _Outcome(
            False, graded.failure or f"{exercise.name} could not be checked")
        graded.exercises.append(ExerciseResult(
            exercise.name, exercise.points, float(exercise.points) if outcome.passed else 0.0,
            outcome.message))
    return graded


@dataclass(frozen=True)
class _Outcome:
    passed: bool
    message: str = ""  # why not, or advice


def _cell_reports(cells):
    # What came out of the sandbox is data to check, not to trust.
    return [{"status": str(cell.get("status")), "error": str(cell.get("error", "")),
             **({"line": cell["line"]} if type(cell.get("line")) is int else {})}
            for cell in (cells if type(cells) is list else []) if type(cell) is dict]


class _Steps:
    """The steps of judging one submission in its running sandbox: ``outcomes[name]``."""

    def __init__(self, chapter, exercises, limits):
        self.chapter, self.limits = chapter, limits
        self.exercises = {exercise.name: exercise for exercise in exercises}
        self.outcomes = {}

    def run(self, box, student, secret, visible_only, check_data):
        self.box = box
        visible = {name: exercise.cases(None) for name, exercise in self.exercises.items()}
        answer = (answers_key.compute if check_data is None else
                  lambda exercise, cases: core.answers_for(exercise, cases, visible=True,
                                                           folder=check_data))
        self.outcomes.update(self.judge(visible, {name: answer(self.exercises[name], cases)
                                                  for name, cases in visible.items()}))
        hidden = {} if visible_only else {
            name: self.hidden_cases(name, student, secret)
            for name, outcome in self.outcomes.items() if outcome.passed}
        self.outcomes.update(self.judge(hidden, self.key_answers(hidden), hidden=True))
        self.with_stand_ins({name: group + ([] if visible_only else
                                            self.hidden_cases(name, student, secret))
                             for name, group in visible.items() if self.uses_wrong(name)})

    def hidden_cases(self, name, student, secret):
        return [case for seed in hidden_seeds(secret, self.chapter, name, student)
                for case in self.exercises[name].cases(seed)]

    def key_answers(self, cases):
        return {name: answers_key.compute(self.exercises[name], group)
                for name, group in cases.items()}

    def judge(self, cases, answers, hidden=False, stand_ins=None):
        """Observe ``cases`` ({name: cases}) in the sandbox; the :class:`_Outcome` of each."""
        if not cases:
            return {}
        stand_ins = stand_ins or {}
        reply = self.box.ask({"observe": [
            {"chapter": self.chapter, "name": name, "cases": core.dumps_plain(group),
             "stand_ins": stand_ins.get(name, {})} for name, group in cases.items()]})
        observed = reply.get("exercises") if type(reply.get("exercises")) is dict else {}
        return {name: self.verdict(self.exercises[name], observed.get(name), group,
                                   answers[name], hidden)
                for name, group in cases.items()}

    def verdict(self, exercise, outcome, cases, answers, hidden):
        name = exercise.name
        if not isinstance(outcome, dict):
            return _Outcome(False, f"{name} could not be checked: the notebook's run gave no "
                                   "result for it.")
        status = outcome.get("status")
        if status == "missing":
            return _Outcome(False, f"{exercise.subject} is not defined after running the "
                                   "notebook: is its cell still there, and does it run without "
                                   "an error?")
        if status == "timeout":
            return _Outcome(False, f"checking {name} was stopped after "
                                   f"{self.limits.exercise_seconds:g} s: does it loop forever?")
        if status != "observed":
            reason = "" if hidden else f": {str(outcome.get('reason', 'no reason given'))[:300]}"
            return _Outcome(False, f"checking {name} failed{reason}")
        try:
            observations = core.loads_plain(outcome["observations"])
        except (core.NotPlainData, KeyError):
            return _Outcome(False, f"{name} could not be checked: its results cannot be read")
        verdict = exercise.verdict(observations, cases, answers, hidden=hidden)
        return _Outcome(verdict.passed, verdict.message)

    def uses_wrong(self, name):
        """The learner's functions that the failing exercise ``name`` uses and that fail
        their own exercise (none if it passes)."""
        if self.outcomes[name].passed:
            return []
        return sorted({helper.subject for helper in self.exercises[name].uses
                       if not self.outcomes[helper.name].passed})

    def with_stand_ins(self, cases):
        """Judge ``cases`` again, with the grader's correct versions in place of the
        learner's functions that fail their own exercise (see :meth:`uses_wrong`)."""
        if not cases:
            return
        wrong = {name: self.uses_wrong(name) for name in cases}
        try:
            stand_ins = {name: answers_key.stand_ins(self.chapter, subjects)
                         for name, subjects in wrong.items()}
            answers = self.key_answers(cases)
        except answers_key.MissingKey:
            return  # a learner's self-check without the grader's key: no stand-ins
        for name, outcome in self.judge(cases, answers, True, stand_ins).items():
            if not outcome.passed and self.outcomes[name].message.startswith(
                    core.not_implemented(name)):
                continue
            names = " and ".join(wrong[name])
            one = len(wrong[name]) == 1
            note = (f"(Checked with a correct {names} in place of yours, which "
                    f"{'does' if one else 'do'} not pass {'its' if one else 'their'} own check.)")
            self.outcomes[name] = _Outcome(outcome.passed,
                                           "\n".join(filter(None, [outcome.message, note])))


# ------------------------------------------------------------------ a class


def grade_many(items, secret, *, jobs=None, limits=sandbox.Limits(), isolation=None,
               progress=None):
    """Grade ``items`` (dicts with notebook, chapter, student, release_tests) in parallel.

    Returns the :class:`Graded` results in the order of ``items``; they do
    not depend on ``jobs``. ``progress(done, total, graded)`` is called after each.
    """
    isolation = isolation or sandbox.detect()
    jobs = max(1, jobs or os.cpu_count() or 1)

    def one(item):
        return grade(item["notebook"], item["chapter"], item["student"], secret, limits=limits,
                     isolation=isolation, release_tests=item.get("release_tests", ()))

    results, done = [None] * len(items), 0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(one, item): index for index, item in enumerate(items)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            done += 1
            if progress:
                progress(done, len(items), results[index])
    return results


# ------------------------------------------------------------------ audit


def fingerprint(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def checks_fingerprint(chapter, source_notebook):
    """A hash of everything the checks of ``chapter`` are made of."""
    package = Path(core.__file__).resolve().parent.parent
    files = sorted(package.rglob("*.py")) + [Path(source_notebook),
                                             Path(sandbox.__file__), Path(sandbox.RUNNER),
                                             Path(__file__)]
    return fingerprint(ENGINE_VERSION, chapter, *(path.read_bytes() for path in files))


def config_fingerprint(limits, secret):
    """A hash of the limits and the secret (never the secret itself)."""
    return fingerprint(sorted(asdict(limits).items()), hashlib.sha256(secret).hexdigest())
