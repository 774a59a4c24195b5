"""Reading, validating and repairing submissions before they are graded.

Learners hand in ``<submissions>/<student_id>/<chapter>.ipynb``. Whatever the
file holds, intake either returns a notebook the engine can grade or says
why there is nothing to grade, naming the file: a folder name that is no
student id, or a loose file, is rejected; a missing or unusable notebook
raises :class:`Unusable`.

Files are opened by :mod:`grading.untrusted`'s rules: no link followed, a
regular file only, its size capped before it is read; a reason names the
file (escaped) and says what is wrong, never what the file holds. A file is
never read whole before it is known to be a notebook of a sane
size: its size comes first (a file over ``max_file_mb`` is not read at all),
then its first bytes (an empty file, a ZIP, PDF or image renamed ``.ipynb``,
binary data), then, for a large one, its JSON with every cell's outputs left
out as it is scanned (:func:`strip_outputs`: grading never reads outputs, and
a learner's endless print can make them hundreds of MB). What remains must
fit in ``max_notebook_mb``. Old notebook formats (nbformat 3) are converted.
"""
import contextlib
import hashlib
import json
import mmap
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import untrusted
from .base import Status
from .config import Limits
from .names import shown

# nbgrader treats a student id as a file glob and as a path component, so only
# ids that mean the same thing in both are accepted.
# ASCII only: a name in another script can look exactly like a classmate's.
STUDENT_ID = re.compile(r"\w[\w.-]*", re.ASCII)
# Files up to this size (and under the notebook limit) are parsed as they are, so that a
# JSON error gives its line and column; larger ones have their outputs stripped first.
DIRECT_PARSE_BYTES = 4 * 1024 * 1024
MB = 1024 * 1024
_MAGIC = [(b"PK\x03\x04", "a ZIP archive"), (b"PK\x05\x06", "an empty ZIP archive"),
          (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"),
          (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
          (b"Rar!", "a RAR archive"), (b"\xd0\xcf\x11\xe0", "an old Office document"),
          (b"\x7fELF", "a program (ELF)")]


class Unusable(Exception):
    """A submission with nothing to grade: its ``status`` and, as message, the reason."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status


@dataclass
class Submission:
    """A notebook read for grading."""
    notebook: nbformat.NotebookNode
    digest: str  # engine.fingerprint of the file's bytes: what the audit records
    copies: list = field(default_factory=list)  # grade ids of copied cells, now plain code
    notes: list = field(default_factory=list)  # what intake changed, for the instructor
    info: os.stat_result | None = None  # the file's, as it was read (for its times)


def scan(submissions_dir):
    """``(student entries, loose files)`` of ``submissions_dir``, sorted, hidden ones left out.

    A student's entry is anything but a regular file: a folder, or a link, pipe
    or device in a student's place, which :func:`read_submission` then refuses.
    """
    entries = sorted(path for path in Path(submissions_dir).iterdir()
                     if not path.name.startswith("."))
    modes = {}
    for path in entries:
        with contextlib.suppress(FileNotFoundError):  # gone meanwhile: not there
            modes[path] = path.lstat().st_mode
    files = [path for path in modes if stat.S_ISREG(modes[path])]
    return [path for path in modes if path not in files], files


def invalid_student_id(student):
    """Why nbgrader cannot take the folder name ``student`` as a student id, or ""."""
    if STUDENT_ID.fullmatch(student):
        return ""
    return (f"invalid student id {ascii(student)}: use letters, digits, _, - and . only, "
            "starting with a letter or digit" + ("" if student.isascii() else
                                                 " (ASCII only)"))


def loose_file_reason(path, chapter):
    """Why the file ``path``, directly in the submissions folder, is not graded."""
    # Whose it is cannot be told for sure; say so rather than skip it silently.
    return (f"a file directly in {shown(path.parent)}: put each learner's notebook in "
            f"{shown(path.parent)}/<student_id>/{chapter}.ipynb")


def read_submission(student_dir, chapter, known_ids, *, limits=Limits(), label=None):
    """The student's notebook of ``chapter`` made ready for grading, as a :class:`Submission`.

    ``known_ids`` are the chapter's solution and test cells, any of which tells
    the chapter. Test cells may be missing or changed: grading takes them from
    the course. Raises :class:`Unusable` (missing or broken) for nothing to
    grade, its message naming the file (``label``, default its name) and the problem.
    """
    student_dir = Path(student_dir)
    path = student_dir / f"{chapter}.ipynb"
    label = label or path.name
    try:
        names = untrusted.listdir(student_dir, under=student_dir.parent)
    except (untrusted.Refused, OSError) as error:
        raise Unusable(Status.BROKEN, f"{shown(student_dir.name)}: "
                                      f"{untrusted.why_not(error)}") from None
    if path.name not in names:
        found = ", ".join(shown(name) for name in names[:10]) + (
            f" and {len(names) - 10} more" if len(names) > 10 else "") if names else "nothing"
        raise Unusable(Status.MISSING, f"no {path.name} (found: {found})")
    submission = read_notebook(path, limits=limits, label=label, under=student_dir.parent)
    notebook = submission.notebook
    present = set()
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in present:
            # A cell copied in JupyterLab keeps its nbgrader marks, and nbgrader
            # refuses a notebook with an id twice: the copy runs as plain code.
            del cell.metadata["nbgrader"]
            submission.copies.append(grade_id)
        elif grade_id:
            present.add(grade_id)
    if not present & set(known_ids):
        raise Unusable(Status.BROKEN, f"{label or path.name}: not the {chapter} notebook: "
                                      "none of its exercise cells is there")
    return submission


def read_notebook(path, *, limits=Limits(), label=None, under=None):
    """The notebook at ``path``, without outputs, as a :class:`Submission`.

    Below ``under`` (default: the file's folder) no link is followed
    (:mod:`grading.untrusted`). Raises :class:`Unusable` (broken) with
    ``"<label>: <problem>"`` for a file that is a link, a pipe or a device, too
    large, empty, binary, not JSON or not a notebook.
    """
    path = Path(path)
    label = label or shown(path.name)

    def broken(problem):
        return Unusable(Status.BROKEN, f"{label}: {problem}")

    try:
        handle, info = untrusted.open_file(path, under=under)
        with handle:
            text, stripped, digest = _read(handle, info, limits, broken)
    except (untrusted.Refused, OSError) as error:
        raise broken(untrusted.why_not(error)) from None
    notebook, notes = _parse(text, stripped, broken)
    odd = []
    for number, cell in enumerate(notebook.cells, 1):
        if "outputs" in cell:
            cell.outputs = []
            cell.execution_count = None
        marks = cell.metadata.get("nbgrader")
        if marks is not None and not (isinstance(marks, dict) and
                                      isinstance(marks.get("grade_id", ""), str)):
            del cell.metadata["nbgrader"]  # not nbgrader's own: the cell is a plain one
            odd.append(str(number))
    if odd:
        notes.append(f"cells {', '.join(odd)}: nbgrader marks not as nbgrader writes them, "
                     "graded as plain cells")
    return Submission(notebook, digest.hexdigest(), notes=notes, info=info)


def _read(handle, info, limits, broken):
    """``(text, whether outputs were stripped, sha256)`` of the open notebook file."""
    size = info.st_size
    if size == 0:
        raise broken("the file is empty (0 bytes)")
    if size > limits.max_file_mb * MB:
        raise broken(f"the file is {size / MB:,.0f} MB, over the {limits.max_file_mb:g} MB "
                     "a submission may be; not read")
    # A file that someone else may write could shrink under a mapping (and crash the
    # grader): that one is read into memory, within the cap above.
    with (mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
          if info.st_uid == os.geteuid() else contextlib.nullcontext(handle.read(size))) as data:
        if len(data) != size:
            raise broken("the file changed while it was being read")
        digest = hashlib.sha256(data)
        digest.update(b"\0")  # as engine.fingerprint(raw) has it
        problem = _not_text(data[:4096])
        if problem:
            raise broken(problem)
        cap = limits.max_notebook_mb * MB
        if size <= min(DIRECT_PARSE_BYTES, cap):
            return data[:], False, digest
        try:
            return strip_outputs(data, cap), True, digest
        except TooLarge:
            raise broken(f"the notebook is over {limits.max_notebook_mb:g} MB even "
                         "without its outputs; not read") from None


def _not_text(head):
    """What the first bytes of a file say it is, if not a notebook's JSON text; else "".

    Never quotes the bytes: the file could be anything (a link's target, a key)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return f"{kind} renamed .ipynb, not a notebook"
    if b"\0" in head:
        return "binary data, not a notebook (a notebook is JSON text)"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start and start != b"{":
        return "not a notebook: it is text that does not start like one (with {)"
    return ""


def _parse(text, stripped, broken):
    """``(notebook, notes)`` from the JSON ``text``, converted to the current nbformat.

    What is wrong is said in fixed words (the JSON error's kind and place, the
    cell that breaks the format), never with a value from the file."""
    try:
        data = json.loads(text)
    except UnicodeDecodeError:
        raise broken("not UTF-8 text, so not a notebook") from None
    except RecursionError:
        raise broken("not a notebook: its JSON is nested too deeply") from None
    except ValueError as error:
        # Positions in stripped text are not the file's: only the kind of error then.
        detail = getattr(error, "msg", "") if stripped else str(error)
        if not isinstance(error, json.JSONDecodeError):
            detail = "a number too long"
        raise broken(f"not valid JSON, so not a notebook ({detail}): was it cut short, "
                     "or edited outside Jupyter?") from None
    if not isinstance(data, dict):
        raise broken("not a notebook: its JSON is not an object")
    try:  # a lone surrogate ("\\ud800") is valid JSON, but no text a file can hold
        json.dumps(data, ensure_ascii=False).encode()
    except (UnicodeEncodeError, RecursionError):
        raise broken("not a notebook: its JSON holds text that is not Unicode, or is nested "
                     "too deeply") from None
    major, minor = nbformat.reader.get_version(data)
    if type(major) is not int or major not in nbformat.versions:
        raise broken("not a valid notebook: unknown notebook format" +
                      (f" {major}" if type(major) is int else ""))
    try:
        notebook = nbformat.versions[major].to_notebook_json(data, minor=minor)
        nbformat.validate(notebook)
        notebook = nbformat.convert(notebook, nbformat.current_nbformat)
        nbformat.validate(notebook)
    except Exception as error:  # whatever the file holds, the submission is unusable
        place = list(getattr(error, "absolute_path", []))[:2]
        where = f" (cell {place[1] + 1})" if len(place) == 2 and place[0] == "cells" \
            and type(place[1]) is int else ""
        raise broken(f"not a valid notebook: it does not follow the notebook format{where}") \
            from None
    notes = [f"converted from notebook format {major}"] if major < nbformat.current_nbformat \
        else []
    return notebook, notes


# ------------------------------------------------------------------ outputs left out


class TooLarge(Exception):
    """What is left of a notebook without its outputs is over the limit."""


_STRUCTURE = re.compile(rb'[\[\]{}":]')
_SPACE = re.compile(rb"[ \t\r\n]*")


def strip_outputs(data, limit):
    """The JSON text ``data`` (bytes, or a mmap) with the value of every ``"outputs"``
    key that is an array replaced by ``[]``, in one pass, without parsing the rest.

    Strings are skipped whole (an escaped quote does not end one), so the key is
    found only where it is a key. Raises :class:`TooLarge` as soon as what is kept
    passes ``limit`` bytes. Text that is not JSON comes out as it went in (less
    what looked like outputs), for the JSON parser to refuse.
    """
    kept, size = [], 0
    copied = pos = 0  # data[copied:pos] is kept but not yet copied
    skipping = 0  # depth inside an outputs array being left out
    last_string = None  # the last string, if short: a key when a colon follows
    end = len(data)
    while True:
        match = _STRUCTURE.search(data, pos)
        if match is None:
            break
        index = match.start()
        char = data[index]
        if char == 0x22:  # a string: find its closing quote
            close = _string_end(data, index + 1)
            if close < 0:
                break
            last_string = data[index + 1:close - 1] if not skipping and close - index <= 10 \
                else None
            pos = close
            continue
        pos = index + 1
        if skipping:
            if char in b"[{":
                skipping += 1
            elif char in b"]}":
                skipping -= 1
                if not skipping:
                    copied = index + 1
            continue
        if char == 0x3A and last_string == b"outputs":  # ':' after the key "outputs"
            value = _SPACE.match(data, pos).end()
            if value < end and data[value] == 0x5B:  # '['
                size += value - copied + 2
                if size > limit:
                    raise TooLarge()
                kept += [data[copied:value], b"[]"]
                skipping, pos = 1, value + 1
        last_string = None
        if pos - copied + size > limit:
            raise TooLarge()
    if not skipping:
        kept.append(data[copied:])
        size += end - copied
        if size > limit:
            raise TooLarge()
    return b"".join(kept)


def _string_end(data, start):
    """The index just after the quote that closes the string starting at ``start``, or -1."""
    while True:
        quote = data.find(b'"', start)
        if quote < 0:
            return -1
        before = quote - 1
        while data[before] == 0x5C:  # backslashes; data[start - 1] is the opening quote
            before -= 1
        if (quote - 1 - before) % 2 == 0:
            return quote + 1
        start = quote + 1
