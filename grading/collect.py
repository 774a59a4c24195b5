"""Collecting submissions into the course, from a folder, an LMS zip or nbgrader's exchange.

``collect(SOURCE...)`` copies each learner's latest notebook of each chapter to
``course/collected/<student_id>/<chapter>.ipynb`` and records where it came
from and when it was submitted in ``course/collected/collection.json``;
``autograde`` without a folder grades what is there. A source is read,
never written.

* **A folder**: ``SOURCE/<student_id>/<chapter>.ipynb``. Folders that hold
  only folders are sections (``SOURCE/section-a/<student_id>/...``), at any
  depth; a folder with notebooks in it (or a folder named like a chapter, as
  in nbgrader's ``<student>/<chapter>/<chapter>.ipynb``) is a student's, and
  with a roster, a folder named like a student on it is one. Notebooks loose
  in the source or a section are taken if their name says whose they are
  (the zip convention below). The submission time is the file's modification
  time: copy folders with their times (``cp -p``, ``rsync -t``).
* **A zip from an LMS**: each file name as nbgrader's ``zip_collect`` reads
  it, by regular expressions with the groups ``student_id``, ``file_id`` and
  optionally ``timestamp`` (``[collect] zip_patterns`` of the course config;
  by default ``<student>_<chapter>.ipynb`` and Blackboard's
  ``<assignment>_<student>_attempt_<time>_<chapter>.ipynb``); folders in the
  zip are read as a folder source. The submission time is the timestamp in
  the name, else the entry's time (in the course's time zone). Entries that
  are links, absolute paths or paths out of the zip's folder are refused,
  and sizes are checked before anything is unpacked.
* **nbgrader's exchange** (the exchange root, the course's folder in it, or
  its ``inbound`` folder): each ``inbound/<student>+<chapter>+<timestamp>+...``
  folder, read with nbgrader's own code, at the time in its name. Where the
  students are users of this machine, a folder that another student made in
  a student's name is refused.

A notebook whose name is close to a chapter's (``02_linear_model (1).ipynb``,
``02-Linear-Model.ipynb``) is taken for that chapter, with a warning. Of
several submissions of the same chapter by the same student the latest is
kept, and the report says which. A file that belongs to no student and
chapter is reported, never dropped silently; one that belongs to a
submission but cannot be taken (too large, a link) is recorded as that
submission, which autograde then gives 0 with the reason.
"""
import contextlib
import hashlib
import json
import os
import pwd
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from dateutil import parser as dateparser

from . import intake
from .config import CourseConfig
from .course import COURSE_ID, NBGRADER_LOG, GradingError, releasable_chapters
from .names import hidden as _hidden
from .names import match_chapter
from .settings import COURSE_DIR, NOTEBOOKS_DIR

COLLECTED_DIR = "collected"
MANIFEST = "collection.json"
MB = 1024 * 1024
# Files nbgrader's exchange puts beside a submission's notebooks.
EXCHANGE_FILES = {"timestamp.txt", "submission_secret.txt"}


@dataclass
class Candidate:
    """One notebook that belongs to a student and a chapter."""
    student: str
    chapter: str
    submitted_at: datetime  # aware, UTC
    origin: str  # where it is, for people: "class.zip: alice_02_linear_model.ipynb"
    size: int = 0
    open: Callable | None = None  # a binary stream of its bytes
    problem: str = ""  # why it cannot be taken, if so: it is then recorded as broken
    note: str = ""  # e.g. how its name was read
    secret: str = ""  # nbgrader's submission_secret.txt, from the exchange


@dataclass
class Report:
    """What one ``collect`` did, for the instructor."""
    collected: list = field(default_factory=list)  # Candidates new to the collection
    replaced: list = field(default_factory=list)  # (Candidate, what it replaced)
    unchanged: list = field(default_factory=list)  # Candidates already collected
    kept_newer: list = field(default_factory=list)  # (Candidate, the newer one already there)
    duplicates: list = field(default_factory=list)  # messages: which was kept, which not
    warnings: list = field(default_factory=list)  # names mapped, students not on the roster
    not_collected: list = field(default_factory=list)  # (origin, why): files that do not belong
    errors: list = field(default_factory=list)  # (source, why): sources not read at all
    skipped: list = field(default_factory=list)  # system files (.DS_Store, __MACOSX, ...)


@dataclass
class _File:
    parts: tuple  # its path inside the source
    size: int
    mtime: datetime | None
    open: Callable | None
    origin: str
    problem: str = ""


# ------------------------------------------------------------------ names


def _parse_name(filename, config, chapters):
    """``(student, chapter, timestamp or None, note)`` from a file name by the zip
    convention (nbgrader's FileNameCollectorPlugin), or None."""
    from nbgrader.plugins import FileNameCollectorPlugin

    for pattern in config.zip_patterns:
        info = FileNameCollectorPlugin(named_regexp=pattern, log=NBGRADER_LOG).collect(filename)
        if not info or not info.get("student_id") or not info.get("file_id"):
            continue
        chapter, note = match_chapter(info["file_id"].removesuffix(".ipynb"), chapters)
        if chapter is None:
            continue
        return info["student_id"], chapter, info.get("timestamp"), note
    return None


# ------------------------------------------------------------------ sources


def collect(sources, *, course_dir=COURSE_DIR, notebooks_dir=NOTEBOOKS_DIR, config=None,
            exercises=None):
    """Collect every source (a folder, a zip file or nbgrader's exchange) into the
    course's collection; return the :class:`Report`.

    A source that cannot be read at all is in ``report.errors``; the others are
    collected anyway.
    """
    config = config or CourseConfig()
    course_dir = Path(course_dir).resolve()
    chapters = releasable_chapters(notebooks_dir, exercises)[0]
    if not chapters:
        raise GradingError(f"no chapter in {notebooks_dir} has a checks module: nothing to "
                           "collect for")
    report = Report()
    candidates, per_source = [], {}
    for source in sources:
        source = Path(source).resolve()
        start = len(report.not_collected)
        try:
            candidates += _read_source(source, chapters, config, report)
            error = ""
        except _SourceError as problem:
            error = str(problem)
            report.errors.append((str(source), error))
        per_source[str(source)] = {"not_collected": report.not_collected[start:],
                                   "error": error}
    chosen = _latest(candidates, report)
    _store(chosen, course_dir, config, report, per_source)
    return report


class _SourceError(Exception):
    """A source that cannot be read at all."""


def _read_source(source, chapters, config, report):
    if not source.exists():
        raise _SourceError("no such file or folder")
    if source.is_dir():
        inbound = _exchange_inbound(source)
        if inbound is not None:
            return _exchange(source, inbound, chapters, config, report)
        return _classify(_folder_files(source, report), chapters, config, report)
    if source.suffix.lower() == ".zip" or zipfile.is_zipfile(source):
        return _classify(_zip_files(source, config, report), chapters, config, report)
    raise _SourceError("not a folder, a zip file or nbgrader's exchange")


def _utc(timestamp):
    return datetime.fromtimestamp(timestamp, timezone.utc)


def _folder_files(source, report):
    files = []
    for root, folders, names in os.walk(source):
        root = Path(root)
        relative = root.relative_to(source).parts
        shown = Path(source.name, *relative)
        for name in list(folders):
            if _hidden(name):
                report.skipped.append(f"{shown / name}/")
                folders.remove(name)
            elif (root / name).is_symlink():
                files.append(_File((*relative, name), 0, None, None, str(shown / name),
                                   "a symbolic link to a folder, not followed"))
        for name in names:
            path = root / name
            if _hidden(name):
                report.skipped.append(str(shown / name))
                continue
            info = path.lstat()
            problem = ("a symbolic link, not followed" if stat.S_ISLNK(info.st_mode) else
                       "" if stat.S_ISREG(info.st_mode) else "not a regular file")
            files.append(_File((*relative, name), info.st_size, _utc(info.st_mtime),
                               None if problem else (lambda path=path: open(path, "rb")),
                               str(shown / name), problem))
    return files


def _zip_files(source, config, report):
    """The files of a zip, each checked before anything is unpacked."""
    if source.stat().st_size == 0:
        raise _SourceError("the file is empty (0 bytes), not a zip archive")
    try:
        archive = zipfile.ZipFile(source)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise _SourceError(f"not a readable zip archive, corrupt or cut short ({error})") \
            from None
    if not infos:
        raise _SourceError("the zip archive is empty: no files in it")
    total = sum(info.file_size for info in infos)
    if total > config.limits.max_zip_mb * MB:
        raise _SourceError(f"it would unpack to {total / MB:,.0f} MB, over the "
                           f"{config.limits.max_zip_mb:g} MB limit; nothing was unpacked")
    files = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        origin = f"{source.name}: {info.filename}"
        parts = tuple(part for part in name.split("/") if part not in ("", "."))
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
            report.not_collected.append((origin, "an absolute path in the zip: refused"))
            continue
        if ".." in parts:
            report.not_collected.append(
                (origin, "a path out of the zip's folder (zip slip): refused"))
            continue
        if info.is_dir() or not parts:
            continue
        if any(_hidden(part) for part in parts):
            report.skipped.append(origin)
            continue
        mode = info.external_attr >> 16
        problem = ("a symbolic link: refused" if stat.S_ISLNK(mode) else
                   "encrypted: cannot be read" if info.flag_bits & 0x1 else "")
        moment = config.to_utc(datetime(*info.date_time)) if info.date_time[0] >= 1980 else None
        files.append(_File(parts, info.file_size, moment,
                           None if problem else (lambda info=info: archive.open(info)),
                           origin, problem))
    return files


def _exchange_inbound(source):
    """The ``inbound`` folder of nbgrader's exchange at ``source``, or None if it is none."""
    if source.name == "inbound" and any("+" in entry.name for entry in source.iterdir()):
        return source
    if (source / "inbound").is_dir():
        return source / "inbound"
    courses = sorted(path.parent for path in source.glob("*/inbound") if path.is_dir())
    if not courses:
        return None
    mine = [course for course in courses if course.name == COURSE_ID]
    if mine or len(courses) == 1:
        return (mine or courses)[0] / "inbound"
    raise _SourceError("nbgrader's exchange with several courses (" +
                       ", ".join(course.name for course in courses) +
                       f"): name the course's folder, e.g. {courses[0]}")


def _in_anothers_name(folder, student):
    """Why ``folder`` is not ``student``'s own submission, or "" if it may be.

    Anyone who may submit may write any name into the exchange. Where the
    students are this machine's users (a JupyterHub, deploy/hub), a folder made
    by another student in ``student``'s name is refused. A folder of the
    student's, of root's or of the grader's own is taken; so is any folder
    where ``student`` is no user here (the exchange copied from elsewhere).
    """
    try:
        expected = pwd.getpwnam(student).pw_uid
    except KeyError:
        return ""
    owner = folder.lstat().st_uid
    if owner in (expected, 0, os.geteuid()):
        return ""
    try:
        maker = pwd.getpwuid(owner).pw_name
    except KeyError:
        maker = f"uid {owner}"
    return f"made by {maker}, not by {student}: a submission in another's name, refused"


def _exchange(source, inbound, chapters, config, report):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.abc.exchange import ExchangeError
    from nbgrader.exchange.default.collect import ExchangeCollect
    from nbgrader.utils import parse_utc

    reader = ExchangeCollect(coursedir=CourseDirectory(), authenticator=Authenticator(),
                             log=NBGRADER_LOG)
    candidates = []
    for folder in sorted(inbound.iterdir()):
        origin = str(folder.relative_to(source.parent))
        if _hidden(folder.name):
            report.skipped.append(origin)
            continue
        if not folder.is_dir() or folder.is_symlink():
            report.not_collected.append((origin, "not a submission folder"))
            continue
        # Named <student>+<assignment>+<timestamp>[+<random>], read as nbgrader's collect
        # does; the time from timestamp.txt if the name's cannot be read.
        name_parts = folder.name.rsplit("+", 3)
        try:
            if len(name_parts) < 3:
                raise ExchangeError(folder.name)
            try:
                record = reader._path_to_record(str(folder))
            except (ValueError, OverflowError):
                record = {"username": name_parts[0], "timestamp": parse_utc(
                    (folder / "timestamp.txt").read_text().strip())}
            submitted_at = record["timestamp"].replace(tzinfo=timezone.utc)
        except (ExchangeError, OSError, ValueError, OverflowError):
            report.not_collected.append((origin, "not named <student>+<assignment>+"
                                         "<timestamp> as nbgrader submit names it"))
            continue
        student, assignment = record["username"], name_parts[1]
        impostor = _in_anothers_name(folder, student)
        if impostor:
            report.not_collected.append((origin, impostor))
            continue
        chapter, note = match_chapter(assignment, chapters)
        if chapter is None:
            report.not_collected.append((origin, f"assignment {assignment!r}: {note}"))
            continue
        secret_file = folder / "submission_secret.txt"
        secret = secret_file.read_text().strip() if secret_file.is_file() else ""
        files = [_File(path.relative_to(folder).parts, path.lstat().st_size,
                       submitted_at, lambda path=path: open(path, "rb"),
                       f"{origin}/{path.relative_to(folder)}",
                       "a symbolic link, not followed" if path.is_symlink() else "")
                 for path in sorted(folder.rglob("*"))
                 if not path.is_dir() and path.name not in EXCHANGE_FILES]
        found = []
        for file in files:
            if any(_hidden(part) for part in file.parts):
                report.skipped.append(file.origin)
                continue
            stem = file.parts[-1].removesuffix(".ipynb")
            taken, why = match_chapter(stem, [chapter])
            if len(file.parts) == 1 and file.parts[-1].endswith(".ipynb") and taken:
                found.append((file, note or why))
            else:
                report.not_collected.append((file.origin, "not the notebook of the "
                                             f"{chapter} submission it is in"))
        if not found:
            report.not_collected.append((origin, f"no {chapter}.ipynb in this submission"))
        for file, why in found:
            candidates.append(_candidate(student, chapter, submitted_at, file, why, config,
                                         report, secret=secret))
    return [candidate for candidate in candidates if candidate is not None]


# ------------------------------------------------------------------ whose is what


def _classify(files, chapters, config, report):
    """The candidates among ``files`` (of a folder or zip), by their place and name."""
    tree = {}
    for file in files:
        node = tree
        for part in file.parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a file and a folder of the same name
                report.not_collected.append((file.origin, "beside a file of the same name"))
                break
            node = child
        else:
            node[file.parts[-1]] = file
    candidates = []
    _visit_container(tree, chapters, config, report, candidates)
    return [candidate for candidate in candidates if candidate is not None]


def _files_under(node):
    for child in node.values():
        if isinstance(child, dict):
            yield from _files_under(child)
        else:
            yield child


def _visit_container(node, chapters, config, report, candidates):
    """The source's top or a section: folders of students and sections, loose files."""
    for name, child in sorted(node.items()):
        if isinstance(child, dict):
            if _is_student_folder(name, child, chapters, config):
                _visit_student(name, child, chapters, config, report, candidates)
            else:
                _visit_container(child, chapters, config, report, candidates)
            continue
        if child.problem:
            report.not_collected.append((child.origin, child.problem))
        elif name.endswith(".ipynb"):
            parsed = _parse_name(name, config, chapters)
            if parsed is None:
                report.not_collected.append((child.origin, (
                    "a notebook outside any student's folder whose name does not say whose "
                    "it is (expected <student_id>_<chapter>.ipynb, or "
                    "<student_id>/<chapter>.ipynb)")))
                continue
            student, chapter, stamp, note = parsed
            submitted_at = child.mtime
            if stamp:
                try:
                    submitted_at = config.to_utc(dateparser.parse(stamp))
                except (ValueError, OverflowError):
                    report.warnings.append(f"{child.origin}: cannot read the time {stamp!r} "
                                           "in its name; took the file's time")
            candidates.append(_candidate(student, chapter, submitted_at, child, note,
                                         config, report))
        elif name.lower().endswith((".zip", ".tar", ".gz", ".tgz", ".7z", ".rar")):
            report.not_collected.append((child.origin, "an archive inside the source: "
                                         "collect it on its own (collect FILE.zip)"))
        else:
            report.not_collected.append((child.origin, "not a notebook (.ipynb)"))


def _is_student_folder(name, node, chapters, config):
    """Whether the folder ``name`` is a student's (else a section): on the roster, or
    holding a notebook named like a chapter (or nbgrader's ``<chapter>/`` folder), or
    holding no folders, unless all its notebooks are named ``<student>_<chapter>.ipynb``."""
    if config.roster is not None and name in config.roster:
        return True
    notebooks = [child_name for child_name, child in node.items()
                 if not isinstance(child, dict) and child_name.endswith(".ipynb")
                 and not _hidden(child_name)]
    named = {}  # notebooks named for another student, by the zip convention
    for notebook in notebooks:
        parsed = _parse_name(notebook, config, chapters)
        if parsed and parsed[0] != name and not parsed[3]:
            named[notebook] = parsed
    if any(match_chapter(notebook.removesuffix(".ipynb"), chapters)[0]
           for notebook in notebooks if notebook not in named):
        return True
    folders = [child_name for child_name, child in node.items() if isinstance(child, dict)]
    if any(match_chapter(folder, chapters)[0] for folder in folders):
        return True
    return not folders and not (notebooks and len(named) == len(notebooks))


def _visit_student(student, node, chapters, config, report, candidates):
    for name, child in sorted(node.items()):
        if isinstance(child, dict):
            chapter, note = match_chapter(name, chapters)
            submitted_at = _nbgrader_timestamp(child) if chapter else None
            for file in _files_under(child):
                if chapter and file.parts[-2] == name and file.parts[-1] in EXCHANGE_FILES:
                    continue  # nbgrader's own, beside the notebook
                # nbgrader's layout: <student>/<chapter>/<chapter>.ipynb
                inner, why = match_chapter(file.parts[-1].removesuffix(".ipynb"), [chapter]) \
                    if chapter else (None, "")
                if chapter is None:
                    report.not_collected.append((file.origin, f"in a subfolder of {student}'s "
                                                 "folder: notebooks belong directly in it"))
                elif inner and file.parts[-1].endswith(".ipynb") and file.parts[-2] == name:
                    candidates.append(_candidate(student, chapter, submitted_at or file.mtime,
                                                 file, note or why, config, report))
                else:
                    report.not_collected.append((file.origin, f"not the {chapter} notebook "
                                                 f"in {student}'s folder {name}"))
            continue
        if name.endswith(".ipynb"):
            chapter, note = match_chapter(name.removesuffix(".ipynb"), chapters)
            if chapter is None:
                report.not_collected.append((child.origin, f"in {student}'s folder, but "
                                             f"{note}"))
            else:
                candidates.append(_candidate(student, chapter, child.mtime, child, note,
                                             config, report))
        elif child.problem:
            report.not_collected.append((child.origin, child.problem))
        else:
            report.not_collected.append((child.origin, f"in {student}'s folder, but not a "
                                         "notebook (.ipynb)"))


def _nbgrader_timestamp(folder):
    """The time in nbgrader's ``timestamp.txt`` in ``folder`` (a tree node), or None."""
    from nbgrader.utils import parse_utc

    file = folder.get("timestamp.txt")
    if isinstance(file, _File) and not file.problem and file.size < 1000:
        try:
            with file.open() as stream:
                return parse_utc(stream.read().decode().strip()).replace(tzinfo=timezone.utc)
        except (OSError, ValueError, OverflowError, UnicodeDecodeError):
            return None
    return None


def _candidate(student, chapter, submitted_at, file, note, config, report, secret=""):
    invalid = intake.invalid_student_id(student)
    if invalid:
        report.not_collected.append((file.origin, invalid))
        return None
    if note:
        report.warnings.append(f"{file.origin}: taken as {student}'s {chapter} ({note})")
    if not config.on_roster(student):
        report.warnings.append(f"{file.origin}: {student} is not on the roster; collected, "
                               "but autograde gives it 0 until the roster has them")
    problem = file.problem
    if not problem and file.size > config.limits.max_file_mb * MB:
        problem = (f"{file.size / MB:,.0f} MB, over the {config.limits.max_file_mb:g} MB a "
                   "submission may be; not read")
    return Candidate(student, chapter, submitted_at or datetime.now(timezone.utc), file.origin,
                     file.size, file.open, problem, note, secret)


# ------------------------------------------------------------------ the latest of each


def _latest(candidates, report):
    groups = {}
    for candidate in candidates:
        groups.setdefault((candidate.student, candidate.chapter), []).append(candidate)
    chosen = []
    for (student, chapter), group in sorted(groups.items()):
        group.sort(key=lambda candidate: (candidate.submitted_at, candidate.origin))
        latest = group[-1]
        for other in group[:-1]:
            report.duplicates.append(
                f"{student} {chapter}: kept {latest.origin} (submitted "
                f"{_text(latest.submitted_at)}), not {other.origin} "
                f"(submitted {_text(other.submitted_at)})")
        chosen.append(latest)
    return chosen


def _text(moment):
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


# ------------------------------------------------------------------ the collection


def collected_dir(course_dir):
    return Path(course_dir) / COLLECTED_DIR


def load_manifest(course_dir):
    """The collection's record: ``{"submissions": {student: {chapter: entry}}, "sources": {}}``."""
    path = collected_dir(course_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError) as error:
        raise GradingError(f"{path} cannot be read ({error}): collect again into a fresh "
                           "course, or restore it") from None
    data.setdefault("submissions", {})
    data.setdefault("sources", {})
    return data


def entries(course_dir):
    """``{student: {chapter: entry}}`` of the collection, times as aware datetimes."""
    result = {}
    for student, chapters in load_manifest(course_dir)["submissions"].items():
        for chapter, entry in chapters.items():
            result.setdefault(student, {})[chapter] = {
                **entry, "submitted_at": datetime.fromisoformat(entry["submitted_at"])}
    return result


def _save_manifest(course_dir, data):
    path = collected_dir(course_dir) / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    os.replace(temporary, path)


def _store(chosen, course_dir, config, report, sources):
    manifest = load_manifest(course_dir)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for candidate in chosen:
        student, chapter = candidate.student, candidate.chapter
        existing = manifest["submissions"].get(student, {}).get(chapter)
        if existing and datetime.fromisoformat(existing["submitted_at"]) > \
                candidate.submitted_at:
            report.kept_newer.append((candidate, existing))
            continue
        target = collected_dir(course_dir) / student / f"{chapter}.ipynb"
        fingerprint, problem = _copy(candidate, target, config)
        entry = {"submitted_at": candidate.submitted_at.isoformat(), "origin": candidate.origin,
                 "collected_at": now, "fingerprint": fingerprint, "size": candidate.size,
                 "note": candidate.note, "problem": problem, "secret": candidate.secret}
        if existing and existing.get("fingerprint") == fingerprint and \
                existing.get("problem") == problem:
            # The same notebook again: it was in at the earlier time, which stays.
            report.unchanged.append(candidate)
            continue
        manifest["submissions"].setdefault(student, {})[chapter] = entry
        candidate.problem = problem
        (report.replaced.append((candidate, existing)) if existing
         else report.collected.append(candidate))
    for source, found in sources.items():
        manifest["sources"][source] = {
            "collected_at": now, "error": found["error"],
            "not_collected": [[origin, why] for origin, why in found["not_collected"]]}
    _save_manifest(course_dir, manifest)


def _copy(candidate, target, config):
    """Copy the candidate's bytes to ``target``; return ``(fingerprint, problem)``.

    The fingerprint is the audit's (:func:`grading.engine.fingerprint` of the
    bytes); a candidate that cannot be taken leaves no file and has the
    fingerprint of its problem.
    """
    problem = candidate.problem
    if not problem:
        cap = config.limits.max_file_mb * MB
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".part")
        digest, size = hashlib.sha256(), 0
        try:
            with candidate.open() as source, open(temporary, "wb") as out:
                while chunk := source.read(MB):
                    size += len(chunk)
                    if size > cap:
                        problem = (f"over the {config.limits.max_file_mb:g} MB a submission "
                                   "may be; not read")
                        break
                    digest.update(chunk)
                    out.write(chunk)
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError) as error:
            problem = f"cannot be read from its source ({error})"
        if not problem:
            os.replace(temporary, target)
            digest.update(b"\0")  # as engine.fingerprint(raw) has it
            return digest.hexdigest(), ""
        temporary.unlink(missing_ok=True)
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    return hashlib.sha256(f"problem\0{problem}".encode()).hexdigest(), problem
