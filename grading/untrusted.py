"""Reading what students control: their files, folders, names and times.

Every file a student wrote (a notebook, nbgrader's ``timestamp.txt`` and
``submission_secret.txt``, a folder of the exchange) is opened here, and only
here, by these rules:

* no symbolic link is followed, for the file or any folder on its way below
  the folder the instructor named: each folder is opened with ``O_NOFOLLOW``
  relative to the one above it, so a component swapped for a link meanwhile
  is refused, not followed;
* only regular files are read: a named pipe, a device or a socket is refused
  from its ``lstat``, before it is opened, and the file opened must be the one
  looked at (``O_NONBLOCK``, so that even a pipe swapped in cannot block);
* sizes are checked before anything is read, and reads stop at the cap.

A refusal is :class:`Refused`, whose message says what the entry is ("a
symbolic link, not followed", "a named pipe, not a regular file"), never
what it holds: no content is ever quoted back. :func:`submitted_time` is
the one rule for times that a student could set (see there).
"""
import contextlib
import errno
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
MAX_DEPTH = 16  # folders nested deeper than this in a source are not entered
_KINDS = [(stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
          (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]


class Refused(Exception):
    """An entry that is not read: the message says what it is, never what it holds."""


def why_not(error):
    """What a refusal or a failed read says, in fixed words: never what a file holds."""
    if isinstance(error, Refused):
        return str(error)
    detail = error.strerror if isinstance(error, OSError) and error.strerror else \
        type(error).__name__
    return f"cannot be read ({detail})"


def kind(mode):
    """What a file of ``mode`` is, in words: "a symbolic link", "a folder", ..."""
    return next((name for test, name in _KINDS if test(mode)), "a regular file")


def not_regular(info):
    """Why a file of ``info`` (an ``lstat``) is not read, or "" for a regular file."""
    if stat.S_ISREG(info.st_mode):
        return ""
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link, not followed"
    return f"{kind(info.st_mode)}, not a regular file"


def _open(name, flags, dir_fd, expected=None):
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as error:
        if error.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        # O_NOFOLLOW refuses a link, as ELOOP, or as ENOTDIR with O_DIRECTORY.
        mode = os.lstat(name, dir_fd=dir_fd).st_mode
        raise Refused("a symbolic link, not followed" if stat.S_ISLNK(mode) else
                      f"{kind(mode)}, not a folder") from None
    info = os.fstat(fd)
    if expected is not None and (info.st_dev, info.st_ino) != (expected.st_dev, expected.st_ino):
        os.close(fd)
        raise Refused("replaced while it was being read")
    return fd


def open_folder(name, dir_fd=None):
    """A descriptor of the folder ``name`` (relative to ``dir_fd``); a link is refused."""
    return _open(name, DIR_FLAGS, dir_fd)


@contextlib.contextmanager
def _parent(path, under, dir_fd=None):
    """``(descriptor of path's folder, its name)``, reached from ``under`` (or the open
    folder ``dir_fd``, ``path`` then relative to it) without following links."""
    path = Path(path)
    if dir_fd is None:
        under = Path(under) if under is not None else path.parent
        parts = path.relative_to(under).parts
        fd = os.open(under, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # the instructor's own
    else:
        if path.is_absolute() or ".." in path.parts:
            raise Refused("not a path inside its folder")
        parts, fd = path.parts, os.dup(dir_fd)
    try:
        if not parts:
            raise Refused("not a file")
        for part in parts[:-1]:
            inner = open_folder(part, fd)
            os.close(fd)
            fd = inner
        yield fd, parts[-1]
    finally:
        os.close(fd)


def open_file(path, *, under=None, dir_fd=None):
    """``(binary file, fstat)`` of the regular file ``path``.

    Below ``under`` (default: the file's own folder) no link is followed. With
    ``dir_fd``, ``path`` is relative to that open folder. Raises
    :class:`Refused` for anything but a regular file, ``FileNotFoundError``
    when there is nothing.
    """
    with _parent(path, under, dir_fd) as (fd, name):
        return _open_regular(name, fd)


def _open_regular(name, dir_fd):
    info = os.lstat(name, dir_fd=dir_fd)
    problem = not_regular(info)
    if problem:
        raise Refused(problem)
    fd = _open(name, FILE_FLAGS, dir_fd, expected=info)
    return os.fdopen(fd, "rb"), os.fstat(fd)


def read_text(path, limit, *, under=None, dir_fd=None):
    """The UTF-8 text of a small file, at most ``limit`` bytes; :class:`Refused` otherwise."""
    handle, info = open_file(path, under=under, dir_fd=dir_fd)
    with handle:
        if info.st_size > limit:
            raise Refused(f"{info.st_size:,} bytes, more than the {limit:,} it may have; not read")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"more than the {limit:,} bytes it may have; not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("not UTF-8 text") from None


def listdir(path, *, under=None):
    """The names in the folder ``path``, reached from ``under`` without following links."""
    with _parent(path, under) as (fd, name):
        inner = open_folder(name, fd)
        try:
            return sorted(os.listdir(inner))
        finally:
            os.close(inner)


def walk(dir_fd, enter=lambda name: True, parts=()):
    """``(parts, lstat)`` of every entry below the open folder ``dir_fd`` but folders,
    which are entered (through a descriptor of their own, never through a link)
    up to :data:`MAX_DEPTH` deep if ``enter(name)``. A folder not entered (so
    named, too deep, unreadable, replaced meanwhile) comes as an entry too.
    ``parts`` are relative to ``dir_fd``."""
    for name in sorted(os.listdir(dir_fd)):
        try:
            info = os.lstat(name, dir_fd=dir_fd)
        except FileNotFoundError:
            continue
        entries = None
        if stat.S_ISDIR(info.st_mode) and len(parts) < MAX_DEPTH and enter(name):
            with contextlib.suppress(Refused, OSError):
                inner = _open(name, DIR_FLAGS, dir_fd, expected=info)
                try:
                    entries = list(walk(inner, enter, (*parts, name)))
                finally:
                    os.close(inner)
        yield from [((*parts, name), info)] if entries is None else entries


def graders():
    """The uids whose files are the grader's own: root, the user running it and, when
    root runs it through sudo, the user who ran sudo (the instructor's own copies)."""
    uids = {0, os.geteuid()}
    sudo = os.environ.get("SUDO_UID", "")
    if os.geteuid() == 0 and sudo.isdigit():
        uids.add(int(sudo))
    return uids


def written_by_another(info):
    """Whether another user than the grader (:func:`graders`) owns the file of ``info``:
    a student."""
    return info.st_uid not in graders()


def submitted_time(claimed, *infos):
    """When a submission came in: ``claimed`` (the time a name, a file's content or its
    modification time gives, aware; None if none), but never earlier than the change
    time (``st_ctime``) of any of ``infos`` that a student owns.

    A student can write any name, content or modification time (``touch -d``);
    the change time only the system sets, to the moment of the last change. What
    root or the grader owns (a copy the instructor made) keeps its claimed time.
    """
    floor = [info.st_ctime for info in infos if written_by_another(info)]
    if not floor:
        return claimed
    changed = datetime.fromtimestamp(max(floor), timezone.utc)
    return changed if claimed is None or changed > claimed else claimed
