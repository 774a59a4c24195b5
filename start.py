"""Set the course up and open the learner's JupyterLab, on Windows, macOS and Linux.

    python3 start.py           Linux and macOS (`py start.py` on Windows): a virtual
                               environment in .venv, the course installed into it
    python start.py --here     the Python of the active environment (the conda route)

Then, as `make lab` (which runs this script) does: the student notebooks are
released into workspace/ (a notebook you have worked on is never overwritten)
and JupyterLab opens there with the learner's settings (deploy/learner, through
JUPYTER_CONFIG_PATH; for the Chinese edition also deploy/learner-zh: Lab's menus in
Chinese). Each run sets up only what is missing. Arguments this script does not
know go to JupyterLab, e.g. `python3 start.py --port 9000`.
It needs Python >= 3.11 and nothing else: no make, no shell.
"""
import argparse
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LEARNER_CONFIG = ROOT / "deploy" / "learner"
# Before it for the Chinese edition: JupyterLab's own interface in Chinese (its README).
CHINESE_CONFIG = ROOT / "deploy" / "learner-zh"
# Where the course is released for the learner (grading/settings.py reads the same variable).
WORKSPACE = Path(os.environ.get("PYTORCH_PRACTICE_WORKSPACE", ROOT / "workspace"))


def venv_python(folder=VENV):
    """The Python of the virtual environment ``folder``, in the platform's layout."""
    if os.name == "nt":
        return folder / "Scripts" / "python.exe"
    return folder / "bin" / "python"


def run(*command):
    print("+", " ".join(map(str, command)), flush=True)
    subprocess.run(list(map(str, command)), cwd=ROOT, check=True)


def install(python, marker=None):
    """Install the course with ``python``'s pip and turn off Lab's news (once per change of
    pyproject.toml, when ``marker`` is given; always otherwise)."""
    if marker and marker.exists() and \
            marker.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime:
        return
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", "-e", str(ROOT))
    lab_settings(python)
    if marker:
        marker.touch()


def lab_settings(python):
    """JupyterLab's settings for the environment of ``python``: no news or update checks,
    so the course works offline (Lab reads them only from the environment's folder)."""
    prefix = subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"],
                            capture_output=True, text=True, check=True).stdout.strip()
    settings = Path(prefix) / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(LEARNER_CONFIG / "overrides.json", settings / "overrides.json")


def setup(here=False):
    """The Python that runs the course, installed and up to date."""
    if here:
        python = Path(sys.executable)
        try:  # the conda route installs the course with environment.yml: check, do not pip
            subprocess.run([str(python), "-P", "-c", "import course_utils, grading, jupyterlab"],
                           cwd=ROOT, check=True, capture_output=True)
        except subprocess.CalledProcessError:
            install(python)
        else:
            lab_settings(python)
        return python
    python = venv_python()
    if not python.exists():
        print(f"+ creating the virtual environment {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    install(python, VENV / ".installed")
    return python


def workspace_language(workspace=WORKSPACE):
    """The edition in ``workspace``, as the release wrote it into the notebooks' check data
    (``.checks/<chapter>.json``): ``"zh"`` if any chapter there is Chinese, else ``"en"``."""
    import json
    for path in sorted((Path(workspace) / ".checks").glob("*.json")):
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("language") == "zh":
                return "zh"
        except (OSError, ValueError, AttributeError):
            continue
    return "en"


def lab_environment(environ=os.environ, language="en"):
    """``environ`` with the learner's config first in JUPYTER_CONFIG_PATH (for ``language``
    ``"zh"``, the Chinese interface's before it)."""
    ours = [CHINESE_CONFIG] if language == "zh" else []
    paths = [str(path) for path in ours + [LEARNER_CONFIG]] + [
        path for path in environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if path]
    return {**environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(paths)}


def lab_command(python, lab_args=()):
    """The command that opens the learner's JupyterLab in the workspace."""
    root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    # `-m jupyterlab`, not `jupyter lab`: no lookup of a `jupyter-lab` script on PATH.
    return [str(python), "-m", "jupyterlab", f"--ServerApp.root_dir={WORKSPACE}", *root,
            *lab_args]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="start.py", description=__doc__.split("\n\n")[0],
        epilog="Other arguments go to JupyterLab, e.g. --port 9000 --no-browser.")
    parser.add_argument("--here", action="store_true",
                        help="use this Python's environment (conda) instead of making .venv")
    parser.add_argument("--language", choices=("en", "zh", "auto"), default="auto",
                        help="the notebooks' language, English or 中文 (default: auto, "
                             "COURSE_LANGUAGE if set, else your system's language)")
    parser.add_argument("--setup-only", action="store_true",
                        help="set up and release the workspace, do not open JupyterLab")
    parser.add_argument("--install-only", action="store_true", help=argparse.SUPPRESS)
    args, lab_args = parser.parse_known_args(argv)
    if sys.version_info < (3, 11):
        parser.exit(1, f"Python >= 3.11 is needed, this is {sys.version.split()[0]}: "
                       "start this script with a newer Python\n")
    try:
        python = setup(args.here)
        if args.install_only:
            return 0
        run(python, "-m", "grading", "release", "--workspace", WORKSPACE, "--language",
            args.language)
    except subprocess.CalledProcessError as failed:
        parser.exit(1, f"start.py: this step failed (exit status {failed.returncode}); "
                       "see its messages above\n")
    if args.setup_only:
        return 0
    command = lab_command(python, lab_args)
    print("+", " ".join(command), flush=True)
    lab = subprocess.Popen(command, cwd=ROOT,
                           env=lab_environment(language=workspace_language()))
    while True:
        try:
            return lab.wait()
        except KeyboardInterrupt:  # Ctrl+C reaches JupyterLab too, which asks or stops
            continue


if __name__ == "__main__":
    sys.exit(main())
