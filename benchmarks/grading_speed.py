"""Grading a synthetic class: this course's grader against plain sequential nbgrader.

Usage, from the repository root::

    .venv/bin/python benchmarks/grading_speed.py                 # 4 students per kind
    .venv/bin/python benchmarks/grading_speed.py --per-kind 2 --chapters 02_linear_model

The class: for every chapter in ``notebooks/``, students of four kinds —
correct (the reference solutions), partial (one exercise left as its stub),
blank (the release as handed out) and broken (not JSON). Both graders get
the same files:

* plain nbgrader: the submissions copied to a course's ``submitted/``, then
  ``nbgrader autograde <chapter>`` once per chapter (one kernel per notebook,
  one after the other);
* this course: ``python -m grading autograde`` once on the submissions folder
  (sandboxed, ``--jobs`` at once; default: every core).

Prints both times, the ratio, and whether every student's total is what it
should be: full marks, 0 (a notebook plain nbgrader cannot grade counts as 0,
as it does here), or for a partial one the full marks less the stubbed
exercise's points. There plain nbgrader may give less: a stubbed helper fails
the test cells of the exercises that use it too, where this grader puts the
key's stand-in (README "Grading"). Those differences are listed, not failed.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearSolutions

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from course_utils import checks  # noqa: E402
from grading import pipeline  # noqa: E402

BIN = Path(sys.executable).parent


def chapter_ids():
    return [path.stem for path in sorted((ROOT / "notebooks").glob("*.ipynb"))]


def class_of(chapters, per_kind, submissions):
    """Write the synthetic class; return ``{(student, chapter): kind}``."""
    kinds = {}
    for chapter in chapters:
        source = nbformat.read(ROOT / "notebooks" / f"{chapter}.ipynb", as_version=4)
        blank = nbformat.from_dict(source)
        ClearSolutions().preprocess(blank, {})
        stubs = {cell.metadata.nbgrader.grade_id: cell.source for cell in blank.cells
                 if cell.metadata.get("nbgrader", {}).get("solution")}
        exercises = checks.exercises(chapter)
        full = sum(exercise.points for exercise in exercises)
        for number in range(per_kind):
            partial = nbformat.from_dict(source)
            left_out = exercises[number % len(exercises)]
            for cell in partial.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") in left_out.solution_ids:
                    cell.source = stubs[cell.metadata.nbgrader.grade_id]
            for kind, notebook, expected in [("correct", source, full),
                                             ("partial", partial, full - left_out.points),
                                             ("blank", blank, 0), ("broken", None, 0)]:
                student = f"{kind}{number}"
                path = submissions / student / f"{chapter}.ipynb"
                path.parent.mkdir(parents=True, exist_ok=True)
                if notebook is None:
                    path.write_text('{"cells": [', encoding="utf-8")
                else:
                    nbformat.write(notebook, path)
                kinds[student, chapter] = kind, expected
    return kinds


def totals(course, keys):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
        scores = {}
        for student, chapter in keys:
            try:
                scores[student, chapter] = gb.find_submission(chapter, student).score
            except MissingEntry:
                scores[student, chapter] = 0.0
        return scores


def plain_nbgrader(chapters, submissions, course):
    pipeline.release(chapters, course_dir=course, workspace=None)
    for student_dir in submissions.iterdir():
        for notebook in student_dir.glob("*.ipynb"):
            target = course / "submitted" / student_dir.name / notebook.stem / notebook.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, target)
    started = time.perf_counter()
    for chapter in chapters:
        subprocess.run([BIN / "nbgrader", "autograde", chapter, "--force"], cwd=course,
                       capture_output=True, text=True)
    return time.perf_counter() - started


def this_grader(chapters, submissions, course, jobs):
    pipeline.release(chapters, course_dir=course, workspace=None)
    started = time.perf_counter()
    # One command for the whole class, as an instructor runs it.
    subprocess.run([sys.executable, "-m", "grading", "autograde", str(submissions), "--course-dir",
                    str(course), "-q"] + (["--jobs", str(jobs)] if jobs else []),
                   cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", nargs="*", default=chapter_ids(), metavar="CHAPTER")
    parser.add_argument("--per-kind", type=int, default=4,
                        help="students of each kind per chapter (default: %(default)s)")
    parser.add_argument("--jobs", type=int, help="this grader's --jobs (default: every core)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        kinds = class_of(args.chapters, args.per_kind, tmp / "submissions")
        plain = plain_nbgrader(args.chapters, tmp / "submissions", tmp / "plain")
        ours = this_grader(args.chapters, tmp / "submissions", tmp / "ours", args.jobs)
        plain_scores, our_scores = totals(tmp / "plain", kinds), totals(tmp / "ours", kinds)
    wrong = sorted(key for key, (kind, expected) in kinds.items() if our_scores[key] != expected)
    # Plain nbgrader may only give a partial notebook less (its stub fails its users' tests).
    differ = sorted(key for key in kinds if plain_scores[key] != our_scores[key])
    unexplained = [key for key in differ
                   if kinds[key][0] != "partial" or plain_scores[key] > our_scores[key]]
    result = {"notebooks": len(kinds), "plain_nbgrader_s": round(plain, 1),
              "this_grader_s": round(ours, 1), "speedup": round(plain / ours, 2),
              "scores_as_designed": not wrong and not unexplained,
              "wrong": [[*key, our_scores[key], kinds[key][1]] for key in wrong],
              "differences": [[*key, plain_scores[key], our_scores[key]] for key in differ]}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(kinds)} notebooks ({', '.join(args.chapters)}; correct, partial, blank, broken)")
    print(f"plain nbgrader autograde, sequential: {plain:7.1f} s "
          f"({plain / len(kinds):.2f} s per notebook)")
    print(f"python -m grading autograde:          {ours:7.1f} s "
          f"({ours / len(kinds):.2f} s per notebook)")
    print(f"speed-up: {plain / ours:.1f}x; scores as designed: "
          f"{'yes' if result['scores_as_designed'] else 'NO'}")
    for student, chapter, mine, expected in result["wrong"]:
        print(f"  WRONG {student} {chapter}: this grader {mine:g}, expected {expected:g}")
    if differ:
        print("where plain nbgrader gives less (a stub failing the exercises that use it too):")
    for student, chapter, theirs, mine in result["differences"]:
        print(f"  {student} {chapter}: nbgrader {theirs:g}, this grader {mine:g}")


if __name__ == "__main__":
    main()
