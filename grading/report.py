"""The class at a glance: one offline HTML page written by ``export`` beside its CSV.

Every number on the page comes from the rows written to the CSV
(:func:`grading.reports.grade_rows`), so the two always agree; the check
messages come from the audit records (:mod:`grading.audit`). The page loads
nothing: inline CSS, plots as inline PNG (matplotlib's Agg), no URL, every
text escaped. It shows, per chapter, the distribution of the final scores
and of each exercise's scores, the hardest exercises with their most
frequent check messages, the students missing work and the late
submissions.
"""
import base64
import html
import io
import statistics
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from . import audit
from .config import CourseConfig, format_late

HARDEST = 5  # exercises shown as the hardest
MESSAGES = 3  # most frequent messages shown per exercise

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem;
       color: #1f2328; line-height: 1.45; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f6f8fa; }
img { max-width: 100%; }
.muted { color: #59636e; }
"""


def write(path, rows, *, course_dir, config=None):
    """Write the report of ``rows`` (the CSV's, as dicts) to ``path``; return ``path``."""
    config = config or CourseConfig()
    path = Path(path)
    data = summarize(rows)
    messages = _messages(course_dir, data)
    page = _page(data, messages, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _number(text):
    return float(text) if text not in ("", None) else 0.0


def summarize(rows):
    """What the page shows, computed from the CSV's rows only."""
    chapters, exercises, submissions = [], {}, {}
    for row in rows:
        chapter, student = row["assignment"], row["student_id"]
        if chapter not in chapters:
            chapters.append(chapter)
        names = exercises.setdefault(chapter, [])
        if row["exercise"] not in [name for name, _ in names]:
            names.append((row["exercise"], _number(row["max_score"])))
        status = row["status"].split(":", 1)[0]
        entry = submissions.setdefault((student, chapter), {
            "student": student, "chapter": chapter, "status": status,
            "reason": row["status"].split(": ", 1)[1] if ": " in row["status"] else "",
            "submitted_at": row["submitted_at"], "late_hours": _number(row["late_by_hours"]),
            "raw": _number(row["assignment_raw_score"]), "penalty": _number(row["late_penalty"]),
            "final": _number(row["assignment_score"]),
            "max": _number(row["assignment_max_score"]), "scores": {}})
        entry["scores"][row["exercise"]] = _number(row["score"])
    chapters.sort()
    per_chapter, per_exercise = {}, []
    for chapter in chapters:
        entries = [entry for entry in submissions.values() if entry["chapter"] == chapter]
        graded = [entry for entry in entries if entry["status"] == "graded"]
        finals = [entry["final"] for entry in graded]
        per_chapter[chapter] = {
            "students": len(entries), "graded": len(graded),
            "missing": sum(entry["status"] == "missing" for entry in entries),
            "not_graded": sum(entry["status"] in ("broken", "rejected") for entry in entries),
            "late": sum(entry["late_hours"] > 0 for entry in entries),
            "max": entries[0]["max"] if entries else 0.0,
            "mean": statistics.fmean(finals) if finals else None,
            "median": statistics.median(finals) if finals else None,
            "finals": finals}
        for name, points in exercises[chapter]:
            scores = [entry["scores"].get(name, 0.0) for entry in graded]
            per_exercise.append({
                "chapter": chapter, "exercise": name, "points": points, "graded": len(scores),
                "mean": statistics.fmean(scores) if scores else None,
                "full": sum(score >= points for score in scores),
                "partial": sum(0 < score < points for score in scores),
                "zero": sum(score <= 0 for score in scores),
                "lost_by": sorted(entry["student"] for entry in graded
                                  if entry["scores"].get(name, 0.0) < points)})
    hardest = sorted((item for item in per_exercise if item["graded"] and item["points"]),
                     key=lambda item: (item["mean"] / item["points"], chapters.index(
                         item["chapter"])))[:HARDEST]
    hardest = [item for item in hardest if item["mean"] < item["points"]]
    missing = {}
    for entry in sorted(submissions.values(), key=lambda e: (e["student"], e["chapter"])):
        if entry["status"] != "graded":
            missing.setdefault(entry["student"], []).append(entry)
    late = sorted((entry for entry in submissions.values() if entry["late_hours"] > 0),
                  key=lambda e: (e["chapter"], e["student"]))
    return {"chapters": chapters, "per_chapter": per_chapter, "per_exercise": per_exercise,
            "hardest": hardest, "missing": missing, "late": late,
            "students": sorted({student for student, _ in submissions})}


def _messages(course_dir, data):
    """``{(chapter, exercise): Counter of first lines}`` for the hardest exercises, from the
    audit records of the students who lost points on them."""
    found = {}
    for item in data["hardest"]:
        counter = Counter()
        for student in item["lost_by"]:
            for record in audit.records(course_dir, item["chapter"], student):
                for exercise in record.get("exercises", []):
                    if exercise.get("name") == item["exercise"] and exercise.get("message"):
                        counter[exercise["message"].strip().splitlines()[0][:240]] += 1
        found[item["chapter"], item["exercise"]] = counter
    return found


# ------------------------------------------------------------------ plots


def _png(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _chapter_plot(data):
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    chapters = data["chapters"]
    figure = Figure(figsize=(3.2 * max(1, len(chapters)), 2.6))
    for index, chapter in enumerate(chapters, start=1):
        axes = figure.add_subplot(1, len(chapters), index)
        summary = data["per_chapter"][chapter]
        top = summary["max"] or 1
        bins = [edge * top / 10 for edge in range(11)]
        axes.hist(summary["finals"], bins=bins, color="#0969da", edgecolor="white")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if not summary["finals"]:
            axes.set_ylim(0, 1)
            axes.text(0.5, 0.5, "nothing graded", transform=axes.transAxes, ha="center",
                      fontsize=8, color="#59636e")
        axes.set_title(chapter, fontsize=9)
        axes.set_xlabel("final score", fontsize=8)
        axes.set_xlim(0, top)
        axes.tick_params(labelsize=7)
        if index == 1:
            axes.set_ylabel("students", fontsize=8)
    figure.tight_layout()
    return _png(figure)


def _exercise_plot(data):
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    chapters = data["chapters"]
    figure = Figure(figsize=(8, 1.2 + 0.45 * len(data["per_exercise"]) + 0.6 * len(chapters)))
    for index, chapter in enumerate(chapters, start=1):
        items = [item for item in data["per_exercise"] if item["chapter"] == chapter]
        axes = figure.add_subplot(len(chapters), 1, index)
        names = [item["exercise"] for item in items][::-1]
        left = [0] * len(items)
        for key, color in (("full", "#1a7f37"), ("partial", "#bf8700"), ("zero", "#cf222e")):
            values = [item[key] for item in items][::-1]
            axes.barh(names, values, left=left, color=color, label=key)
            left = [a + b for a, b in zip(left, values)]
        axes.set_title(chapter, fontsize=9)
        axes.tick_params(labelsize=7)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max([1, *(item["graded"] for item in items)]))
        if not any(item["graded"] for item in items):
            axes.text(0.5, 0.5, "nothing graded", transform=axes.transAxes, ha="center",
                      fontsize=8, color="#59636e")
        if index == 1:
            axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 1.35), ncols=3)
    axes.set_xlabel("graded submissions: full marks, partial, zero", fontsize=8)
    figure.tight_layout()
    return _png(figure)


# ------------------------------------------------------------------ the page


class _Html(str):
    """Text already escaped, for a table cell."""


def _e(text):
    return text if isinstance(text, _Html) else html.escape(str(text))


def _score(value):
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _table(table_id, header, rows, numeric=()):
    head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
    body = "\n".join("<tr>" + "".join(
        f'<td class="n">{_e(cell)}</td>' if index in numeric else f"<td>{_e(cell)}</td>"
        for index, cell in enumerate(row)) + "</tr>" for row in rows)
    return f'<table id="{table_id}">\n<tr>{head}</tr>\n{body}\n</table>'


def _page(data, messages, config):
    chapters = data["chapters"]
    parts = [f"<h1>Grades: {len(data['students'])} students, {len(chapters)} "
             f"chapter{'s' * (len(chapters) != 1)}</h1>",
             f'<p class="muted">Written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC from '
             "the same rows as the CSV; late policy: " + _e(config.late.describe()) + ".</p>"]
    if not chapters:
        parts.append("<p>No grades yet: run autograde first.</p>")
        return _document(parts)

    parts += ["<h2>Chapters</h2>", _table(
        "chapters", ["chapter", "due", "students", "graded", "missing", "not graded", "late",
                     "mean", "median", "max"],
        [[chapter, config.local(config.due_date(chapter)) or "—", s["students"], s["graded"],
          s["missing"], s["not_graded"], s["late"], _score(s["mean"]), _score(s["median"]),
          _score(s["max"])]
         for chapter, s in data["per_chapter"].items()], numeric=range(2, 10)),
        '<p class="muted">Mean and median of the final score (after any late penalty) over '
        "the graded submissions.</p>",
        f'<img alt="final score distribution per chapter" src="data:image/png;base64,'
        f'{_chapter_plot(data)}">']

    parts += ["<h2>Exercises</h2>", _table(
        "exercises", ["chapter", "exercise", "points", "graded", "mean", "full marks",
                      "partial", "zero"],
        [[item["chapter"], item["exercise"], _score(item["points"]), item["graded"],
          _score(item["mean"]), item["full"], item["partial"], item["zero"]]
         for item in data["per_exercise"]], numeric=range(2, 8)),
        f'<img alt="score distribution per exercise" src="data:image/png;base64,'
        f'{_exercise_plot(data)}">']

    parts.append("<h2>Hardest exercises</h2>")
    if data["hardest"]:
        rows = []
        for item in data["hardest"]:
            counter = messages.get((item["chapter"], item["exercise"]), Counter())
            common = _Html("<br>".join(_e(f"{count}× {message}")
                                       for message, count in counter.most_common(MESSAGES)))
            rows.append([item["chapter"], item["exercise"], _score(item["mean"]),
                         _score(item["points"]), len(item["lost_by"]),
                         common or "(no check message: scores from manual grading)"])
        parts.append(_table("hardest", ["chapter", "exercise", "mean", "points",
                                         "students who lost points", "most frequent messages"],
                            rows, numeric=(2, 3, 4)))
    else:
        parts.append("<p>Every graded submission has full marks.</p>")

    parts.append("<h2>Students missing work</h2>")
    if data["missing"]:
        parts.append(_table("missing", ["student", "chapter", "status", "why"], [
            [entry["student"], entry["chapter"], entry["status"], entry["reason"]]
            for entries in data["missing"].values() for entry in entries]))
    else:
        parts.append("<p>Everyone's work is in and graded.</p>")

    parts.append("<h2>Late submissions</h2>")
    if data["late"]:
        parts.append(_table("late", ["student", "chapter", "submitted", "late by", "hours late",
                                     "score", "penalty", "final"], [
            [entry["student"], entry["chapter"], entry["submitted_at"],
             format_late(entry["late_hours"] * 3600), _score(entry["late_hours"]),
             _score(entry["raw"]), _score(entry["penalty"]), _score(entry["final"])]
            for entry in data["late"]], numeric=(4, 5, 6, 7)))
    else:
        parts.append("<p>No late submissions.</p>")
    return _document(parts)


def _document(parts):
    return "\n".join(["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
                      "<title>Grades report</title>", f"<style>{_STYLE}</style>", "</head>",
                      "<body>", *parts, "</body>", "</html>", ""])
