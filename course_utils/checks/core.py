"""The shared core of the checks: exercises, the running half, the judging half.

An :class:`Exercise` is declared once, in its chapter's module
(``course_utils/checks/ch02.py`` …), and read by the notebook's test cells,
the grader and the test suite. Checking it has two halves:

* **running** (:meth:`Exercise.observe`) calls the learner's code on the
  exercise's cases and records what happened as *plain data* only: numbers,
  strings, ``None``, lists, tuples, dicts and plain numpy arrays, the
  exception raised, and observations such as "an input was changed in place";
* **judging** (:meth:`Exercise.verdict`) compares that data with the case's
  **answer**, plain data too: what a correct solution gives and what the
  typical bugs give. It never calls learner code, and refuses anything that is
  not plain data (an object with a rigged ``__eq__``, a numpy subclass).

**The answers stay with the grader.** Nothing here computes one: the grader's
answer keys (``grading/keys/chNN.py``, never handed to students) compute them
for any case. The release writes the answers of the *visible* cases into
``.checks/<chapter>.json`` beside the learner's notebook, and the notebook's
test cells judge from that file in the learner's kernel; hidden cases are
judged by the grader alone, and their messages say what failed, never the
answer, the hidden input or anything the learner's code put in its result.

What is observed inside the learner's process (in-place changes, how many
lines ran) can be forged by that process, so it is advice in a message, never
a reason to fail.

Cases are plain data too, drawn from a seed: ``cases(None)`` gives the
visible cases, the lecture's data; ``cases(seed)`` hidden ones the learner
never sees.
"""
import builtins
import contextlib
import hashlib
import io
import os
import re
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = ["CheckFailed", "Exercise", "Fail", "MissingAnswers", "Opaque", "Verdict", "answers_for",
           "call", "declare", "ensure_plain", "NotPlainData", "to_plain"]


class CheckFailed(AssertionError):
    """A learner's answer is wrong; the message says how.

    An ``AssertionError``, so nbgrader counts the test cell as failed. In
    IPython it shows as its message alone, without a traceback into
    ``course_utils``.
    """

    def __init__(self, message, exercise=None):
        super().__init__(message)
        self.exercise = exercise

    def _render_traceback_(self):
        lines = str(self).splitlines() or [""]
        head = f"✗ {self.exercise}: " if self.exercise else "✗ "
        return ["\x1b[1;31m" + head + lines[0] + "\x1b[0m", *("  " + line for line in lines[1:])]


class NotPlainData(TypeError):
    """Judging was handed something other than plain data."""


@dataclass(frozen=True)
class Opaque:
    """Stands for a value that is not plain data: its type's name and a short text."""
    type_name: str
    text: str = ""


@dataclass(frozen=True)
class Verdict:
    """The result of judging one exercise on one set of cases."""
    exercise: str
    passed: bool
    checks: int  # cases judged, the failing one included
    message: str = ""


_SCALARS = (type(None), bool, int, float, complex, str)
_NUMPY_SCALARS = tuple({np.dtype(code).type for code in "?bhilqBHILQefdgFDG"})
MAX_ELEMENTS = 10_000_000


def to_plain(value, depth=0):
    """``value`` as plain data (running half): what judging may look at.

    Numbers become Python numbers (numpy's and subclasses of ``float`` and
    ``int`` too: their stored value); containers must be of the exact types,
    so a subclass of a tuple or of ``np.ndarray`` becomes an :class:`Opaque`,
    as does anything else.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind in _NUMPY_SCALARS:
        return value.item()
    # A number of a subclass (np.float64 is one of float) is its stored number: read with
    # float's and int's own methods, so that a subclass's overrides play no part.
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value)
    if depth > 20:
        return Opaque(kind.__name__, "nested too deeply")
    if kind is np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.fields is not None:
            return Opaque("ndarray", f"an array of dtype {value.dtype}")
        if value.size > MAX_ELEMENTS:
            return Opaque("ndarray", f"an array of {value.size} elements")
        return np.array(value, copy=True, order="C")
    if kind in (list, tuple):
        if len(value) > MAX_ELEMENTS:
            return Opaque(kind.__name__, f"{len(value)} items")
        return kind(to_plain(item, depth + 1) for item in value)
    if kind is dict:
        return {str(key): to_plain(item, depth + 1) for key, item in value.items()}
    return Opaque(kind.__name__, _short_repr(value))


def _short_repr(value):
    try:
        text = repr(value)
    except Exception:  # a learner's __repr__ may raise; the type name still says enough
        return ""
    return text if len(text) <= 80 else text[:77] + "..."


def ensure_plain(value, depth=0):
    """Return ``value`` if it is plain data (judging half), else raise :class:`NotPlainData`."""
    kind = type(value)
    if kind in _SCALARS or kind is Opaque:
        return value
    if depth > 40:
        raise NotPlainData("nested too deeply")
    if kind is np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.fields is not None:
            raise NotPlainData(f"an array of dtype {value.dtype}")
        return value
    if kind in (list, tuple):
        for item in value:
            ensure_plain(item, depth + 1)
        return value
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise NotPlainData(f"a dict key of type {type(key).__name__}")
            ensure_plain(item, depth + 1)
        return value
    raise NotPlainData(f"a value of type {kind.__name__}")


def _snapshot(value):
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) in (list, tuple):
        return [_snapshot(item) for item in value]
    return None


def _unchanged(value, snapshot):
    if snapshot is None:
        return True
    if type(value) is np.ndarray:
        return value.shape == snapshot.shape and np.array_equal(value, snapshot, equal_nan=True)
    return len(value) == len(snapshot) and all(
        _unchanged(item, shot) for item, shot in zip(value, snapshot))


# How long one call of learner code may run before the check stops it and
# says so; a grader sets its own limit.
CALL_SECONDS = 5.0
TIMED_OUT = "CallTimeout"


class CallTimeout(BaseException):
    """Learner code ran past :data:`CALL_SECONDS` (a BaseException: `except Exception`
    in learner code does not swallow it)."""


def _on_alarm(signum, frame):
    raise CallTimeout()


@contextlib.contextmanager
def time_limit(seconds):
    """Stop the code inside after ``seconds`` with :class:`CallTimeout` (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not seconds:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call(fn, *args, **kwargs):
    """Call learner code (running half); return what happened as plain data.

    ``{"value": …}`` or ``{"error": {"type": …, "message": …}}``, plus
    ``"changed"``: the positions of the array arguments changed in place.
    A call still running after :data:`CALL_SECONDS` is stopped and recorded
    as an error of type ``CallTimeout``. The learner's prints are kept out of
    the test cell's output.
    """
    snapshots = [_snapshot(arg) for arg in args]
    outcome = {}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            with time_limit(CALL_SECONDS):
                value = fn(*args, **kwargs)
        except CallTimeout:
            outcome["error"] = {"type": TIMED_OUT,
                                "message": f"still running after {CALL_SECONDS:g} s"}
        except (Exception, SystemExit) as error:  # any bug in learner code becomes a message
            outcome["error"] = {"type": type(error).__name__,
                                "message": _message_of(error)}
        else:
            outcome["value"] = to_plain(value)
    outcome["changed"] = [i for i, (arg, shot) in enumerate(zip(args, snapshots))
                          if not _unchanged(arg, shot)]
    return outcome


def _message_of(error):
    try:
        text = str(error)
    except Exception:  # a learner's exception with a broken __str__
        text = ""
    return text if len(text) <= 500 else text[:497] + "..."


def count_lines(fn, *args):
    """How many lines of Python run during ``fn(*args)`` (running half).

    A loop over grid points runs its body once per point, so the count grows
    with the grid; vectorised numpy code runs the same lines whatever the size.
    The learner's process can switch the count off, so it only ever gives advice.
    A debugger's tracer, if any, comes back afterwards.
    """
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            with time_limit(CALL_SECONDS):
                fn(*args)
    except (Exception, SystemExit, CallTimeout):
        return None
    finally:
        sys.settrace(previous)
    return count


@contextlib.contextmanager
def helpers_in_place(subject, replacements):
    """Run ``subject`` with ``replacements`` (name -> object) in place of the learner's
    objects of those names in its module's namespace; the learner's are back afterwards.

    The grader uses it with correct versions of exercises the learner got wrong
    (its stand-ins, sent into the sandbox after those exercises were judged), so
    that a bug costs only the exercise it is in.
    """
    namespace = getattr(subject, "__globals__", None)
    if namespace is None or not replacements:
        yield
        return
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


# ------------------------------------------------------------------ judging helpers


def show(value):
    """A short printable form of a number or array for messages."""
    if type(value) is Opaque:
        return f"a {value.type_name}"
    if type(value) in (float, int, bool, np.float64):
        return repr(float(value)) if type(value) is not bool else repr(value)
    try:
        return np.array2string(np.asarray(value), precision=10, threshold=8, separator=", ")
    except Exception:  # plain data always prints; this only guards odd nesting
        return repr(value)


def describe(value):
    """What a returned value is, in words: "a list", "None", "an array of shape (3,)"."""
    kind = type(value)
    if value is None:
        return "None"
    if kind is Opaque:
        return f"a {value.type_name}" + (f" ({value.text})" if value.text else "")
    if kind is np.ndarray:
        return f"an array of shape {value.shape}"
    if kind in (list, tuple):
        return f"a {kind.__name__} of length {len(value)}"
    return f"a {kind.__name__}"


_BROADCAST = re.compile(r"operands could not be broadcast together with shapes? (.+)$")


def error_hint(error, broadcast_hint=""):
    """A likely cause of a learner's exception, from its type and message: fixed words,
    never a part of the message itself (so a hidden case may show it too)."""
    kind, message = error["type"], error["message"]
    if kind == TIMED_OUT:
        return ("it never returned: is there a loop whose condition never changes, or a "
                "function that calls itself forever?")
    if kind == "ValueError" and _BROADCAST.search(message):
        return ("these arrays do not broadcast against each other. " + broadcast_hint).strip()
    if "bitwise_xor" in message or "for ^:" in message:
        return "`^` is XOR in Python, not a power: write `**`, e.g. `(y_hat - y) ** 2`."
    if kind == "TypeError" and "object is not iterable" in message:
        return ("a loop or list comprehension over a single number: the argument can be a "
                "number as well as an array, so compute with numpy arithmetic (`x * w`), "
                "which works for both.")
    if kind == "TypeError" and "can't multiply sequence" in message:
        return ("a Python list times a number: turn it into an array first "
                "(`np.asarray`) or compute on the arrays directly.")
    if kind == "TypeError" and re.search(r"unsupported operand type\(s\) for .+'list'", message):
        return "arithmetic on a Python list: compute on numpy arrays instead."
    if kind == "TypeError" and "unexpected keyword argument" in message:
        return ("the notebook calls this function with keywords, by the names of the signature "
                "given (such as `seed=0`): keep the parameters' names as the signature has them.")
    if kind == "TypeError" and "NoneType" in message:
        return "a function returned None: is a `return` statement missing?"
    if kind == "NameError":
        return ("a name is not defined where the function runs: if it is a variable of the "
                "notebook, pass it in as an argument; if it is a function, run its cell.")
    if kind == "IndexError":
        return "an index past the end of an array: check the loop's range and the array's shape."
    return ""


# Exception types a hidden case's message may name: Python's own, which tell nothing
# of the case (a learner's own class could carry anything in its name).
_PYTHON_ERRORS = frozenset(name for name, value in vars(builtins).items()
                           if isinstance(value, type) and issubclass(value, BaseException))


def error_kind(error):
    """The exception's type for a hidden case's message: Python's own names only."""
    kind = error.get("type") if type(error) is dict else None
    if kind == TIMED_OUT:
        return "no result in time"
    return kind if kind in _PYTHON_ERRORS else "an exception"


def not_implemented(name):
    return (f"{name} is not implemented yet: replace `raise NotImplementedError()` "
            "with your code and run its cell.")


def raised(call_text, error, name, broadcast_hint=""):
    """The :class:`Fail` for a call that raised ``error`` (plain data from :func:`call`)."""
    if error["type"] == "NotImplementedError":
        return Fail(not_implemented(name), reason=f"{name} is not implemented yet")
    message = f"{call_text} raised {error['type']}: {error['message']}".rstrip(": ")
    return Fail(message, reason=f"it raised {error_kind(error)}",
                bug=error_hint(error, broadcast_hint))


def likely(actual, candidates, close):
    """The one bug in ``candidates`` (description → value) that ``actual`` matches, or ""."""
    matches = [bug for bug, value in candidates.items() if close(actual, value)]
    return matches[0] if len(matches) == 1 else ""


def as_number(value, what):
    """``value`` as one float, else a failure that says what came back.

    Numbers of any numeric type count: a numpy scalar or a ``float`` subclass
    arrives here as a Python number (see :func:`to_plain`).
    """
    if value is None:
        raise Fail(f"{what} returned None: is the `return` statement missing?",
                   reason="it returned None")
    if type(value) in (list, tuple):
        raise Fail(f"{what} returned {describe(value)}, expected a single number.",
                   reason="it returned a list or tuple, not one number")
    if type(value) is np.ndarray:
        if value.size != 1:
            raise Fail(f"{what} returned {describe(value)}, expected a single number: "
                       "did you forget to take the mean over the samples?",
                       reason="it returned an array, not one number")
        value = value.reshape(()).item()
    if type(value) not in (int, float, bool):
        raise Fail(f"{what} returned {describe(value)}, expected a number.",
                   reason="it returned something other than a number")
    return float(value)


def as_array(value, shape, what):
    """``value`` as a float array of ``shape``, else a failure naming the difference."""
    if value is None:
        raise Fail(f"{what} returned None: is the `return` statement missing?",
                   reason="it returned None")
    if type(value) in (list, tuple):
        raise Fail(f"{what} returned {describe(value)}, expected a numpy array of shape "
                   f"{shape}: compute with numpy arithmetic on the arrays instead of "
                   "building a list.", reason="it returned a list, not a numpy array")
    if type(value) is not np.ndarray:
        raise Fail(f"{what} returned {describe(value)}, expected a numpy array of shape {shape}.",
                   reason="it returned something other than a numpy array")
    if value.shape != shape:
        raise Fail(f"{what} returned shape {value.shape}, expected {shape}.",
                   reason="the array it returned has the wrong shape")
    return value.astype(float)


def changed_inputs(observed, call_text, params):
    """Advice when the call changed array inputs in place (``params`` names them), else "".

    Seen inside the learner's process, so advice only: it never fails a check.
    """
    changed = observed.get("changed") if type(observed) is dict else None
    if type(changed) is not list or not changed:
        return ""
    names = ", ".join(params[i] for i in changed if type(i) is int and 0 <= i < len(params))
    return (f"Note: {call_text} changed its input {names or 'arguments'} in place. Compute a "
            "new array (e.g. `x * w + b`, `y_hat - y`) instead of updating the argument "
            "(`x *= w`, `y_hat -= y`): the caller may use these arrays again afterwards.")


def _timed_out(observed):
    return (type(observed) is dict and type(observed.get("error")) is dict
            and observed["error"].get("type") == TIMED_OUT)


class Fail(Exception):
    """Raised inside a judge function: the case failed.

    ``message`` says it in full, for a case the learner can see. A hidden case's
    message must hold nothing of the case or of what the learner's code returned,
    so it is made of ``reason`` (what failed, in words fixed in the checks' code)
    and ``bug`` (a description from a bug table, or a fixed hint): see
    :meth:`hidden_text`.
    """

    def __init__(self, message, *, reason="", bug=""):
        self.message, self.reason, self.bug = message, reason, bug
        super().__init__(str(self))

    def __str__(self):
        return self.message + (f"\nLikely bug: {self.bug}" if self.bug else "")

    def hidden_text(self, call):
        """The message of a hidden case whose public description is ``call``."""
        return (f"{call}: {self.reason or 'the result is not the right one'}."
                + (f"\nLikely bug: {self.bug}" if self.bug else ""))


CHECK_DATA = ".checks"  # beside the notebook: the answers of the visible cases, from the release


class MissingAnswers(Exception):
    """This place has no answers for these cases (no check data, no answer key)."""


@dataclass(frozen=True)
class Exercise:
    """One graded exercise, declared once.

    ``cases(seed)`` draws the inputs (plain data): ``seed=None`` gives the
    visible cases; each hidden case's ``"call"`` describes it without any of its
    numbers. ``run(subject, case)`` is the running half for one case and returns
    plain data. ``judge(case, observed, answer)`` is the judging half: it
    returns (advice, or None) if the case passes, else raises :class:`Fail`;
    ``answer`` is the case's plain-data answer from the grader's key. Cell ids
    follow the course's convention: ``sol_<name>`` for the solution cell,
    ``test_<name>`` for the locked test cell. ``subject`` is the learner's
    name the check takes (the exercise's own, unless several exercises check
    parts of one class); ``uses`` are the exercises whose functions this one
    may call: when the learner got one of them wrong, the grader checks this
    one with a correct version in its place. ``inputs`` name the positional
    arguments the running half passes (:func:`call`): changing one in place
    earns a note. ``chapter`` is set by :func:`declare`.
    """
    name: str
    points: int
    cases: Callable[[Any], list] = field(repr=False)
    run: Callable[[Any, Any], Any] = field(repr=False)
    judge: Callable[[Any, Any, Any], Any] = field(repr=False)
    hidden_seeds: tuple = ()
    summary: str = ""
    solution_ids: tuple = field(default=None)
    subject: str = None
    uses: tuple = field(default=(), repr=False)
    inputs: tuple = ()
    chapter: str = ""

    def __post_init__(self):
        if self.solution_ids is None:
            object.__setattr__(self, "solution_ids", (f"sol_{self.name}",))
        if self.subject is None:
            object.__setattr__(self, "subject", self.name)

    @property
    def test_id(self):
        return f"test_{self.name}"

    def observe(self, subject, seed=None, cases=None):
        """Running half: the plain data of every case (of ``cases``, else of the seed's).

        After a case whose call ran out of time the rest are not run (judging
        stops at the first failing case anyway): one endless loop costs one
        call's time limit, not one per case.
        """
        observations = []
        for case in self.cases(seed) if cases is None else cases:
            if observations and _timed_out(observations[-1]):
                observations.append(observations[-1])
                continue
            observations.append(self.run(subject, case))
        return observations

    def verdict(self, observations, cases, answers, hidden=False):
        """Judging half: each case's observation against its answer.

        ``hidden`` cases fail with :meth:`Fail.hidden_text` only. A passing
        verdict's message is the judges' advice, if any.
        """
        try:
            ensure_plain(observations)
            ensure_plain(answers)
            if type(observations) is not list or len(observations) != len(cases) \
                    or len(answers) != len(cases):
                raise NotPlainData("not one observation per case")
        except NotPlainData as problem:
            return Verdict(self.name, False, 0, "the check could not read the results"
                           + ("" if hidden else f" ({problem})"))
        advice = []
        for number, (case, observed, answer) in enumerate(zip(cases, observations, answers),
                                                          start=1):
            in_place = changed_inputs(observed, case.get("call", self.name), self.inputs) \
                if self.inputs else ""
            try:
                note = self.judge(case, observed, answer)
            except Fail as failure:
                text = failure.hidden_text(case.get("call", self.name)) if hidden \
                    else "\n".join(filter(None, [str(failure), in_place]))
                return Verdict(self.name, False, number, text)
            except Exception as error:  # plain data of the wrong shape: fail closed
                detail = "" if hidden else f" ({type(error).__name__}: {error})"
                return Verdict(self.name, False, number,
                               f"the check could not read the results{detail}")
            advice += [text for text in (in_place, note) if text and text not in advice]
        return Verdict(self.name, True, len(cases), "\n".join(advice))

    def __call__(self, subject, seed=None, hidden=False):
        """Check the learner's ``subject`` in the kernel: print ✓ or raise :class:`CheckFailed`.

        Visible cases are judged from the check data beside the notebook; hidden
        ones (``hidden=True``, only in the source notebooks) need the grader's key.
        """
        seeds = self.hidden_seeds if hidden else [seed]
        checks, advice = 0, []
        for each in seeds:
            cases = self.cases(each)
            try:
                answers = answers_for(self, cases, visible=each is None)
            except MissingAnswers as missing:
                raise CheckFailed(str(missing), self.name) from None
            verdict = self.verdict(self.observe(subject, cases=cases), cases, answers,
                                   hidden=each is not None)
            if not verdict.passed:
                note = "" if verdict.message.startswith(not_implemented(self.name)) \
                    else self._helpers_note(subject)
                raise CheckFailed(verdict.message + note, self.name)
            checks += verdict.checks
            if verdict.message and verdict.message not in advice:
                advice.append(verdict.message)
        which = "hidden " if hidden or seed is not None else ""
        print(f"✓ {self.name}: {checks} {which}check{'s' * (checks != 1)} passed"
              + "".join("\n  " + line for note in advice for line in note.splitlines()))

    def _helpers_note(self, subject):
        """In the kernel: which exercises this one uses fail their own visible check."""
        namespace = getattr(subject, "__globals__", None) or {}
        wrong = []
        for helper in self.uses:
            if helper.subject not in namespace or helper.subject in wrong:
                continue
            cases = helper.cases(None)
            try:
                answers = answers_for(helper, cases, visible=True)
            except MissingAnswers:
                continue
            observed = helper.observe(namespace[helper.subject], cases=cases)
            if not helper.verdict(observed, cases, answers).passed:
                wrong.append(helper.subject)
        if not wrong:
            return ""
        names = " and ".join(wrong)
        return (f"\n(This check runs your {names}, which {'does' if len(wrong) == 1 else 'do'}"
                f" not pass {'its' if len(wrong) == 1 else 'their'} own check yet: fix "
                f"{'it' if len(wrong) == 1 else 'them'} first. The grader checks {self.name} "
                f"with a correct {names} in place of yours.)")


def declare(chapter, *exercises):
    """The chapter's exercises in teaching order, each told its chapter: a module's
    ``EXERCISES = declare(CHAPTER, forward, mse, ...)``."""
    for exercise in exercises:
        object.__setattr__(exercise, "chapter", chapter)
    return tuple(exercises)


# ------------------------------------------------------------------ where answers come from


def cases_digest(cases):
    """A hash of plain-data cases: check data belongs to the cases it was computed for."""
    return hashlib.sha256(dumps_plain(cases).encode()).hexdigest()


_CHECK_DATA_CACHE = {}


def check_data(chapter, folder=None):
    """The visible cases' answers of ``chapter`` written by the release into
    ``<folder>/.checks/<chapter>.json`` (the folder: the notebook's, the kernel's
    working directory); None if there is no such file."""
    path = Path(folder or os.getcwd()) / CHECK_DATA / f"{chapter}.json"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    cached = _CHECK_DATA_CACHE.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        data = loads_plain(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, NotPlainData):
        data = {}
    _CHECK_DATA_CACHE[path] = (stamp, data)
    return data


def answers_for(exercise, cases, visible, folder=None):
    """The answers of ``cases``: for the visible ones from the check data beside the
    notebook, else (and where there is none, as in the course's own repository)
    from the grader's key. Raises :class:`MissingAnswers` with what to do."""
    data = check_data(exercise.chapter, folder) if visible else None
    if data is not None:
        entry = data.get("exercises", {}).get(exercise.name) if type(data) is dict else None
        if type(entry) is dict and entry.get("cases") == cases_digest(cases) \
                and type(entry.get("answers")) is list:
            return entry["answers"]
        raise MissingAnswers(
            f"This notebook's check data ({CHECK_DATA}/{exercise.chapter}.json beside it) is "
            "not for this version of the course: fetch the chapter again, or run `make lab`, "
            "which brings it up to date (your notebook stays as it is).")
    try:
        from grading import answers
    except ImportError:
        answers = None
    if answers is not None:
        try:
            return answers.compute(exercise, cases)
        except answers.MissingKey:
            pass
    raise MissingAnswers(
        f"The checks need {CHECK_DATA}/{exercise.chapter}.json beside this notebook, and it is "
        "not there: keep the notebook in the folder it came in (with its hidden .checks "
        "folder), or run `make lab` again." if visible else
        "Hidden cases are checked by the grader, not here.")


# ------------------------------------------------------------------ plain data on the wire


def dumps_plain(value):
    """Plain data as JSON text, so it can leave a sandbox without pickle.

    Arrays, tuples, complex numbers and :class:`Opaque` become tagged objects;
    :func:`loads_plain` turns them back. Raises :class:`NotPlainData` for
    anything else.
    """
    import json
    return json.dumps(_encode(ensure_plain(value)))


def _encode(value):
    kind = type(value)
    if kind is np.ndarray:
        return {"__ndarray__": [value.dtype.str, list(value.shape),
                                _encode(value.ravel().tolist())]}
    if kind is complex:
        return {"__complex__": [value.real, value.imag]}
    if kind is tuple:
        return {"__tuple__": [_encode(item) for item in value]}
    if kind is list:
        return [_encode(item) for item in value]
    if kind is dict:
        return {"__dict__": {key: _encode(item) for key, item in value.items()}}
    if kind is Opaque:
        return {"__opaque__": [value.type_name, value.text]}
    return value


def loads_plain(text, max_chars=50_000_000):
    """The plain data :func:`dumps_plain` wrote; :class:`NotPlainData` for anything else."""
    import json
    if type(text) is not str or len(text) > max_chars:
        raise NotPlainData("the results are not text of a sensible size")
    try:
        return ensure_plain(_decode(json.loads(text)))
    except (ValueError, TypeError, KeyError, RecursionError) as error:
        raise NotPlainData(f"the results cannot be read: {error}") from None


def _decode(value):
    if type(value) is list:
        return [_decode(item) for item in value]
    if type(value) is not dict:
        return value
    if len(value) != 1:
        raise NotPlainData("an untagged object")
    (tag, body), = value.items()
    if tag == "__ndarray__":
        dtype, shape, items = body
        if np.dtype(dtype).kind not in "biufc":
            raise NotPlainData(f"an array of dtype {dtype}")
        items = _decode(items)
        if dtype[1] == "c":
            items = [complex(item) for item in items]
        return np.array(items, dtype=np.dtype(dtype)).reshape([int(n) for n in shape])
    if tag == "__complex__":
        return complex(float(body[0]), float(body[1]))
    if tag == "__tuple__":
        return tuple(_decode(item) for item in body)
    if tag == "__dict__":
        return {str(key): _decode(item) for key, item in body.items()}
    if tag == "__opaque__":
        return Opaque(str(body[0]), str(body[1]))
    raise NotPlainData(f"an unknown tag {tag!r}")
