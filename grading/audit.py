"""What each grade was computed from: ``course/audit/<chapter>/<student>.json``.

A record holds the SHA-256 of the submission's file, of the checks (the
``course_utils`` package, the chapter's source notebook and the grading
engine) and of the configuration (the limits and the secret's own hash,
never the secret), with the isolation used, each exercise's score and
message, and when it was graded. ``python -m grading audit`` shows them.
Regrading skips a submission whose three hashes are unchanged.
"""
import json
from datetime import datetime, timezone
from pathlib import Path

AUDIT_DIR = "audit"


def _path(course_dir, chapter, student):
    return Path(course_dir) / AUDIT_DIR / chapter / f"{student}.json"


def record(course_dir, chapter, student, *, submission, checks, config, isolation, graded,
           status, reason):
    """Write the audit record of one grading."""
    path = _path(course_dir, chapter, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"chapter": chapter, "student": student,
             "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "hashes": {"submission": submission, "checks": checks, "config": config},
             "isolation": "bubblewrap" if isolation.bwrap else "limits only",
             "isolation_missing": list(isolation.missing),
             "status": str(status), "reason": reason,
             "score": graded.score, "max_score": graded.max_score,
             "exercises": [{"name": e.name, "score": e.score, "points": e.points,
                            "message": e.message} for e in graded.exercises]}
    path.write_text(json.dumps(entry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def unchanged(course_dir, chapter, student, **hashes):
    """The record of ``student``'s last grading if it used exactly ``hashes``, else None."""
    path = _path(course_dir, chapter, student)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry if entry.get("hashes") == hashes else None


def remove(course_dir, chapter, student):
    _path(course_dir, chapter, student).unlink(missing_ok=True)


def records(course_dir, chapter=None, student=None):
    """Every audit record, optionally of one chapter and/or one student, sorted."""
    root = Path(course_dir) / AUDIT_DIR
    pattern = f"{chapter or '*'}/{student or '*'}.json"
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(root.glob(pattern))]
