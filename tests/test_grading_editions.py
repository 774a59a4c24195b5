"""A class that reads both editions, through the command line, as an instructor runs it: the
chapter released in Chinese, one student handing in the Chinese edition and one the English
edition (downloaded from the course's English release) with the same bug. Autograde and the
feedback pages speak each notebook's own language; the scores do not depend on it."""
import csv
import re

import nbformat
import pytest

from course_utils import checks
from test_grading import run_cli
from test_grading_chapters import _reference_solutions, _submission

CHAPTER = "02_linear_model"
SUMMED_MSE = "import numpy as np\n\ndef mse(y_hat, y):\n    return np.sum((y_hat - y) ** 2)\n"
CHINESE = re.compile("[\u4e00-\u9fff]")

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def release(tmp_path, language):
    course = tmp_path / f"course-{language}"
    completed = run_cli("release", CHAPTER, "--language", language, "--course-dir", course,
                        "--no-workspace")
    assert completed.returncode == 0, completed.stderr
    return course, course / "release" / CHAPTER / f"{CHAPTER}.ipynb"


def test_a_class_in_both_editions_is_graded_and_answered_in_each_ones_language(tmp_path):
    course, chinese_release = release(tmp_path, "zh")
    english_release = release(tmp_path, "en")[1]
    solutions = {**_reference_solutions(CHAPTER), "sol_mse": SUMMED_MSE}
    submissions = tmp_path / "submissions"
    for student, notebook in (("li", chinese_release), ("ann", english_release)):
        (submissions / student).mkdir(parents=True)
        nbformat.write(_submission(notebook, solutions), submissions / student / f"{CHAPTER}.ipynb")

    for verb, *args in (("collect", submissions), ("autograde",), ("feedback",)):
        completed = run_cli(verb, *args, "--course-dir", course)
        assert completed.returncode == 0, (verb, completed.stdout, completed.stderr)
    export = tmp_path / "grades.csv"
    assert run_cli("export", export, "--course-dir", course).returncode == 0

    pages = {student: (course / "feedback" / student / CHAPTER / f"{CHAPTER}.html")
             .read_text(encoding="utf-8") for student in ("li", "ann")}
    assert "你对误差的平方求了和，而不是取平均值" in pages["li"]
    assert "summed the squared errors instead of taking their mean" not in pages["li"]
    assert "you summed the squared errors instead of taking their mean" in pages["ann"]
    assert not CHINESE.search(pages["ann"].split("<body", 1)[1]), "the English page has Chinese"
    # The same bug costs the same in either edition: mse's points.
    points = {exercise.name: exercise.points for exercise in checks.exercises(CHAPTER)}
    expected = f"{sum(points.values()) - points['mse']:g}"
    with open(export, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for student in ("li", "ann"):
        scores = {row["exercise"]: row["score"] for row in rows if row["student_id"] == student}
        assert scores["mse"] == "0" and {row["assignment_score"] for row in rows
                                         if row["student_id"] == student} == {expected}, student
