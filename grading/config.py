"""The course's own settings, in one TOML file the instructor edits: ``course.toml``.

It lives at the repository's root (``--config FILE``, or the
``PYTORCH_PRACTICE_CONFIG`` variable, names another) and is read by
release, collect, autograde, feedback, export and status. Every key is
optional: without the file there are no due dates, no late penalty, no
roster (every valid student id is accepted) and the default limits::

    # course.toml
    timezone = "Asia/Shanghai"        # of due dates and zip times without an offset (default: UTC)
    language = "zh"                   # the edition `release` builds: "en" (default) or "zh"

    [due]                             # one due date per chapter
    01_overview = 2026-03-01T23:59:00
    02_linear_model = 2026-03-08T23:59:00+08:00
    03_gradient_descent = 2026-03-15  # a date alone: the end of that day

    [late]                            # the late-penalty policy (default: no penalty)
    percent = 10                      # taken off per started `per` late, in % of the chapter's points
    per = "day"                       # "day" or "hour"
    max_percent = 50                  # never more than this in all (100: down to 0)
    grace_minutes = 15                # up to this late counts as on time

    [roster]                          # who may submit (default: anyone)
    students = ["alice", "bob"]       # or: file = "roster.csv" (a student_id column, or one id a line)

    [collect]
    zip_patterns = ['(?P<student_id>.+?)_(?P<file_id>\\d\\d_.+)']
                                      # file names in an LMS zip, as nbgrader zip_collect's
                                      # named_regexp: groups student_id, file_id, optionally timestamp
    max_file_mb = 512                 # a larger submission is not read: 0 with the reason
    max_notebook_mb = 32              # its size without outputs (which grading never reads)
    max_zip_mb = 4096                 # what one zip may unpack to, in all

Lateness is the submission time (kept by ``collect``) against the chapter's
due date; the penalty is ``percent`` of the chapter's points for every started
day (or hour) late, at most ``max_percent``, and never more than the score.
"""
import csv
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from course_utils.i18n import LANGUAGES

from .base import GradingError
from .settings import CONFIG_FILE

# nbgrader's FileNameCollectorPlugin.named_regexp, tried in order on each file name in a
# zip (and on notebooks loose in a folder): Blackboard's
# "<assignment>_<student>_attempt_<time>_<file>" (nbgrader's documented example), then
# "<student>_<chapter>" with the chapter's NN_ number, then "<student>_<name>" with a
# name close to a chapter's.
ZIP_PATTERNS = (
    r".*?_(?P<student_id>[A-Za-z0-9][\w.-]*)_attempt_(?P<timestamp>[0-9-]+)_(?P<file_id>.+)",
    r"(?P<student_id>[A-Za-z0-9][\w.-]*?)[_-]+(?P<file_id>\d\d[_-].+)",
    r"(?P<student_id>[A-Za-z0-9][\w.-]*?)[_-]+(?P<file_id>[^_-].+)",
)

_KEYS = {
    "": {"timezone", "language", "due", "late", "roster", "collect"},
    "late": {"percent", "per", "max_percent", "grace_minutes"},
    "roster": {"students", "file"},
    "collect": {"zip_patterns", "max_file_mb", "max_notebook_mb", "max_zip_mb"},
}
_UNITS = {"day": 86400, "hour": 3600}


@dataclass(frozen=True)
class LatePolicy:
    percent: float = 0.0  # of the chapter's points, per started unit late
    per: str = "day"
    max_percent: float = 100.0
    grace_minutes: float = 0.0

    def penalty(self, seconds_late, raw_score, max_score):
        """Points taken off a submission ``seconds_late`` late that scored ``raw_score``."""
        if not seconds_late or seconds_late <= self.grace_minutes * 60 or not self.percent:
            return 0.0
        units = math.ceil(seconds_late / _UNITS[self.per])
        percent = min(self.max_percent, self.percent * units)
        return round(min(max(raw_score, 0.0), max_score * percent / 100), 4)

    def describe(self):
        if not self.percent:
            return "no penalty for late submissions"
        text = f"{self.percent:g}% of the points per started {self.per} late"
        if self.max_percent < 100:
            text += f", at most {self.max_percent:g}%"
        if self.grace_minutes:
            text += f", after {self.grace_minutes:g} min of grace"
        return text


@dataclass(frozen=True)
class Limits:
    """How much of a submission intake reads."""
    max_file_mb: float = 512
    max_notebook_mb: float = 32
    max_zip_mb: float = 4096


@dataclass(frozen=True)
class CourseConfig:
    path: Path | None = None  # None: no file, the defaults
    timezone: str = "UTC"
    language: str = "en"  # the edition `release` builds
    due: dict = field(default_factory=dict)  # chapter: aware datetime in UTC
    late: LatePolicy = LatePolicy()
    roster: frozenset | None = None  # None: anyone may submit
    zip_patterns: tuple = ZIP_PATTERNS
    limits: Limits = Limits()

    @property
    def zone(self):
        return ZoneInfo(self.timezone)

    def to_utc(self, moment):
        """``moment`` as an aware UTC datetime; a naive one is in the course's time zone."""
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(timezone.utc)

    def due_date(self, chapter):
        return self.due.get(chapter)

    def seconds_late(self, chapter, submitted_at):
        """How late ``submitted_at`` is for ``chapter``: 0 without a due date or time,
        and within the grace period, which counts as on time."""
        due = self.due.get(chapter)
        if due is None or submitted_at is None:
            return 0.0
        late = (self.to_utc(submitted_at) - due).total_seconds()
        return late if late > self.late.grace_minutes * 60 else 0.0

    def penalty(self, chapter, submitted_at, raw_score, max_score):
        return self.late.penalty(self.seconds_late(chapter, submitted_at), raw_score, max_score)

    def on_roster(self, student):
        return self.roster is None or student in self.roster

    def unknown_chapters(self, chapters):
        """Chapters the config gives a due date that are not among ``chapters``."""
        return sorted(set(self.due) - set(chapters))

    def local(self, moment):
        """``moment`` in the course's time zone, as text for the instructor."""
        if moment is None:
            return ""
        return f"{self.to_utc(moment).astimezone(self.zone):%Y-%m-%d %H:%M %Z}"


def default_path():
    return Path(os.environ.get("PYTORCH_PRACTICE_CONFIG", CONFIG_FILE))


def load(path=None, *, required=False):
    """The course config at ``path``; the defaults if it does not exist and is not ``required``.

    Raises :class:`GradingError` naming the file and the problem for anything
    it cannot read: invalid TOML, an unknown key (a typo), a bad value.
    """
    if path is None:
        return CourseConfig()
    path = Path(path)
    if not path.is_file():
        if required:
            raise GradingError(f"no course config at {path}")
        return CourseConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GradingError(f"{path}: not valid TOML: {error}") from None

    def fail(message):
        raise GradingError(f"{path}: {message}")

    for table, allowed in _KEYS.items():
        section = data if not table else data.get(table, {})
        if not isinstance(section, dict):
            fail(f"[{table}] must be a table")
        unknown = sorted(set(section) - allowed)
        if unknown:
            where = f"in [{table}]" if table else "at the top"
            fail(f"unknown key{'s' * (len(unknown) > 1)} {', '.join(unknown)} {where}; "
                 f"known: {', '.join(sorted(allowed))}")

    zone_name = data.get("timezone", "UTC")
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown timezone {zone_name!r}: use an IANA name such as 'Asia/Shanghai' or 'UTC'")

    language = data.get("language", "en")
    if language not in LANGUAGES:
        fail(f"language must be one of {', '.join(map(repr, LANGUAGES))}, not {language!r}")

    due = {}
    for chapter, value in data.get("due", {}).items():
        due[chapter] = _due_date(value, zone, lambda m, c=chapter: fail(f"[due] {c}: {m}"))

    late = data.get("late", {})
    policy = LatePolicy(**{key: _number(late, key, fail) for key in
                           ("percent", "max_percent", "grace_minutes") if key in late},
                        per=late.get("per", "day"))
    if policy.per not in _UNITS:
        fail(f"[late] per must be \"day\" or \"hour\", not {policy.per!r}")
    for key in ("percent", "max_percent"):
        if not 0 <= getattr(policy, key) <= 100:
            fail(f"[late] {key} must be between 0 and 100")

    roster = None
    if "roster" in data:
        roster = _roster(data["roster"], path.parent, fail)

    collect = data.get("collect", {})
    patterns = collect.get("zip_patterns", ZIP_PATTERNS)
    patterns = (patterns,) if isinstance(patterns, str) else tuple(patterns)
    for pattern in patterns:
        try:
            groups = re.compile(pattern).groupindex
        except (re.error, TypeError) as error:
            fail(f"[collect] zip_patterns: {pattern!r} is not a regular expression ({error})")
        if not {"student_id", "file_id"} <= set(groups):
            fail(f"[collect] zip_patterns: {pattern!r} needs the groups (?P<student_id>...) "
                 "and (?P<file_id>...)")
    limits = Limits(**{key: _number(collect, key, fail) for key in
                       ("max_file_mb", "max_notebook_mb", "max_zip_mb") if key in collect})
    return CourseConfig(path=path, timezone=zone.key, language=language, due=due, late=policy, roster=roster,
                        zip_patterns=patterns, limits=limits)


def _number(table, key, fail):
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        fail(f"{key} must be a number >= 0, not {value!r}")
    return float(value)


def _due_date(value, zone, fail):
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                fail(f"{value!r} is not a date: write e.g. 2026-03-08T23:59:00+08:00")
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        moment = datetime.combine(value, time(23, 59, 59), tzinfo=zone)
    else:
        fail(f"{value!r} is not a date: write e.g. 2026-03-08T23:59:00+08:00")
    return moment.astimezone(timezone.utc)


def _roster(table, folder, fail):
    if "students" in table and "file" in table:
        fail("[roster] takes students or file, not both")
    if "students" in table:
        students = table["students"]
        if not isinstance(students, list) or not all(isinstance(s, str) for s in students):
            fail("[roster] students must be a list of student ids")
        return frozenset(students)
    if "file" not in table:
        fail("[roster] needs students = [...] or file = \"...\"")
    roster_file = folder / table["file"]
    try:
        text = roster_file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"[roster] cannot read {roster_file}: {error}")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if lines and ("," in lines[0] or "\t" in lines[0]):
        rows = list(csv.reader(lines, dialect=csv.Sniffer().sniff(lines[0], ",\t;")))
        header = [cell.strip().lower() for cell in rows[0]]
        column = header.index("student_id") if "student_id" in header else \
            header.index("id") if "id" in header else None
        if column is None:
            fail(f"[roster] {roster_file}: no student_id column in {rows[0]}")
        return frozenset(row[column].strip() for row in rows[1:] if len(row) > column
                         and row[column].strip())
    return frozenset(line.strip() for line in lines)


def format_late(seconds):
    """``seconds`` late as text: "2 d 3 h", "5 h 10 min", "12 min"."""
    minutes = math.ceil(seconds / 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
