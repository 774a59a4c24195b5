"""Command line: ``python -m grading {release,autograde,export,feedback,audit}``.

The pipeline is imported only once the arguments are parsed, so that --help
and usage errors answer at once: nbgrader and nbformat take seconds to import.
"""
import argparse
import logging
import sys
import warnings

from . import sandbox, settings


def _release(pipeline, args):
    releases = pipeline.release(
        args.chapters, course_dir=args.course_dir, workspace=args.workspace,
        notebooks_dir=args.notebooks_dir, reset_workspace=args.reset_workspace,
        cell_timeout=args.cell_timeout)
    for item in releases:
        print(f"{item.chapter}: released {item.release_notebook}")
        if item.kept_existing:
            print(f"  kept {item.workspace_notebook}, which may hold the learner's work. For a "
                  "fresh copy, rename or delete it, or release again with --reset-workspace")
        elif item.backup:
            print(f"  moved the old {item.workspace_notebook} to {item.backup}; "
                  "fresh copy in its place")
        else:
            print(f"  copied to {item.workspace_notebook}")


class _Progress:
    """A one-line progress bar on stderr with a running count of failures."""

    def __init__(self, stream=sys.stderr):
        self.stream, self.failed = stream, 0

    def __call__(self, done, total, graded):
        self.failed += bool(graded.failure or graded.score < graded.max_score)
        width = 30
        bar = "#" * (width * done // total)
        self.stream.write(f"\rgrading [{bar:<{width}}] {done}/{total}, "
                          f"{self.failed} not full marks")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def _autograde(pipeline, args):
    limits = {name: getattr(args, name) for name in sandbox.Limits.__dataclass_fields__
              if getattr(args, name) is not None}
    results = pipeline.autograde(
        args.submissions_dir, chapter=args.chapter, course_dir=args.course_dir,
        notebooks_dir=args.notebooks_dir, jobs=args.jobs, force=args.force, limits=limits,
        secret_file=args.secret, progress=None if args.quiet else _Progress())
    for result in results:
        score = f"{result.score:g}/{result.max_score:g}"
        print(f"{result.student_id:<20} {result.chapter:<20} {score:>7}  {result.status_text}")
    not_graded = sum(result.status is not pipeline.Status.GRADED for result in results)
    kept = sum(not result.regraded for result in results)
    print(f"{len(results) - not_graded} graded, {not_graded} given 0 for the reason shown"
          + (f"; {kept} unchanged since their last grading, kept (--force regrades)"
             if kept else ""))


def _audit(pipeline, args):
    from . import audit

    entries = audit.records(args.course_dir, args.chapter, args.student)
    if not entries:
        print("no audit records: run autograde first")
    for entry in entries:
        print(f"{entry['student']} {entry['chapter']}: {entry['score']:g}/{entry['max_score']:g} "
              f"({entry['status']}), graded {entry['graded_at']} with {entry['isolation']}")
        for name, digest in entry["hashes"].items():
            print(f"  {name + ' sha256':<18} {digest}")
        for exercise in entry["exercises"]:
            message = exercise["message"].splitlines()[0] if exercise["message"] else "passed"
            print(f"  {exercise['name']:<22} {exercise['score']:g}/{exercise['points']:g}  {message}")


def _export(pipeline, args):
    rows = pipeline.export(args.csv, chapter=args.chapter, course_dir=args.course_dir)
    print(f"wrote {rows} rows to {args.csv}")


def _feedback(pipeline, args):
    files = pipeline.feedback(chapter=args.chapter, course_dir=args.course_dir)
    print("feedback:")
    for path in files:
        print(f"  {path}")


def build_parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course-dir", default=settings.COURSE_DIR, metavar="DIR",
                        help="nbgrader course directory (default: %(default)s)")
    common.add_argument("-v", "--verbose", action="store_true", help="show nbgrader's own log")
    notebooks = argparse.ArgumentParser(add_help=False)
    notebooks.add_argument("--notebooks-dir", default=settings.NOTEBOOKS_DIR, metavar="DIR",
                           help="source notebooks, one per chapter (default: %(default)s)")

    parser = argparse.ArgumentParser(
        prog="python -m grading",
        description="Release the course's chapters and grade learners' notebooks with nbgrader.")
    verbs = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    release = verbs.add_parser(
        "release", parents=[common, notebooks], help="build the student version of chapters",
        description="Generate the student version of each chapter (solutions and hidden tests "
                    "removed) in the course's release/ folder and copy it to the learner's "
                    "workspace. A notebook already in the workspace is never overwritten.")
    release.add_argument("chapters", nargs="*", metavar="CHAPTER",
                         help="chapter ids, e.g. 02_linear_model (default: every notebook)")
    release.add_argument("--workspace", default=settings.WORKSPACE_DIR, metavar="DIR",
                         help="the learner's folder (default: %(default)s)")
    release.add_argument("--reset-workspace", action="store_true",
                         help="move the learner's notebook to a timestamped backup first, "
                              "then copy a fresh one")
    release.add_argument("--cell-timeout", type=int, metavar="SECONDS",
                         help="when grading, interrupt a cell after this long (default: the "
                              "course's current setting, "
                              f"{settings.CELL_TIMEOUT} for a new course)")
    release.set_defaults(run=_release)

    autograde = verbs.add_parser(
        "autograde", parents=[common, notebooks], help="grade submitted notebooks",
        description="Grade every DIR/<student_id>/<chapter>.ipynb with nbgrader, releasing the "
                    "chapter first if needed. A missing or broken notebook gets 0 and a reason; "
                    "the others are still graded. Grading again replaces earlier results.")
    autograde.add_argument("submissions_dir", metavar="DIR", help="one folder per student")
    autograde.add_argument("--chapter", help="chapter to grade (default: every chapter submitted)")
    autograde.add_argument("-j", "--jobs", type=int, metavar="N",
                           help="submissions graded at once (default: the number of cores)")
    autograde.add_argument("--force", action="store_true",
                           help="grade again submissions unchanged since their last grading")
    autograde.add_argument("--secret", default=settings.SECRET_FILE, metavar="FILE",
                           help="the instructor's secret for the hidden cases, created on first "
                                "use; keep it out of what students get (default: %(default)s)")
    autograde.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    limits = autograde.add_argument_group(
        "limits per submission", "defaults in brackets; the cell limit defaults to the course's "
        "(release --cell-timeout)")
    defaults = sandbox.Limits()
    for name, unit, what in [
            ("cell_seconds", "SECONDS", "one cell may run"),
            ("call_seconds", "SECONDS", "one call of a learner's function by a check may run"),
            ("exercise_seconds", "SECONDS", "checking one exercise may take"),
            ("notebook_seconds", "SECONDS", "the whole notebook may take"),
            ("memory_mb", "MB", "memory (address space) of the notebook"),
            ("processes", "N", "processes the notebook may run at once"),
            ("output_mb", "MB", "results the notebook may hand back"),
            ("file_mb", "MB", "its working folder and each file")]:
        default = "course" if name == "cell_seconds" else f"{getattr(defaults, name):g}"
        limits.add_argument("--" + name.replace("_", "-"), type=float if "seconds" in name else int,
                            metavar=unit, help=f"{what} [{default}]")
    autograde.set_defaults(run=_autograde)

    audit = verbs.add_parser(
        "audit", parents=[common], help="show what each grade was computed from",
        description="Show, per graded submission, the SHA-256 of the submission, of the checks "
                    "and of the configuration it was graded with, the isolation used, and each "
                    "exercise's score and message.",
        epilog="examples:\n  python -m grading audit\n  python -m grading audit --student alice "
               "--chapter 02_linear_model", formatter_class=argparse.RawDescriptionHelpFormatter)
    audit.add_argument("--chapter", help="only this chapter")
    audit.add_argument("--student", help="only this student")
    audit.set_defaults(run=_audit)

    export = verbs.add_parser(
        "export", parents=[common], help="write grades to a CSV file",
        description="Write one row per student and exercise, with columns student_id, "
                    "assignment, exercise, score, max_score and status (graded, or why not).")
    export.add_argument("csv", metavar="CSV", help="file to write")
    export.add_argument("--chapter", help="only this chapter (default: all)")
    export.set_defaults(run=_export)

    feedback = verbs.add_parser(
        "feedback", parents=[common], help="write HTML feedback pages for learners",
        description="Write an offline HTML page for every submission in the gradebook, at "
                    "feedback/<student_id>/<chapter>/<chapter>.html: the scores, each "
                    "exercise's check message and the learner's own code; for a submission "
                    "given 0, the reason.")
    feedback.add_argument("--chapter", help="only this chapter (default: all)")
    feedback.set_defaults(run=_feedback)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    from sqlalchemy.exc import SAWarning

    from . import pipeline

    if args.verbose:
        pipeline.NBGRADER_LOG.addHandler(logging.StreamHandler())
        pipeline.NBGRADER_LOG.setLevel(logging.INFO)
    else:
        # nbgrader's gradebook makes SQLAlchemy warn about autoflush on every new submission.
        warnings.simplefilter("ignore", SAWarning)
    try:
        args.run(pipeline, args)
    except pipeline.GradingError as error:
        parser.exit(1, f"grading: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
