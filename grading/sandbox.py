"""Run a submission in a throwaway sandbox, as an unprivileged user, within limits.

The sandbox is bubblewrap (``bwrap``, the sandbox Flatpak uses): fresh user,
PID, network, IPC and UTS namespaces (no network, its own PID 1, so every
process a submission starts dies with it), a private ``/tmp`` and working
directory in memory, the system, the Python installation and
``course_utils`` read-only, and nothing else: not the course directory, the
gradebook, the source notebooks, the instructor's config or other
submissions. As root, each submission runs under a uid of its own, claimed
for the run from :data:`UIDS` with a lock that other graders on the machine
respect too, so one submission's fork bomb cannot starve another's process
limit. The locks live in :data:`UID_LOCKS`, a folder in ``/run`` that only
root can create, checked to be root's own before any lock is taken. Without bubblewrap (macOS, or where namespaces are not
allowed) the runner starts directly with the same limits and a scrubbed
environment, and :func:`detect` says exactly what is missing.

The grader talks with the runner (:mod:`grading.runner`) through
:func:`session`: requests on its stdin, replies on its stdout.
"""
import contextlib
import fcntl
import json
import os
import resource
import secrets
import select
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

RUNNER = Path(__file__).with_name("runner.py")
COURSE_UTILS = Path(__file__).resolve().parent.parent / "course_utils"
# Submissions run as one of these uids when the grader is root: unused ids with
# no files anywhere, so they can read only what every user may read.
UIDS = range(61_000, 62_000)
# Where only root may create it (not a shared temporary folder, where any local
# user could make it first, or put links in it).
UID_LOCKS = Path("/run/pytorch-practice-sandbox-uids")
SANDBOX_HOME = "/submission"
# OpenBLAS needs these on some processors to compute right (see the machine notes).
PASSED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds, sizes in MB."""
    cell_seconds: float = 30
    call_seconds: float = 5  # one call of a learner's function by a check
    exercise_seconds: float = 60
    notebook_seconds: float = 300
    memory_mb: int = 3072
    processes: int = 64
    output_mb: int = 20
    file_mb: int = 64


@dataclass(frozen=True)
class Isolation:
    """How submissions will be isolated here, and what is missing for full isolation."""
    bwrap: str | None
    as_root: bool
    missing: tuple = ()

    @property
    def warning(self):
        if not self.missing:
            return ""
        return ("warning: grading with reduced isolation: " + "; ".join(self.missing)
                + ". Install bubblewrap (apt-get install bubblewrap) and grade as root for "
                "full isolation.")


class SandboxError(Exception):
    """The submission could not be run to the end; the message says why."""


def detect():
    """The strongest isolation this machine offers."""
    as_root = os.geteuid() == 0
    missing = []
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        missing.append("bubblewrap is not installed, so submissions can read your files, "
                       "reach the network and leave processes behind")
    else:
        probe = subprocess.run([bwrap, "--unshare-all", "--ro-bind", "/", "/", "true"],
                               capture_output=True, text=True)
        if probe.returncode:
            missing.append(f"bubblewrap cannot create namespaces here "
                           f"({probe.stderr.strip() or probe.returncode})")
            bwrap = None
    if not as_root:
        missing.append("not running as root, so submissions run as your own user and share "
                       "its process limit")
    return Isolation(bwrap, as_root, tuple(missing))


def _system_binds():
    args = []
    for path in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ("/etc/ld.so.cache", "/etc/fonts", "/etc/localtime", "/etc/ssl/certs"):
        args += ["--ro-bind-try", path, path]
    return args


def _python_binds():
    paths = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
             Path(sys.executable).resolve().parent.parent, COURSE_UTILS, RUNNER}
    # bwrap makes missing parents 0700; the learner's uid must be able to pass them.
    parents = sorted({str(parent) for path in paths for parent in path.parents
                      if parent not in (Path("/"), Path("/tmp")) and parent.parts[1] != "usr"})
    args = [arg for parent in parents for arg in ("--perms", "0755", "--dir", parent)]
    for path in sorted(paths - {COURSE_UTILS, RUNNER}):
        args += ["--ro-bind", str(path), str(path)]
    # The course's helpers and the runner, nothing else of the repository.
    args += ["--ro-bind", str(COURSE_UTILS), str(COURSE_UTILS),
             "--ro-bind", str(RUNNER), str(RUNNER)]
    return args


def _environment():
    env = {"PATH": "/usr/bin:/bin", "HOME": SANDBOX_HOME, "LANG": "C.UTF-8",
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp", "PYTHONHASHSEED": "0",
           "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "COURSE_UTILS_HEADLESS": "1"}
    env.update({name: os.environ[name] for name in PASSED_ENV if name in os.environ})
    return env


def command(isolation, limits, uid):
    """The command line that starts the runner, as ``uid`` when the grader is root."""
    python = [sys.executable, "-I", str(RUNNER)]
    if isolation.bwrap is None:
        return python
    size = str(limits.file_mb * 1024 * 1024)
    if isolation.as_root:
        # bwrap sets the sandbox up as root (which can read the Python installation
        # wherever it is), then setpriv drops to the run's own uid for good.
        namespaces = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                      "--unshare-cgroup-try"]
        python = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                  "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", *python]
    else:
        namespaces = ["--unshare-all", "--unshare-user", "--disable-userns"]
    args = [isolation.bwrap, *namespaces, "--die-with-parent", "--new-session", "--clearenv"]
    for name, value in _environment().items():
        args += ["--setenv", name, value]
    # The in-memory folders first: the course's files may live under /tmp themselves.
    return [*args, *_system_binds(),
            "--perms", "1777", "--size", size, "--tmpfs", SANDBOX_HOME,
            "--perms", "1777", "--size", size, "--tmpfs", "/tmp", *_python_binds(),
            "--proc", "/proc", "--dev", "/dev", "--chdir", SANDBOX_HOME, "--", *python]


def _limit(limits):
    """Resource limits of the sandbox's processes, set between fork and exec."""
    def apply():
        mb = 1024 * 1024
        for which, value in [(resource.RLIMIT_AS, limits.memory_mb * mb),
                             (resource.RLIMIT_NPROC, limits.processes),
                             (resource.RLIMIT_FSIZE, limits.file_mb * mb),
                             (resource.RLIMIT_CORE, 0), (resource.RLIMIT_NOFILE, 256)]:
            resource.setrlimit(which, (value, value))
    return apply


def lock_folder():
    """A descriptor of :data:`UID_LOCKS`, created (0700) if missing.

    Refused (:class:`SandboxError`) unless it is a real folder, not a link, that
    belongs to this user and that nobody else may write.
    """
    with contextlib.suppress(FileExistsError):
        os.mkdir(UID_LOCKS, 0o700)
    try:
        folder = os.open(UID_LOCKS, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise SandboxError(f"the sandbox's uid locks: {UID_LOCKS} cannot be opened as a folder "
                           f"({error.strerror}); is it a link? Remove it") from None
    info = os.fstat(folder)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        os.close(folder)
        raise SandboxError(f"the sandbox's uid locks: {UID_LOCKS} belongs to uid {info.st_uid} "
                           f"with mode {stat.S_IMODE(info.st_mode):o}, not to this user "
                           f"(uid {os.geteuid()}) alone: refusing to use it; remove it")
    return folder


@contextlib.contextmanager
def claimed_uid():
    """A uid of :data:`UIDS` that no other run, of this grader or another, is using."""
    folder = lock_folder()
    try:
        for uid in UIDS:
            # Never truncated, never through a link: the file only carries the lock.
            try:
                fd = os.open(f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
                             | os.O_NONBLOCK | os.O_CLOEXEC, 0o600, dir_fd=folder)
            except OSError as error:
                raise SandboxError(f"the sandbox's uid lock {UID_LOCKS}/{uid}.lock cannot be "
                                   f"opened ({error.strerror})") from None
            with os.fdopen(fd, "r+b", buffering=0) as lock:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise SandboxError(f"the sandbox's uid lock {UID_LOCKS}/{uid}.lock is not "
                                       "a regular file")
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                if next(_pids_of(uid), None):  # a grader keeping its locks elsewhere (older)
                    continue
                yield uid
                return
    finally:
        os.close(folder)
    raise SandboxError(f"all {len(UIDS)} sandbox uids are in use")


@contextlib.contextmanager
def session(limits=Limits(), isolation=None):
    """A running sandbox to talk with (see :mod:`grading.runner`): a :class:`Session`.

    Everything it started is killed when the ``with`` block ends; the whole
    conversation must end within ``limits.notebook_seconds``.
    """
    isolation = isolation or detect()
    with contextlib.ExitStack() as stack:
        uid = stack.enter_context(claimed_uid()) if isolation.bwrap and isolation.as_root \
            else None
        env = None if isolation.bwrap else {**_environment(), "HOME": "/tmp"}
        cwd = "/tmp" if isolation.bwrap is None else None
        process = subprocess.Popen(command(isolation, limits, uid), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                                   cwd=cwd, start_new_session=True, preexec_fn=_limit(limits))
        try:
            yield Session(process, limits.output_mb * 1024 * 1024,
                          time.monotonic() + limits.notebook_seconds)
        finally:
            _kill(process, uid)


class Session:
    """The grader's side of a conversation with the runner: one JSON line each way.

    Each request carries a fresh ``id`` that its reply repeats: lines the
    learner's code wrote to the runner's output are passed over. What comes
    back is read within a size cap and the deadline.
    """

    def __init__(self, process, cap, deadline):
        self.process, self.cap, self.deadline = process, cap, deadline
        self.buffer, self.size = b"", 0

    def ask(self, message):
        """Send ``message``; return the runner's reply (a dict)."""
        request = secrets.token_hex(8)
        data = json.dumps({**message, "id": request}).encode() + b"\n"
        stream = self.process.stdin
        try:
            while data:
                left = self.deadline - time.monotonic()
                if left <= 0 or not select.select([], [stream], [], left)[1]:
                    raise SandboxError("the notebook ran past its time limit and was stopped")
                data = data[os.write(stream.fileno(), data[:1 << 16]):]
        except BrokenPipeError:
            pass  # the runner is gone: reading says so
        while True:
            reply = self.receive()
            if reply.get("id") == request:
                return reply

    def receive(self):
        """The next line the runner's output has, as a dict ({} for anything else)."""
        stream = self.process.stdout
        while b"\n" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([stream], [], [], left)[0]:
                raise SandboxError("the notebook ran past its time limit and was stopped")
            chunk = os.read(stream.fileno(), 1 << 20)
            if not chunk:
                raise SandboxError("the notebook's run ended without results (did it call "
                                   "os._exit or crash Python?)")
            self.size += len(chunk)
            if self.size > self.cap:
                raise SandboxError("the notebook's results were too large")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            reply = json.loads(line.decode("utf-8", "replace"))
        except ValueError:
            reply = None
        return reply if type(reply) is dict else {}


def _kill(process, uid):
    """Stop the runner and everything it started: its session and, as its own PID
    namespace dies with it, every process inside; then whatever still runs as ``uid``."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for stream in (process.stdin, process.stdout):
        with contextlib.suppress(OSError):
            stream.close()
    if uid is not None:
        _kill_uid(uid)


def _kill_uid(uid):
    """SIGKILL every process running as ``uid`` (none, unless a namespace failed to die)."""
    for pid in _pids_of(uid):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _pids_of(uid):
    """The processes running as ``uid`` (their status says so, whoever owns /proc/PID)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            owner = next(line.split()[1] for line in status.read_text().splitlines()
                         if line.startswith("Uid:"))
            if int(owner) == uid:
                yield int(status.parent.name)
        except (OSError, StopIteration, ValueError):
            continue
