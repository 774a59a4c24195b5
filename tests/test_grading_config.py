"""The course config (course.toml): due dates, the late policy, the roster, and its errors;
the names collect takes for a chapter's."""
from datetime import datetime, timedelta, timezone

import pytest

from grading import config
from grading.base import GradingError
from grading.names import match_chapter

CHAPTERS = ["01_overview", "02_linear_model", "03_gradient_descent", "04_backprop"]


def load(tmp_path, text, name="course.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return config.load(path, required=True)


def test_no_file_means_no_due_dates_no_penalty_no_roster(tmp_path):
    empty = config.load(tmp_path / "course.toml")
    assert (empty.due, empty.roster, empty.late.percent, empty.language) == ({}, None, 0, "en")
    assert load(tmp_path, 'language = "zh"\n', name="zh.toml").language == "zh"
    assert empty.on_roster("anyone") and empty.penalty("02_linear_model", datetime.now(
        timezone.utc), 10, 10) == 0
    with pytest.raises(GradingError, match="no course config at"):
        config.load(tmp_path / "course.toml", required=True)


def test_due_dates_in_the_course_time_zone(tmp_path):
    loaded = load(tmp_path, 'timezone = "Asia/Shanghai"\n[due]\n'
                            "01_overview = 2026-03-01T23:59:00\n"
                            "02_linear_model = 2026-03-08T23:59:00+02:00\n"
                            "03_gradient_descent = 2026-03-15\n"
                            '04_backprop = "2026-03-22T12:00:00Z"\n')
    utc = timezone.utc
    assert loaded.due == {
        "01_overview": datetime(2026, 3, 1, 15, 59, tzinfo=utc),
        "02_linear_model": datetime(2026, 3, 8, 21, 59, tzinfo=utc),
        "03_gradient_descent": datetime(2026, 3, 15, 15, 59, 59, tzinfo=utc),
        "04_backprop": datetime(2026, 3, 22, 12, 0, tzinfo=utc)}
    assert loaded.local(loaded.due["01_overview"]) == "2026-03-01 23:59 CST"
    # A zip's times carry no zone: they are the course's.
    assert loaded.to_utc(datetime(2026, 3, 1, 8, 0)) == datetime(2026, 3, 1, 0, 0, tzinfo=utc)
    assert loaded.unknown_chapters(CHAPTERS[:2]) == ["03_gradient_descent", "04_backprop"]


@pytest.mark.parametrize("late, raw, expected", [
    (timedelta(minutes=10), 10, 0),  # within the grace: on time
    (timedelta(minutes=16), 10, 1),  # one started day: 10% of 10 points
    (timedelta(hours=25), 10, 2),
    (timedelta(days=30), 10, 5),  # at most 50%
    (timedelta(days=30), 3, 3),  # never more than the score
])
def test_the_late_penalty_policy(tmp_path, late, raw, expected):
    loaded = load(tmp_path, "[due]\n02_linear_model = 2026-03-08T12:00:00Z\n"
                            "[late]\npercent = 10\nmax_percent = 50\ngrace_minutes = 15\n")
    due = loaded.due["02_linear_model"]
    assert loaded.penalty("02_linear_model", due + late, raw, 10) == expected
    assert loaded.seconds_late("02_linear_model", due + late) == (
        0 if late <= timedelta(minutes=15) else late.total_seconds())
    assert loaded.penalty("02_linear_model", due - timedelta(days=1), raw, 10) == 0
    assert loaded.penalty("01_overview", due + late, raw, 10) == 0  # no due date


def test_a_penalty_per_hour(tmp_path):
    loaded = load(tmp_path, "[due]\n02_linear_model = 2026-03-08T12:00:00Z\n"
                            '[late]\npercent = 5\nper = "hour"\n')
    due = loaded.due["02_linear_model"]
    assert loaded.penalty("02_linear_model", due + timedelta(hours=2, minutes=1), 20, 20) == 3
    assert loaded.late.describe() == "5% of the points per started hour late"


def test_a_roster_from_a_list_a_csv_or_a_text_file(tmp_path):
    assert load(tmp_path, '[roster]\nstudents = ["alice", "bob"]\n').roster == {"alice", "bob"}
    (tmp_path / "class.csv").write_text("name,student_id,email\nAlice,alice,a@x\nBob,bob,b@x\n")
    assert load(tmp_path, '[roster]\nfile = "class.csv"\n').roster == {"alice", "bob"}
    (tmp_path / "class.txt").write_text("# spring\nalice\n\nbob\n")
    roster = load(tmp_path, '[roster]\nfile = "class.txt"\n')
    assert roster.roster == {"alice", "bob"}
    assert roster.on_roster("alice") and not roster.on_roster("mallory")


@pytest.mark.parametrize("text, words", [
    ("[due\n", "not valid TOML"),
    ("[late]\nprecent = 10\n", "unknown key precent in [late]; known: grace_minutes, max_percent"),
    ("deadline = 1\n", "unknown key deadline at the top"),
    ('timezone = "Mars/Olympus"\n', "unknown timezone 'Mars/Olympus'"),
    ('language = "fr"\n', "language must be one of 'en', 'zh', not 'fr'"),
    ('[due]\n02_linear_model = "next friday"\n', "[due] 02_linear_model: 'next friday' is not"),
    ("[late]\npercent = 150\n", "percent must be between 0 and 100"),
    ('[late]\nper = "week"\n', 'per must be "day" or "hour"'),
    ("[late]\npercent = -1\n", "percent must be a number >= 0"),
    ('[roster]\nfile = "nowhere.csv"\n', "[roster] cannot read"),
    ("[collect]\nzip_patterns = ['(?P<student_id>.+)']\n", "needs the groups"),
    ("[collect]\nzip_patterns = ['(']\n", "is not a regular expression"),
])
def test_config_errors_name_the_file_and_the_problem(tmp_path, text, words):
    with pytest.raises(GradingError) as raised:
        load(tmp_path, text)
    assert str(raised.value).startswith(f"{tmp_path / 'course.toml'}: ")
    assert words in str(raised.value)


@pytest.mark.parametrize("name, chapter", [
    ("02_linear_model", "02_linear_model"),
    ("02_linear_model (1)", "02_linear_model"),
    ("02-Linear-Model", "02_linear_model"),
    ("Copy of 03_gradient_descent", "03_gradient_descent"),
    ("03_gradient_descent-Copy1", "03_gradient_descent"),
    ("linear_model", "02_linear_model"),
    ("04_backprop_final", "04_backprop"),
    ("backprop", "04_backprop"),
    ("Untitled", None),
    ("notes", None),
    ("homework", None),
])
def test_names_close_to_a_chapters(name, chapter):
    found, note = match_chapter(name, CHAPTERS)
    assert found == chapter, note
    assert bool(note) == (chapter is not None and name != chapter) or chapter is None
