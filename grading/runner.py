"""The running half of grading, inside the sandbox: run a submission, observe its exercises.

Started by :mod:`grading.sandbox` as ``python -I runner.py`` in a fresh sandbox.
It talks with the grader in lines of JSON: requests on stdin, replies on the
original stdout. First the cells::

    → {"cells": ["<code of the submission's cells>", ...],
       "cell_timeout": 30, "exercise_timeout": 60, "call_timeout": 5, "id": "..."}
    ← {"cells": [{"status": "ok" | "error" | "timeout", "error": "...", "line": 3}], "id": "..."}

It runs the learner's cells in order in one IPython shell (a cell that raises
or runs too long is recorded and skipped, as Run All with errors allowed
would; a syntax error's report has its line in the cell). Then, as often as the grader asks, observations::

    → {"observe": [{"chapter": "02_linear_model", "name": "mse",
                    "cases": "<the cases, as course_utils' plain JSON>",
                    "stand_ins": {"forward": {"name": "...", "source": "..."}}}, ...]}
    ← {"exercises": {"mse": {"status": "observed", "observations": "<plain JSON>"}
                           | {"status": "missing" | "timeout" | "crashed", "reason": "..."}}}

For each exercise a forked child calls the exercise's running half on the
given cases and hands back plain data; a child that crashes or hangs costs
that exercise only. ``stand_ins`` are the grader's correct versions of other
exercises, put in place of the learner's while this one is observed.

The grader asks in steps: the visible cases, then the hidden ones, then, for
an exercise whose helpers the learner got wrong, its cases again with
stand-ins; it has judged each step before it sends the next. Answers and the
judging half never come here. The learner's own output goes nowhere, and
reading stdin gives it nothing. Every reply repeats its request's ``id``.
"""
import json
import os
import select
import signal
import sys
import time


class CellTimeout(BaseException):
    """A cell ran past its time limit."""


def _on_alarm(signum, frame):
    raise CellTimeout()


def run_cells(shell, cells, timeout):
    report = []
    for source in cells:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            result = shell.run_cell(source, store_history=False, silent=True)
            error = result.error_in_exec or result.error_before_exec
        except CellTimeout as stopped:
            error = stopped
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if error is None:
            report.append({"status": "ok"})
        elif isinstance(error, CellTimeout):
            report.append({"status": "timeout", "error": f"still running after {timeout:g} s"})
        else:
            report.append({"status": "error", "error": _describe(error),
                           **({"line": error.lineno} if _is_syntax_error(error) else {})})
    return report


def _is_syntax_error(error):
    return isinstance(error, SyntaxError) and type(getattr(error, "lineno", None)) is int


def _describe(error):
    try:
        # A syntax error's own text names IPython's file for the cell: its message is enough.
        detail = error.msg if _is_syntax_error(error) else error
        text = f"{type(error).__name__}: {detail}"
    except BaseException:  # a learner's exception whose __str__ raises
        text = type(error).__name__
    return text[:500]


def define_stand_ins(specs):
    """The grader's correct versions, defined from their source (numpy is ``np``)."""
    import numpy

    replacements = {}
    for subject, spec in (specs or {}).items():
        namespace = {"np": numpy, "__name__": "stand_in"}
        exec(compile(spec["source"], f"<stand-in {subject}>", "exec"), namespace)
        replacements[subject] = namespace[spec["name"]]
    return replacements


def observe_in_child(exercise, subject, cases, stand_ins, timeout, bound):
    """Run ``exercise.run`` on every case in a forked child; its plain JSON, or a failure."""
    from course_utils.checks import core

    fork, pipe, waitpid, kill = bound
    read_end, write_end = pipe()
    child = fork()
    if child == 0:
        os.close(read_end)
        try:
            with core.helpers_in_place(subject, define_stand_ins(stand_ins)):
                text = core.dumps_plain(exercise.observe(subject, cases=cases))
        except BaseException as error:  # the learner's code may raise anything, even SystemExit
            text = json.dumps({"crashed": _describe(error)})
        with os.fdopen(write_end, "w") as out:
            out.write(text)
        os._exit(0)
    os.close(write_end)
    chunks, deadline, size = [], time.monotonic() + timeout, 0
    while True:
        left = deadline - time.monotonic()
        ready = select.select([read_end], [], [], max(left, 0))[0] if left > 0 else []
        if not ready:
            kill(child, signal.SIGKILL)
            waitpid(child, 0)
            os.close(read_end)
            return {"status": "timeout", "reason": f"still running after {timeout:g} s"}
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            break
        size += len(chunk)
        if size > 50_000_000:
            kill(child, signal.SIGKILL)
            break
        chunks.append(chunk)
    os.close(read_end)
    _, status = waitpid(child, 0)
    text = b"".join(chunks).decode("utf-8", "replace")
    if not text:
        how = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit status {os.WEXITSTATUS(status)}")
        return {"status": "crashed", "reason": f"the check's process died ({how})"}
    if text.startswith('{"crashed"'):
        return {"status": "crashed", "reason": json.loads(text)["crashed"]}
    return {"status": "observed", "observations": text}


def main():
    # Requests come on a private copy of stdin and replies go to a private copy of stdout;
    # the learner's code gets /dev/null for both (and for stderr).
    requests = os.fdopen(os.dup(0), "r")
    replies = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    job = json.loads(requests.readline())
    # The course's helpers sit beside this file's folder (the sandbox binds just those).
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # Bound now, before any learner code can rebind them.
    bound = (os.fork, os.pipe, os.waitpid, os.kill)
    import matplotlib
    matplotlib.use("Agg")
    from IPython.core.interactiveshell import InteractiveShell

    from course_utils.checks import core

    core.CALL_SECONDS = job["call_timeout"]
    runner = os.getpid()
    shell = InteractiveShell.instance()
    cells = run_cells(shell, job["cells"], job["cell_timeout"])
    if os.getpid() != runner:
        os._exit(0)  # a process the learner's code forked, which ran on through the cells
    replies.write(json.dumps({"cells": cells, "id": job.get("id")}) + "\n")
    replies.flush()
    def observe(exercise, subject, cases, stand_ins):
        return observe_in_child(exercise, subject, cases, stand_ins, job["exercise_timeout"],
                                bound)

    for line in requests:
        request = json.loads(line)
        replies.write(json.dumps({**reply(request, shell.user_ns, observe),
                                  "id": request.get("id")}) + "\n")
        replies.flush()


def reply(request, namespace, observe):
    """The reply to an observation request, with ``observe(exercise, subject, cases,
    stand_ins)`` giving each exercise's outcome."""
    import importlib

    from course_utils.checks import core

    observed = {}
    for spec in request["observe"]:
        module = importlib.import_module(f"course_utils.checks.ch{spec['chapter'][:2]}")
        exercise = getattr(module, spec["name"])
        if exercise.subject not in namespace:
            observed[exercise.name] = {"status": "missing",
                                       "reason": f"{exercise.subject} is not defined"}
            continue
        observed[exercise.name] = observe(exercise, namespace[exercise.subject],
                                          core.loads_plain(spec["cases"]),
                                          spec.get("stand_ins"))
    return {"exercises": observed}


if __name__ == "__main__":
    main()
