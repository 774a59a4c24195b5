#!/usr/bin/env python3
"""Stand up a JupyterHub for the course on one Linux machine, for a class read from a file.

    sudo deploy/hub/hub.py up class.txt      # set everything up, start the hub
    sudo deploy/hub/hub.py down              # stop it
    sudo deploy/hub/hub.py remove --yes      # stop it, delete what `up` created

`class.txt` has one system user name a line; `instructor` after a name makes
that user an instructor (see class.example.txt). `up` is safe to run again,
for example after adding students to the file: it does only what is missing.

What `up` does, as root:
1. installs what is missing from Debian's packages: Node.js and npm (for
   configurable-http-proxy), bubblewrap (the grader's sandbox);
2. installs configurable-http-proxy from npm, and the course with JupyterHub
   into one Python environment made from the system's Python in --prefix,
   which every user can read (a private home could not be);
3. creates each user of the file that does not exist yet, with a random
   password (written to <state>/passwords.txt, readable by root only), makes
   every class member's home private (0700), and creates the grader account
   (grader-<course>, no password) that owns the course directory, the
   instructor's copy of the source notebooks and the grading secret;
4. releases the course in the grader's course directory, creates nbgrader's
   exchange (its root root's and 0755, so no student can create anything
   there) and the course's folder in it (owned by the grader, so nobody else
   can claim it; its inbound sticky, so nobody renames or removes another's
   submission), and writes the hub's config;
5. starts JupyterHub: in the foreground, or with --background until it answers.

Everything here is Python's standard library: run it with the system's python3.
"""
import argparse
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
COURSE_ID = "pytorch-practice-course"  # grading.course.COURSE_ID; a test keeps them equal
SYSTEM_PYTHON = "/usr/bin/python3"
PROXY_PACKAGE = "configurable-http-proxy@5"
NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
SETUP_FILE = "setup.json"  # in the state folder: what `up` created, for `remove`
# The course's files that the shared environment installs (nothing of notebooks/:
# they hold the solutions, and only the grader account gets a copy).
PACKAGE_FILES = ("pyproject.toml", "README.md", "course_utils", "grading")


class Refused(Exception):
    """What `up` cannot do, in words for the instructor."""


def read_class(path):
    """``(students, instructors)``, the user names of a class file, in its order."""
    students, instructors = [], []
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        name, role = words[0], words[1:]
        if not NAME.fullmatch(name) or name == "root":
            raise Refused(f"{path}:{number}: {name!r} is not a user name this can create "
                          "(lower-case letters, digits, _ and -, at most 32, not root)")
        if role not in ([], ["instructor"]):
            raise Refused(f"{path}:{number}: after the name, only 'instructor' may follow")
        if name in students or name in instructors:
            raise Refused(f"{path}:{number}: {name} is listed twice")
        (instructors if role else students).append(name)
    if not instructors:
        raise Refused(f"{path}: no instructor: write 'instructor' after one name")
    return students, instructors


def run(command, **kwargs):
    """Run ``command``; a failure becomes :class:`Refused` with what it printed."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise Refused(f"{' '.join(map(str, command))} failed:\n"
                      f"{(result.stderr or result.stdout).strip()[-2000:]}")
    return result.stdout


def as_user(name, command, env):
    """Run ``command`` as the system user ``name``, in their home."""
    user = pwd.getpwnam(name)
    return run(command, user=user.pw_uid, group=user.pw_gid, extra_groups=[], cwd=user.pw_dir,
               env={"HOME": user.pw_dir, "USER": name, "LOGNAME": name, **env})


def install_packages():
    """Debian's packages that the hub needs and the machine lacks."""
    missing = [package for command, package in
               (("node", "nodejs"), ("npm", "npm"), ("bwrap", "bubblewrap"))
               if not shutil.which(command)]
    if subprocess.run([SYSTEM_PYTHON, "-c", "import ensurepip"], capture_output=True).returncode:
        missing.append("python3-venv")
    if missing:
        if not shutil.which("apt-get"):
            raise Refused(f"install {', '.join(missing)} first "
                          "(this script installs them only with apt-get)")
        print(f"installing {', '.join(missing)} from Debian's packages")
        run(["apt-get", "update", "-qq"])
        run(["apt-get", "install", "-y", "-qq", *missing],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def install_proxy(prefix):
    proxy = prefix / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists():
        print(f"installing {PROXY_PACKAGE} from npm")
        run(["npm", "install", "--no-fund", "--no-audit", "--prefix", prefix / "proxy",
             PROXY_PACKAGE])
    return proxy


def package_digest():
    digest = hashlib.sha256()
    for name in PACKAGE_FILES:
        root = REPO / name
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def install_environment(prefix):
    """The shared environment: the system's Python, the course, JupyterHub; readable by all."""
    venv = prefix / "venv"
    marker, digest = venv / ".course-installed", package_digest()
    if marker.exists() and marker.read_text() == digest:
        return venv
    if not (venv / "bin" / "python").exists():
        print(f"creating the shared environment {venv} from {SYSTEM_PYTHON}")
        run([SYSTEM_PYTHON, "-m", "venv", venv])
    print("installing the course, JupyterLab, nbgrader and JupyterHub into it (about a minute)")
    with tempfile.TemporaryDirectory() as source:  # built outside the checkout: no build/ in it
        for name in PACKAGE_FILES:
            copy = shutil.copytree if (REPO / name).is_dir() else shutil.copyfile
            copy(REPO / name, Path(source) / name)
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", f"{source}[hub]"])
    # JupyterLab's settings for every user: no news or update checks (offline).
    settings = venv / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "deploy" / "learner" / "overrides.json", settings / "overrides.json")
    marker.write_text(digest)
    return venv


# nbgrader's exchange steps, as grading/exchange.py has them for a root only root may write.
EXCHANGE_STEPS = [("fetch_assignment", "FetchAssignment"), ("fetch_feedback", "FetchFeedback"),
                  ("list", "List"), ("release_assignment", "ReleaseAssignment"),
                  ("release_feedback", "ReleaseFeedback"), ("collect", "Collect")]


def write_jupyter_config(prefix, venv, exchange):
    """Jupyter config: nbgrader's exchange for the environment, the learner's for users' servers.

    The learner's (deploy/learner, plus nbgrader's hub settings) is what every
    user's server gets through JUPYTER_CONFIG_PATH; the formgrader, run as the
    grader, reads only the environment's and the course's.
    """
    (venv / "etc" / "jupyter").mkdir(parents=True, exist_ok=True)
    (venv / "etc" / "jupyter" / "nbgrader_config.py").write_text(
        "# Written by deploy/hub/hub.py: nbgrader for every user of the hub.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "# The formgrader's Autograde button would run students' code unsandboxed, as the\n"
        "# grader: grading here is `python -m grading autograde` (grading/exchange.py).\n"
        "c.Autograde.sanitize_preprocessors = ['grading.exchange.SandboxedOnly']\n"
        "c.Autograde.autograde_preprocessors = ['grading.exchange.SandboxedOnly']\n"
        "# The exchange's root is root's, not writable by students: nbgrader's steps that\n"
        "# want it writable (or chmod it 0777), made to need the course's folder only.\n"
        + "".join(f"c.ExchangeFactory.{step} = 'grading.exchange.{name}'\n"
                  for step, name in EXCHANGE_STEPS))
    learner = prefix / "learner"
    shutil.copytree(REPO / "deploy" / "learner", learner, dirs_exist_ok=True)
    (learner / "nbgrader_config.py").write_text(
        "# Written by deploy/hub/hub.py: nbgrader in the users' servers of the hub.\n"
        "from nbgrader.auth import JupyterHubAuthPlugin\n\n"
        "c = get_config()  # noqa: F821\n"
        "# A user's courses are the hub groups nbgrader-<course> they are in.\n"
        "c.Authenticator.plugin_class = JupyterHubAuthPlugin\n"
        "# Submissions readable by their author and the graders only (grading/exchange.py).\n"
        "c.ExchangeFactory.submit = 'grading.exchange.PrivateSubmit'\n")
    return learner


def ensure_user(name, created, passwords, *, password=True):
    """The system user ``name``, created with a random password if missing; home made private."""
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name])
        created.append(name)
        user = pwd.getpwnam(name)
        if password:
            secret = secrets.token_urlsafe(12)
            run(["chpasswd"], input=f"{name}:{secret}\n")
            passwords.append(f"{name} {secret}")
    else:
        if user.pw_uid < 1000:
            raise Refused(f"{name} is a system account (uid {user.pw_uid}), not a class member")
    os.chmod(user.pw_dir, 0o700)
    return user


def setup_course(grader, venv, exchange):
    """The grader's course: source notebooks, the course released, the exchange's course folder."""
    home = Path(grader.pw_dir)
    notebooks, course = home / "notebooks", home / "course"
    env = grader_env(grader, venv, course, notebooks)
    as_user(grader.pw_name, ["mkdir", "-p", notebooks, home / "keys"], env)
    # The answer keys: the grader's only (the shared environment leaves them out).
    for source in sorted((REPO / "grading" / "keys").glob("*.py")):
        as_user(grader.pw_name, ["cp", source, home / "keys" / source.name], env)
    for source in sorted((REPO / "notebooks").glob("*.ipynb")):
        target = notebooks / source.name
        if not target.exists():
            as_user(grader.pw_name, ["cp", source, target], env)  # the grader's own file
        elif target.read_bytes() != source.read_bytes():
            print(f"kept {target}, which differs from the repository's {source.name}")
    new = [path.stem for path in sorted(notebooks.glob("*.ipynb"))
           if not (course / "source" / path.stem / path.name).exists()]
    if new:  # a new course, or chapters added since
        print(f"releasing {', '.join(new)} in {course}")
        as_user(grader.pw_name, [venv / "bin" / "python", "-m", "grading", "release",
                                 "--no-workspace", *new], env)
    exchange.mkdir(parents=True, exist_ok=True)
    if exchange.stat().st_uid != 0:
        raise Refused(f"{exchange} belongs to uid {exchange.stat().st_uid}, not to root: someone "
                      "else created it; move it away and run `up` again")
    # nbgrader's exchange root: root's, and no student may create anything in it (an
    # `inbound` or a course's folder of their own): nbgrader needs only the course's
    # folder (grading/exchange.py), which the grader owns.
    os.chmod(exchange, 0o755)
    folder = exchange / COURSE_ID
    if not os.path.lexists(folder):
        folder.mkdir()
        os.chown(folder, grader.pw_uid, grader.pw_gid)
        os.chmod(folder, 0o755)
    inbound = folder / "inbound"
    if not os.path.lexists(inbound) and not folder.is_symlink():
        inbound.mkdir()
        os.chown(inbound, grader.pw_uid, grader.pw_gid)
    for path in (folder, inbound):
        if path.is_symlink() or path.lstat().st_uid != grader.pw_uid:
            raise Refused(f"{path} belongs to uid {path.lstat().st_uid}, not to "
                          f"{grader.pw_name}: someone else created it; move it away and run "
                          "`up` again")
    # nbgrader's 2733 (students create their submissions in it, the graders' group gets
    # them), and sticky: nobody renames or removes a classmate's submission.
    os.chmod(inbound, 0o3733)
    return course, notebooks


def grader_env(grader, venv, course, notebooks):
    """The grader's environment in the formgrader and its terminals: `python -m grading`
    works on the course there without options."""
    return {"PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",  # alembic, for nbgrader
            "HOME": grader.pw_dir, "SHELL": "/bin/bash", "LANG": "C.UTF-8",
            "PYTORCH_PRACTICE_COURSE": str(course), "PYTORCH_PRACTICE_NOTEBOOKS": str(notebooks),
            "PYTORCH_PRACTICE_CONFIG": str(Path(grader.pw_dir) / "course.toml"),
            "PYTORCH_PRACTICE_KEYS": str(Path(grader.pw_dir) / "keys")}


def up(args):
    students, instructors = read_class(args.users)
    prefix, state, exchange = args.prefix.resolve(), args.state.resolve(), args.exchange.resolve()
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    setup_file = state / SETUP_FILE
    setup = json.loads(setup_file.read_text()) if setup_file.exists() else {
        "prefix": str(prefix), "exchange": str(exchange), "created_users": []}
    install_packages()
    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    proxy = install_proxy(prefix)
    venv = install_environment(prefix)
    learner = write_jupyter_config(prefix, venv, exchange)

    created, passwords = setup["created_users"], []
    try:
        for name in students + instructors:
            ensure_user(name, created, passwords)
        grader = ensure_user(args.grader, created, passwords, password=False)
    finally:
        setup_file.write_text(json.dumps(setup, indent=2))
        if passwords:
            with open(os.open(state / "passwords.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                              0o600), "a") as file:
                file.write("".join(line + "\n" for line in passwords))
            print(f"passwords of the {len(passwords)} new accounts: {state / 'passwords.txt'} "
                  "(root only; users change theirs with `passwd` in a terminal)")
    course, notebooks = setup_course(grader, venv, exchange)

    etc = prefix / "etc"
    etc.mkdir(exist_ok=True)
    shutil.copyfile(HERE / "jupyterhub_config.py", etc / "jupyterhub_config.py")
    (etc / "class.json").write_text(json.dumps({
        "course_id": COURSE_ID, "students": students, "instructors": instructors,
        "grader": grader.pw_name, "grader_home": grader.pw_dir, "course_dir": str(course),
        "notebooks_dir": str(notebooks), "venv": str(venv), "proxy": str(proxy),
        "grader_env": grader_env(grader, venv, course, notebooks),
        "learner_config": str(learner), "state": str(state), "exchange": str(exchange),
        "ip": args.ip, "port": args.port, "hub_port": args.hub_port,
        "proxy_api_port": args.proxy_api_port, "formgrader_port": args.formgrader_port,
        "ssl_cert": str(args.ssl_cert or ""), "ssl_key": str(args.ssl_key or ""),
    }, indent=2))
    if _running(state):
        print("restarting the hub, so that it reads the class again (running servers stop)")
        down(args)
    start(etc, venv, proxy, state, args)


def start(etc, venv, proxy, state, args):
    command = [str(venv / "bin" / "jupyterhub"), "-f", str(etc / "jupyterhub_config.py")]
    env = {"PATH": f"{venv / 'bin'}:{proxy.parent}:/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                   "/usr/bin:/sbin:/bin",
           "LANG": "C.UTF-8", "PYTORCH_PRACTICE_CLASS": str(etc / "class.json")}
    scheme = "https" if args.ssl_cert else "http"
    print(f"JupyterHub for {COURSE_ID}: {scheme}://{args.ip or 'this-machine'}:{args.port}/ "
          f"(log in with a system user's password; the formgrader: /services/{COURSE_ID}/)")
    if not args.background:
        os.chdir(state)
        os.execve(command[0], command, env)
    log = open(state / "hub.log", "ab")
    hub = subprocess.Popen(command, cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, start_new_session=True)
    (state / "hub.pid").write_text(str(hub.pid))
    health = f"{scheme}://127.0.0.1:{args.port}/hub/health"
    context = ssl._create_unverified_context() if scheme == "https" else None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise Refused(f"JupyterHub exited ({hub.returncode}); its log:\n" +
                          (state / "hub.log").read_text()[-3000:])
        try:
            urllib.request.urlopen(health, timeout=2, context=context)
            with socket.create_connection(("127.0.0.1", args.formgrader_port), timeout=2):
                print(f"running in the background (pid {hub.pid}, log {state / 'hub.log'})")
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise Refused(f"JupyterHub did not answer at {health} in 120 s; see {state / 'hub.log'}")


def as_grader(args):
    """Run a command as the grader account, in the course, as in the formgrader's terminal."""
    klass = json.loads((args.prefix.resolve() / "etc" / "class.json").read_text())
    if not args.command:
        raise Refused("which command? e.g. python -m grading autograde")
    user = pwd.getpwnam(klass["grader"])
    os.chdir(klass["course_dir"])
    os.initgroups(user.pw_name, user.pw_gid)
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    env = {**klass["grader_env"], "USER": user.pw_name, "LOGNAME": user.pw_name}
    try:
        os.execvpe(args.command[0], args.command, env)
    except OSError as error:
        raise Refused(f"{args.command[0]}: {error.strerror}") from None


def _running(state):
    """The pid of the hub that `up` started with this state folder, if it still runs."""
    for name in ("hub.pid", "jupyterhub.pid"):  # ours (--background), or JupyterHub's own
        try:
            pid = int((state / name).read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            continue
        return pid
    return None


def down(args):
    state = args.state.resolve()
    pid = _running(state)
    if pid is None:
        print("no hub is running from here")
        return
    try:
        os.kill(pid, signal.SIGTERM)  # JupyterHub stops the servers, the service and the proxy
        for _ in range(300):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    (state / "hub.pid").unlink(missing_ok=True)
    print(f"stopped JupyterHub (pid {pid})")


def remove(args):
    if not args.yes:
        raise Refused("remove deletes the accounts `up` created, with their homes and work: "
                      "say --yes")
    state = args.state.resolve()
    setup_file = state / SETUP_FILE
    if not setup_file.exists():
        raise Refused(f"no {SETUP_FILE} in {state}: nothing set up here")
    setup = json.loads(setup_file.read_text())
    down(args)
    for name in setup["created_users"]:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        time.sleep(0.2)
        if _exists(name):
            run(["userdel", "--remove", name])
    shutil.rmtree(Path(setup["exchange"]) / COURSE_ID, ignore_errors=True)
    shutil.rmtree(setup["prefix"], ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)
    print(f"removed {len(setup['created_users'])} accounts, {setup['prefix']}, {state} and the "
          f"course's folder of {setup['exchange']}")


def _exists(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(prog="deploy/hub/hub.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(required=True, metavar="COMMAND")
    state = argparse.ArgumentParser(add_help=False)
    state.add_argument("--state", type=Path, default=Path("/srv/pytorch-practice/hub"),
                       help="the hub's database, secrets, passwords and log (default: %(default)s)")
    start_up = verbs.add_parser("up", parents=[state], help="set up and start the hub")
    start_up.add_argument("users", type=Path, help="the class: a user name a line, "
                          "'instructor' after the instructors' names")
    start_up.add_argument("--prefix", type=Path, default=Path("/opt/pytorch-practice"),
                          help="the shared environment and config (default: %(default)s)")
    start_up.add_argument("--exchange", type=Path, default=Path("/srv/nbgrader/exchange"),
                          help="nbgrader's exchange (default: %(default)s)")
    start_up.add_argument("--grader", default=f"grader-{COURSE_ID}",
                          help="the account that owns the course (default: %(default)s)")
    start_up.add_argument("--ip", default="", help="address to listen on (default: all)")
    start_up.add_argument("--port", type=int, default=8000, help="(default: %(default)s)")
    start_up.add_argument("--hub-port", type=int, default=8081, help="internal (default: %(default)s)")
    start_up.add_argument("--proxy-api-port", type=int, default=8001,
                          help="internal (default: %(default)s)")
    start_up.add_argument("--formgrader-port", type=int, default=9999,
                          help="internal (default: %(default)s)")
    start_up.add_argument("--ssl-cert", type=Path, help="serve HTTPS with this certificate")
    start_up.add_argument("--ssl-key", type=Path, help="and this key")
    start_up.add_argument("--background", action="store_true",
                          help="return once the hub answers; stop it with `down`")
    start_up.set_defaults(run=up)
    grading = verbs.add_parser("grader", help="run a command as the grader account, in the "
                               "course: sudo deploy/hub/hub.py grader python -m grading autograde")
    grading.add_argument("--prefix", type=Path, default=Path("/opt/pytorch-practice"),
                         help="as given to up (default: %(default)s)")
    grading.add_argument("command", nargs=argparse.REMAINDER, help="the command and its arguments")
    grading.set_defaults(run=as_grader)
    verbs.add_parser("down", parents=[state], help="stop the hub").set_defaults(run=down)
    removing = verbs.add_parser("remove", parents=[state],
                                help="stop the hub; delete the accounts, environment and state "
                                     "that `up` created")
    removing.add_argument("--yes", action="store_true", help="yes, delete them")
    removing.set_defaults(run=remove)
    args = parser.parse_args(argv)
    try:
        if os.geteuid() != 0:
            raise Refused("run as root (sudo): it creates system users and starts servers as them")
        if bool(getattr(args, "ssl_cert", None)) != bool(getattr(args, "ssl_key", None)):
            raise Refused("--ssl-cert and --ssl-key go together")
        args.run(args)
    except Refused as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
