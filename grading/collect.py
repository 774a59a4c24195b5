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
  time: copy folders with their times (``cp -p``, ``rsync -t``); for a file
  that a student owns (a folder they write into themselves), never earlier
  than its change time (see below).
* **A zip from an LMS**: each file name as nbgrader's ``zip_collect`` reads
  it, by regular expressions with the groups ``student_id``, ``file_id`` and
  optionally ``timestamp`` (``[collect] zip_patterns`` of the course config;
  by default ``<student>_<chapter>.ipynb`` and Blackboard's
  ``<assignment>_<student>_attempt_<time>_<chapter>.ipynb``); folders in the
  zip are read as a folder source. The submission time is the timestamp in
  the part of the name the LMS writes (before the student's own file name),
  else the entry's time (in the course's time zone). Entries that
  are links, absolute paths or paths out of the zip's folder are refused,
  and sizes are checked before anything is unpacked.
* **nbgrader's exchange** (the exchange root, the course's folder in it, or
  its ``inbound`` folder): only this course's ``inbound``
  (``<root>/pytorch-practice-course/inbound``), and only if the course's
  folder and ``inbound`` are real folders of root's or of the grader running
  collect, the course's folder writable by nobody else; then each
  ``inbound/<student>+<chapter>+<timestamp>+...`` folder, named as nbgrader
  names it, at the time in its name, but never earlier than the change time
  of the folder and its notebook when a student owns them. Where the
  students are users of this machine, a folder or notebook that another
  student made in a student's name is refused.

Every file and folder of a source is read by :mod:`grading.untrusted`'s rules
(no link followed, regular files only, sizes capped, nothing blocks, no
content quoted); names are shown escaped (:func:`grading.names.shown`). The
change time (``st_ctime``) of what a student wrote is set by the system, not
by the student, so a time in a name, in ``timestamp.txt`` or a modification
time set with ``touch`` never makes a student's own submission earlier than
its last change; what root or the grader owns (a copy the instructor made;
see :func:`grading.untrusted.graders`) keeps the time it claims. One bad entry costs its student (or its file), and
the rest of the source is collected.

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

from . import intake, untrusted
from .config import CourseConfig
from .course import COURSE_ID, NBGRADER_LOG, GradingError, releasable_chapters
from .names import hidden as _hidden
from .names import match_chapter, shown
from .settings import COURSE_DIR, NOTEBOOKS_DIR

COLLECTED_DIR = "collected"
MANIFEST = "collection.json"
MB = 1024 * 1024
# Files nbgrader's exchange puts beside a submission's notebooks.
EXCHANGE_FILES = {"timestamp.txt", "submission_secret.txt"}
SMALL_FILE = 1000  # bytes: the most timestamp.txt or submission_secret.txt may have
# What nbgrader's submit writes as the secret (hex); checked before it is passed on.
SUBMISSION_SECRET = re.compile(r"[\w-]{1,256}", re.ASCII)


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
    local: bool = False  # a file of this machine: its time is bounded again when it is read


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
    mtime: datetime | None  # its time (for a local file: untrusted.submitted_time's)
    open: Callable | None
    origin: str  # escaped, for people
    problem: str = ""
    info: os.stat_result | None = None  # a local file's lstat


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
        stamp = info.get("timestamp")
        if stamp:
            match = re.match(pattern, filename)
            if match.start("timestamp") > match.start("file_id"):
                stamp = None  # in the student's own file name, not the part the LMS wrote
        return info["student_id"], chapter, stamp, note
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
    with contextlib.ExitStack() as open_folders:  # each source's, for reading its files
        for source in sources:
            source = Path(source).resolve()
            start = len(report.not_collected)
            try:
                candidates += _read_source(source, chapters, config, report, open_folders)
                error = ""
            except _SourceError as problem:
                error = str(problem)
            except OSError as problem:
                error = f"cannot be read ({problem.strerror or type(problem).__name__})"
            if error:
                report.errors.append((shown(source), error))
            per_source[shown(source)] = {"not_collected": report.not_collected[start:],
                                         "error": error}
        chosen = _latest(candidates, report)
        _store(chosen, course_dir, config, report, per_source)
    return report


class _SourceError(Exception):
    """A source that cannot be read at all."""


def _read_source(source, chapters, config, report, open_folders):
    if not source.exists():
        raise _SourceError("no such file or folder")
    if source.is_dir():
        course = _exchange_course(source)
        if course is not None:
            inbound = _open_inbound(course)
            open_folders.callback(os.close, inbound)
            return _exchange((course / "inbound").relative_to(source.parent), inbound,
                             chapters, config, report)
        top = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        open_folders.callback(os.close, top)
        return _classify(_folder_files(source, top, report), chapters, config, report)
    if source.suffix.lower() == ".zip" or zipfile.is_zipfile(source):
        return _classify(_zip_files(source, config, report), chapters, config, report)
    raise _SourceError("not a folder, a zip file or nbgrader's exchange")


def _utc(timestamp):
    return datetime.fromtimestamp(timestamp, timezone.utc)


def _folder_files(source, top, report):
    """The files under the folder ``source`` (open as ``top``), none of them read yet."""
    files = []
    for parts, info in untrusted.walk(top, enter=lambda name: not _hidden(name)):
        origin = shown(Path(source.name, *parts))
        if _hidden(parts[-1]):
            report.skipped.append(origin + "/" * stat.S_ISDIR(info.st_mode))
            continue
        problem = ("folders nested too deeply, or unreadable: not read"
                   if stat.S_ISDIR(info.st_mode) else untrusted.not_regular(info))
        files.append(_File(parts, info.st_size,
                           untrusted.submitted_time(_utc(info.st_mtime), info),
                           None if problem else _opener(parts, top), origin, problem, info))
    return files


def _opener(parts, folder):
    """What opens the file at ``parts`` below the open ``folder``, by untrusted's rules."""
    return lambda: untrusted.open_file(Path(*parts), dir_fd=folder)[0]


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
        origin = shown(f"{source.name}: {info.filename}")
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


def _exchange_course(source):
    """The course's folder of nbgrader's exchange at ``source``, or None if it is none.

    ``source`` is the exchange's root (then only ``<root>/<COURSE_ID>`` is
    read, whatever else is there), a course's folder, or its ``inbound``.
    """
    if source.name == "inbound":
        return source.parent
    if os.path.lexists(source / COURSE_ID):
        return source / COURSE_ID
    if os.path.lexists(source / "inbound"):
        return source
    others = sorted(path.parent.name for path in source.glob("*/inbound"))
    if others:
        raise _SourceError(f"nbgrader's exchange without this course's folder, {COURSE_ID} "
                           f"(found: {', '.join(map(shown, others))}): to collect another "
                           "course's, name its folder")
    return None


def _open_inbound(course):
    """A descriptor of ``course/inbound``, once both are known to be safe to read.

    Both must be real folders (not links) of root's or of this grader's; nobody
    else may write the course's folder, so nobody else can replace ``inbound``
    (which students write into: that is how they submit).
    """
    parent = os.open(course.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    folder = None
    try:
        folder = _checked_folder(course.name, parent, course)
        if os.fstat(folder).st_mode & 0o022:
            raise _SourceError(f"{shown(course)} may be written by others than its owner, "
                               "so a student could replace its inbound folder: not read "
                               "(make it 0755)")
        return _checked_folder("inbound", folder, course / "inbound")
    finally:
        os.close(parent)
        if folder is not None:
            os.close(folder)


def _checked_folder(name, parent, path):
    try:
        folder = untrusted.open_folder(name, parent)
    except FileNotFoundError:
        raise _SourceError(f"no folder {shown(path)}: nothing submitted yet?") from None
    except untrusted.Refused as problem:
        raise _SourceError(f"{shown(path)}: {problem}") from None
    owner = os.fstat(folder).st_uid
    if owner not in untrusted.graders():
        os.close(folder)
        raise _SourceError(f"{shown(path)} belongs to {_user(owner)}, not to root or to the "
                           "grader running collect: not read (a student may have made it)")
    return folder


def _user(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _in_anothers_name(owner, student):
    """Why a folder or file that ``owner`` (a uid) made is not ``student``'s own
    submission, or "" if it may be.

    Anyone who may submit may write any name into the exchange. Where the
    students are this machine's users (a JupyterHub, deploy/hub), what another
    student made in ``student``'s name is refused. What the student, root or
    the grader made is taken; so is anything where ``student`` is no user here
    (the exchange copied from elsewhere, or uids without names).
    """
    try:
        expected = pwd.getpwnam(student).pw_uid
    except KeyError:
        return ""
    if owner == expected or owner in untrusted.graders():
        return ""
    return f"made by {_user(owner)}, not by {student}: a submission in another's name, refused"


def _exchange(prefix, inbound, chapters, config, report):
    """The candidates of the exchange's open ``inbound`` folder (``prefix`` for origins)."""
    candidates = []
    for name in sorted(os.listdir(inbound)):
        origin = shown(prefix / name)
        if _hidden(name):
            report.skipped.append(origin)
            continue
        try:
            candidates += _submission(inbound, name, origin, chapters, config, report)
        except Exception as error:  # one student's entry never stops the class
            report.not_collected.append((origin, untrusted.why_not(error)))
    return [candidate for candidate in candidates if candidate is not None]


def _submission(inbound, name, origin, chapters, config, report):
    """The candidates of one ``<student>+<assignment>+<timestamp>[+<random>]`` folder."""
    info = os.lstat(name, dir_fd=inbound)
    name_parts = name.rsplit("+", 3)
    if not stat.S_ISDIR(info.st_mode) or len(name_parts) < 3:
        why = (untrusted.not_regular(info) or "a file") if not stat.S_ISDIR(info.st_mode) \
            else "not named <student>+<assignment>+<timestamp> as nbgrader submit names it"
        report.not_collected.append((origin, f"not a submission folder: {why}"))
        return []
    student, assignment, stamp = name_parts[:3]
    chapter, note = match_chapter(assignment, chapters)
    if chapter is None:
        report.not_collected.append((origin, f"assignment {ascii(assignment)}: {note}"))
        return []
    folder = untrusted.open_folder(name, inbound)
    try:
        folder_info = os.fstat(folder)
        impostor = _in_anothers_name(folder_info.st_uid, student)
        if impostor:
            report.not_collected.append((origin, impostor))
            return []
        entries = dict(untrusted.walk(folder, enter=lambda name: not _hidden(name)))
        problems, claimed = [], None
        try:
            claimed = _utc_time(stamp)
        except (ValueError, OverflowError):  # nbgrader's own time, beside the notebook
            text, why = _small_file(folder, entries, "timestamp.txt")
            try:
                claimed = _utc_time(text) if text is not None else None
            except (ValueError, OverflowError):
                why = "timestamp.txt: not a time"
            if claimed is None:
                problems.append(why or "no time in its name or in timestamp.txt")
        secret, why = _small_file(folder, entries, "submission_secret.txt")
        if secret is not None and not SUBMISSION_SECRET.fullmatch(secret.strip()):
            secret, why = None, "submission_secret.txt: not a secret as nbgrader writes it"
        problems += [why] if why else []
        found = []
        for parts, file_info in entries.items():
            file_origin = f"{origin}/{shown('/'.join(parts))}"
            if _hidden(parts[-1]):
                report.skipped.append(file_origin)
            elif len(parts) == 1 and parts[0] in EXCHANGE_FILES:
                continue
            elif len(parts) == 1 and parts[0].endswith(".ipynb") and \
                    match_chapter(parts[0].removesuffix(".ipynb"), [chapter])[0]:
                found.append((parts, file_info, file_origin))
            else:
                report.not_collected.append((file_origin, "not the notebook of the "
                                             f"{chapter} submission it is in"))
        if not found:
            report.not_collected.append((origin, f"no {chapter}.ipynb in this submission"))
        candidates = []
        for parts, file_info, file_origin in found:
            impostor = _in_anothers_name(file_info.st_uid, student)
            if impostor:
                report.not_collected.append((file_origin, impostor))
                continue
            why = note or match_chapter(parts[0].removesuffix(".ipynb"), [chapter])[1]
            file = _File(parts, file_info.st_size,
                         untrusted.submitted_time(claimed, folder_info, file_info),
                         _opener((name, *parts), inbound), file_origin,
                         "; ".join(filter(None, [untrusted.not_regular(file_info), *problems])),
                         file_info)
            candidates.append(_candidate(student, chapter, file.mtime, file, why, config, report,
                                         secret=(secret or "").strip()))
        return candidates
    finally:
        os.close(folder)


def _utc_time(text):
    """A time as nbgrader writes it (UTC), aware."""
    from nbgrader.utils import parse_utc

    return parse_utc(text.strip()).replace(tzinfo=timezone.utc)


def _small_file(folder, entries, name):
    """``(text, why not)`` of a small file of nbgrader's at the top of the open ``folder``:
    ``(None, "")`` if there is none, ``(None, why)`` if it cannot be taken."""
    if (name,) not in entries:
        return None, ""
    try:
        return untrusted.read_text(name, SMALL_FILE, dir_fd=folder), ""
    except (untrusted.Refused, OSError) as problem:
        return None, f"{name}: {untrusted.why_not(problem)}"


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
                    report.warnings.append(f"{child.origin}: cannot read the time {ascii(stamp)} "
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
    who = shown(student)
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
                    report.not_collected.append((file.origin, f"in a subfolder of {who}'s "
                                                 "folder: notebooks belong directly in it"))
                elif inner and file.parts[-1].endswith(".ipynb") and file.parts[-2] == name:
                    candidates.append(_candidate(student, chapter, submitted_at or file.mtime,
                                                 file, note or why, config, report))
                else:
                    report.not_collected.append((file.origin, f"not the {chapter} notebook "
                                                 f"in {who}'s folder {shown(name)}"))
            continue
        if name.endswith(".ipynb"):
            chapter, note = match_chapter(name.removesuffix(".ipynb"), chapters)
            if chapter is None:
                report.not_collected.append((child.origin, f"in {who}'s folder, but "
                                             f"{note}"))
            else:
                candidates.append(_candidate(student, chapter, child.mtime, child, note,
                                             config, report))
        elif child.problem:
            report.not_collected.append((child.origin, child.problem))
        else:
            report.not_collected.append((child.origin, f"in {who}'s folder, but not a "
                                         "notebook (.ipynb)"))


def _nbgrader_timestamp(folder):
    """The time in nbgrader's ``timestamp.txt`` in ``folder`` (a tree node), or None."""
    file = folder.get("timestamp.txt")
    if isinstance(file, _File) and not file.problem and file.size < SMALL_FILE:
        try:
            with file.open() as stream:
                text = stream.read(SMALL_FILE).decode()
            return _utc_time(text)
        except (OSError, ValueError, OverflowError, untrusted.Refused, zipfile.BadZipFile,
                zlib.error, EOFError, RuntimeError):
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
    if file.info is not None:  # a local file: never earlier than a student's last change
        submitted_at = untrusted.submitted_time(submitted_at, file.info)
    return Candidate(student, chapter, submitted_at or datetime.now(timezone.utc), file.origin,
                     file.size, file.open, problem, note, secret, local=file.info is not None)


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
                if candidate.local:  # changed since it was listed: that change's time
                    candidate.submitted_at = untrusted.submitted_time(
                        candidate.submitted_at, os.fstat(source.fileno()))
        except (untrusted.Refused, OSError, zipfile.BadZipFile, zlib.error, EOFError,
                RuntimeError) as error:
            problem = untrusted.why_not(error)
        if not problem:
            os.replace(temporary, target)
            digest.update(b"\0")  # as engine.fingerprint(raw) has it
            return digest.hexdigest(), ""
        temporary.unlink(missing_ok=True)
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    return hashlib.sha256(f"problem\0{problem}".encode()).hexdigest(), problem
