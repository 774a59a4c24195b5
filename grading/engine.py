"""The grading engine: a submission's code in a sandbox, its checks judged here.

For one submission (:func:`grade`):

1. the learner's code cells are taken from the submission, leaving out every
   test cell (whatever its metadata says: cells are matched by grade id and by
   the release's test sources), so edited, deleted, duplicated or re-typed test
   cells change nothing but the learner's own code;
2. the cases of each exercise come from the course's checks module: the
   visible ones and hidden ones drawn from seeds derived from the
   instructor's secret, the student and the exercise (:func:`hidden_seeds`);
3. the sandbox (:mod:`grading.sandbox`) runs the cells and the running half of
   each check on those inputs and hands back plain data;
4. the judging half runs here, in the grader's own process, on that data
   only: monkeypatched builtins or numpy, rigged ``__eq__``, IPython hooks and
   printed fake results in the submission cannot reach it.

An exercise scores its points when every case passes, else 0 with the
check's message; what could not be run scores 0 with the reason.
:func:`grade_many` grades a class on all cores.
"""
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course_utils import checks
from course_utils.checks import core

from . import sandbox

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
    test_ids = {exercise.test_id for exercise in exercises}
    release_tests = {source.strip() for source in release_tests}
    code = []
    for cell in submission.cells:
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        # Test cells are the course's, whatever the submission's metadata claims.
        if meta.get("grade_id") in test_ids or source.strip() in release_tests:
            continue
        code.append(source)
    return code


# ------------------------------------------------------------------ one submission


def grade(submission, chapter, student, secret, *, limits=sandbox.Limits(), isolation=None,
          release_tests=(), visible_only=False):
    """Grade one submission (an nbformat notebook) of ``chapter``; return :class:`Graded`.

    ``visible_only`` checks the visible cases alone, as a learner's
    self-check does.
    """
    exercises = checks.exercises(chapter)
    groups = {exercise.name: [None] + ([] if visible_only else
                                       hidden_seeds(secret, chapter, exercise.name, student))
              for exercise in exercises}
    cases = {exercise.name: [exercise.cases(seed) for seed in groups[exercise.name]]
             for exercise in exercises}
    job = {"cells": learner_cells(submission, exercises, release_tests),
           "exercises": [{"chapter": chapter, "name": exercise.name,
                          "cases": core.dumps_plain([case for group in cases[exercise.name]
                                                     for case in group])}
                         for exercise in exercises],
           "cell_timeout": limits.cell_seconds, "exercise_timeout": limits.exercise_seconds,
           "call_timeout": limits.call_seconds}
    graded = Graded(chapter, student)
    try:
        results = sandbox.run(job, limits, isolation)
        if type(results) is not dict or type(results.get("exercises")) is not dict:
            raise sandbox.SandboxError("the notebook's run gave unreadable results")
    except sandbox.SandboxError as problem:
        graded.failure = str(problem)
        graded.exercises = [ExerciseResult(e.name, e.points, 0.0, graded.failure)
                            for e in exercises]
        return graded
    cells, observed = results.get("cells"), results["exercises"]
    # What came out of the sandbox is data to check, not to trust.
    graded.cells = [{"status": str(cell.get("status")), "error": str(cell.get("error", ""))}
                    for cell in (cells if type(cells) is list else []) if type(cell) is dict]
    for exercise in exercises:
        message = _judge(exercise, observed.get(exercise.name), groups[exercise.name],
                         cases[exercise.name], limits)
        graded.exercises.append(ExerciseResult(exercise.name, exercise.points,
                                               0.0 if message else float(exercise.points),
                                               message))
    return graded


def _judge(exercise, outcome, seeds, case_groups, limits):
    """The failure message for ``exercise``, or "" when every case passes."""
    name = exercise.name
    if not isinstance(outcome, dict):
        return f"{name} could not be checked: the notebook's run gave no result for it."
    status = outcome.get("status")
    if status == "missing":
        return (f"{name} is not defined after running the notebook: is its cell still there, "
                "and does it run without an error?")
    if status == "timeout":
        return (f"checking {name} was stopped after {limits.exercise_seconds:g} s: "
                "does it loop forever?")
    if status != "observed":
        return f"checking {name} failed: {outcome.get('reason', 'no reason given')}"
    try:
        observations = core.loads_plain(outcome["observations"])
    except (core.NotPlainData, KeyError) as problem:
        return f"{name} could not be checked: {problem}"
    if type(observations) is not list:
        return f"{name} could not be checked: the results are not a list"
    start = 0
    for seed, group in zip(seeds, case_groups):
        verdict = exercise.verdict(observations[start:start + len(group)], seed)
        start += len(group)
        if not verdict.passed:
            return verdict.message if seed is None else f"On hidden data: {verdict.message}"
    return ""


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
