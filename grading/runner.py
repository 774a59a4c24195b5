"""The running half of grading, inside the sandbox: run a submission, observe its exercises.

Started by :mod:`grading.sandbox` as ``python -I runner.py`` in a fresh sandbox.
Reads one job, JSON on stdin::

    {"cells": ["<code of the submission's cells>", ...],
     "exercises": [{"chapter": "02_linear_model", "name": "mse",
                    "cases": "<the cases, as course_utils' plain JSON>"}, ...],
     "cell_timeout": 30, "exercise_timeout": 60, "call_timeout": 5}

runs the learner's cells in order in one IPython shell (a cell that raises
or runs too long is recorded and skipped, as Run All with errors allowed
would), then, for each exercise, forks a child that calls the exercise's
running half on the given cases and hands back plain data. A child that
crashes or hangs costs that exercise only. Writes one JSON line to the
original stdout::

    {"cells": [{"status": "ok" | "error" | "timeout", "error": "..."}],
     "exercises": {"mse": {"status": "observed", "observations": "<plain JSON>"}
                        | {"status": "missing" | "timeout" | "crashed", "reason": "..."}}}

Expected values and the judging half never come here: this process holds
only the learner's code, the course's running halves and the cases' inputs.
The learner's own output goes nowhere.
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
            report.append({"status": "error", "error": _describe(error)})
    return report


def _describe(error):
    try:
        text = f"{type(error).__name__}: {error}"
    except BaseException:  # a learner's exception whose __str__ raises
        text = type(error).__name__
    return text[:500]


def observe_in_child(exercise, subject, cases, timeout, fork, pipe, waitpid, kill):
    """Run ``exercise.run`` on every case in a forked child; its plain JSON, or a failure."""
    from course_utils.checks import core

    read_end, write_end = pipe()
    child = fork()
    if child == 0:
        os.close(read_end)
        try:
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
    # Keep the real stdout for the results; the learner's output goes to /dev/null.
    results = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    job = json.loads(sys.stdin.read())
    # The course's helpers sit beside this file's folder (the sandbox binds just those).
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # Bound now, before any learner code can rebind them.
    fork, pipe, waitpid, kill = os.fork, os.pipe, os.waitpid, os.kill
    import importlib

    import matplotlib
    matplotlib.use("Agg")
    from IPython.core.interactiveshell import InteractiveShell

    exercises = [(spec, getattr(importlib.import_module(
        f"course_utils.checks.ch{spec['chapter'][:2]}"), spec["name"]))
        for spec in job["exercises"]]
    from course_utils.checks import core

    core.CALL_SECONDS = job["call_timeout"]
    runner = os.getpid()
    shell = InteractiveShell.instance()
    cells = run_cells(shell, job["cells"], job["cell_timeout"])
    if os.getpid() != runner:
        os._exit(0)  # a process the learner's code forked, which ran on through the cells
    namespace = shell.user_ns
    observed = {}
    for spec, exercise in exercises:
        if exercise.name not in namespace:
            observed[exercise.name] = {"status": "missing",
                                       "reason": f"{exercise.name} is not defined"}
            continue
        cases = core.loads_plain(spec["cases"])
        observed[exercise.name] = observe_in_child(
            exercise, namespace[exercise.name], cases, job["exercise_timeout"],
            fork, pipe, waitpid, kill)
    results.write(json.dumps({"cells": cells, "exercises": observed}) + "\n")
    results.flush()


if __name__ == "__main__":
    main()
