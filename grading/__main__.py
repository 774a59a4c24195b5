"""Command line: ``python -m grading {release,autograde,export,feedback}``.

The pipeline is imported only once the arguments are parsed, so that --help
and usage errors answer at once: nbgrader and nbformat take seconds to import.
"""
import argparse
import logging
import sys
import warnings

from . import settings


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


def _autograde(pipeline, args):
    results = pipeline.autograde(args.submissions_dir, chapter=args.chapter,
                                 course_dir=args.course_dir, notebooks_dir=args.notebooks_dir)
    for result in results:
        score = f"{result.score:g}/{result.max_score:g}"
        print(f"{result.student_id:<20} {result.chapter:<20} {score:>7}  {result.status_text}")
    not_graded = sum(result.status is not pipeline.Status.GRADED for result in results)
    print(f"{len(results) - not_graded} graded, {not_graded} given 0 for the reason shown")


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
    autograde.set_defaults(run=_autograde)

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
