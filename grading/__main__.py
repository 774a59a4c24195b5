"""Command line: ``python -m grading {release,collect,autograde,feedback,export,status,check,audit,
delete-class-data}``.

The pipeline is imported only once the arguments are parsed, so that --help
and usage errors answer at once: nbgrader and nbformat take seconds to import.
"""
import argparse
import logging
import sys
import textwrap
import warnings

from . import sandbox, settings

CONFIG_HELP = """\
the course config (course.toml at the repository's root by default; every key optional):

  timezone = "Asia/Shanghai"     # of due dates and zip times without an offset (default UTC)

  [due]                          # a due date per chapter
  02_linear_model = 2026-03-08T23:59:00
  03_gradient_descent = 2026-03-15T23:59:00+08:00
  04_backprop = 2026-03-22       # a date alone: the end of that day

  [late]                         # late penalty (default: none)
  percent = 10                   # % of the chapter's points per started day (or hour) late
  per = "day"                    # "day" or "hour"
  max_percent = 50               # at most this much in all (100: down to 0)
  grace_minutes = 15             # up to this late counts as on time

  [roster]                       # who may submit (default: anyone with a valid id)
  students = ["alice", "bob"]    # or: file = "roster.csv" (a student_id column, or an id a line)

  [collect]
  zip_patterns = ['(?P<student_id>.+?)_(?P<file_id>\\d\\d_.+)']   # file names in an LMS zip
  max_file_mb = 512              # larger submissions are not read (0, with the reason)
  max_notebook_mb = 32           # a notebook's size without its outputs
  max_zip_mb = 4096              # what one zip may unpack to
"""


def _config(args):
    from . import config

    explicit = args.config is not None
    return config.load(args.config if explicit else config.default_path(), required=explicit)


def _release(pipeline, args):
    from course_utils.i18n import system_language

    config = _config(args)
    chapters = args.chapters
    if not chapters:
        chapters, skipped = pipeline.releasable_chapters(args.notebooks_dir)
        for chapter, why in skipped.items():
            print(f"{chapter}: not released: {why}", file=sys.stderr)
    for chapter in config.unknown_chapters(pipeline.available_chapters(args.notebooks_dir)):
        print(f"warning: {config.path} gives a due date to {chapter!r}, which is no chapter",
              file=sys.stderr)
    releases = pipeline.release(
        chapters, course_dir=args.course_dir, workspace=args.workspace,
        notebooks_dir=args.notebooks_dir, reset_workspace=args.reset_workspace,
        cell_timeout=args.cell_timeout, config=config,
        language=system_language() if args.language == "auto" else args.language,
        fallback=args.language == "auto")
    for item in releases:
        due = f", due {config.local(item.due)}" if item.due else ", no due date"
        edition = " (English: its 中文 edition is not complete yet)" if item.fell_back else \
            f" ({item.language})"
        print(f"{item.chapter}: released {item.release_notebook}{edition}{due}")
        if item.kept_existing:
            print(f"  kept {item.workspace_notebook}, which may hold the learner's work. For a "
                  "fresh copy, rename or delete it, or release again with --reset-workspace")
        elif item.backup:
            print(f"  moved the old {item.workspace_notebook} to {item.backup}; "
                  "fresh copy in its place")
        elif item.workspace_notebook:
            print(f"  copied to {item.workspace_notebook}")
    if config.due:
        print(f"late policy: {config.late.describe()}")


def _collect(pipeline, args):
    config = _config(args)
    report = pipeline.collect(args.sources, course_dir=args.course_dir,
                              notebooks_dir=args.notebooks_dir, config=config)

    def when(candidate):
        return config.local(candidate.submitted_at)

    for candidate in report.collected:
        problem = f"  (recorded as broken: {candidate.problem})" if candidate.problem else ""
        print(f"collected {candidate.student:<16} {candidate.chapter:<22} {when(candidate)}  "
              f"from {candidate.origin}{problem}")
    for candidate, _ in report.replaced:
        print(f"replaced  {candidate.student:<16} {candidate.chapter:<22} {when(candidate)}  "
              f"by the newer {candidate.origin}")
    for candidate, existing in report.kept_newer:
        print(f"kept      {candidate.student:<16} {candidate.chapter:<22} the newer one already "
              f"collected ({existing['origin']}), not {candidate.origin}")
    sections = [("warnings", report.warnings),
                ("duplicates, the latest kept", report.duplicates),
                ("not collected, as they belong to no student and chapter",
                 [f"{origin}: {why}" for origin, why in report.not_collected]),
                ("sources not read", [f"{source}: {why}" for source, why in report.errors])]
    for title, items in sections:
        if items:
            print(f"{title}:")
            for item in items:
                print(f"  {item}")
    if report.skipped:
        print(f"skipped {len(report.skipped)} system file(s) (.DS_Store, __MACOSX, "
              ".ipynb_checkpoints, ...)")
    print(f"{len(report.collected)} new, {len(report.replaced)} replaced, "
          f"{len(report.unchanged)} unchanged, {len(report.not_collected)} not collected, "
          f"{len(report.errors)} source(s) not read; into {args.course_dir}/collected"
          + (". Next: python -m grading autograde" if report.collected or report.replaced
             else ""))
    return 1 if report.errors else 0


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
    from .config import format_late

    limits = {name: getattr(args, name) for name in sandbox.Limits.__dataclass_fields__
              if getattr(args, name) is not None}
    results = pipeline.autograde(
        args.submissions_dir, chapter=args.chapter, course_dir=args.course_dir,
        notebooks_dir=args.notebooks_dir, jobs=args.jobs, force=args.force, limits=limits,
        secret_file=args.secret, progress=None if args.quiet else _Progress(),
        config=_config(args))
    for result in results:
        score = f"{result.score:g}/{result.max_score:g}"
        late = ""
        if result.late_seconds:
            late = f"  late {format_late(result.late_seconds)}" + (
                f": -{result.penalty:g}, final {result.final_score:g}" if result.penalty else "")
        print(f"{result.student_id:<20} {result.chapter:<20} {score:>7}  "
              f"{result.status_text}{late}")
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
    from pathlib import Path

    report = None if args.no_report else (args.report or Path(args.csv).with_suffix(".html"))
    rows = pipeline.export(args.csv, chapter=args.chapter, course_dir=args.course_dir,
                           config=_config(args), report=report)
    print(f"wrote {rows} rows to {args.csv}" + (f"; report: {report}" if report else ""))


def _feedback(pipeline, args):
    files = pipeline.feedback(chapter=args.chapter, course_dir=args.course_dir,
                              config=_config(args))
    print("feedback:")
    for path in files:
        print(f"  {path}")


def _status(pipeline, args):
    from . import status

    view = status.overview(course_dir=args.course_dir, notebooks_dir=args.notebooks_dir,
                           config=_config(args))
    print("\n".join(status.lines(view, chapter=args.chapter, student=args.student)))


def _check(pipeline, args):
    from . import check

    isolation = sandbox.detect()
    note = check.isolation_note(isolation)
    if note:
        print(note, file=sys.stderr)
    checked = check.check(args.notebook, chapter=args.chapter, isolation=isolation)
    print("\n".join(check.table(checked)))
    return 0 if checked.graded.score >= checked.graded.max_score else 1


def _delete_class_data(pipeline, args):
    from . import classdata

    found = classdata.present(args.course_dir)
    if not found:
        print(f"no class data in {args.course_dir}: nothing to delete")
        return 0
    print(f"This deletes the class's data in {args.course_dir}:")
    width = max(len(path.name) for path, _, _ in found) + 1
    for path, what, size in found:
        name = path.name + "/" * (path.is_dir() and not path.is_symlink())
        print(f"  {name:<{width}}  {what} ({size})")
    print("It cannot be made again. The released chapters (source/, release/) and the "
          "learners' workspace stay.")
    if not args.yes:
        try:
            answer = input("Delete all of this? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    classdata.delete([path for path, _, _ in found])
    print(f"deleted {len(found)} item(s) from {args.course_dir}")
    return 0


def _parser(verbs, name, *, parents, help, description, examples):
    return verbs.add_parser(name, parents=parents, help=help,
                            description=textwrap.fill(description, 79),
                            epilog="examples:\n" + "\n".join(f"  {line}".rstrip() for line in examples),
                            formatter_class=argparse.RawDescriptionHelpFormatter)


class _Escaped(logging.Formatter):
    """Log lines with the characters of names that a terminal would obey escaped."""

    def format(self, record):
        from .names import shown

        return "\n".join(map(shown, super().format(record).split("\n")))


def build_parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course-dir", default=settings.COURSE_DIR, metavar="DIR",
                        help="nbgrader course directory (default: %(default)s)")
    common.add_argument("--config", metavar="FILE",
                        help="the course config: due dates, late policy, roster, limits "
                             f"(default: {settings.CONFIG_FILE}, if it exists; format: "
                             "`release --help`)")
    common.add_argument("-v", "--verbose", action="store_true", help="show nbgrader's own log")
    notebooks = argparse.ArgumentParser(add_help=False)
    notebooks.add_argument("--notebooks-dir", default=settings.NOTEBOOKS_DIR, metavar="DIR",
                           help="source notebooks, one per chapter (default: %(default)s)")

    parser = argparse.ArgumentParser(
        prog="python -m grading",
        description="Release the course's chapters, collect and grade learners' notebooks, give "
                    "feedback and report; a learner checks their own notebook with `check`.",
        epilog="a class, start to end:\n"
               "  python -m grading release\n"
               "  python -m grading collect downloads/class.zip\n"
               "  python -m grading autograde\n"
               "  python -m grading feedback\n"
               "  python -m grading export grades.csv     # and grades.html\n"
               "  python -m grading status\n"
               "a learner, before handing in:\n"
               "  python -m grading check workspace/02_linear_model.ipynb",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    release = _parser(
        verbs, "release", parents=[common, notebooks], help="build the student version of chapters",
        description="Generate the student version of each chapter (solutions and hidden tests "
                    "removed) in the course's release/ folder and copy it to the learner's "
                    "workspace. A notebook already in the workspace is never overwritten. Due "
                    "dates come from the course config (below) and go into the gradebook.",
        examples=["python -m grading release",
                  "python -m grading release 02_linear_model --cell-timeout 20",
                  "python -m grading release --config ~/teaching/spring.toml", "", *CONFIG_HELP
                  .splitlines()])
    release.add_argument("chapters", nargs="*", metavar="CHAPTER",
                         help="chapter ids, e.g. 02_linear_model (default: every chapter with "
                              "a checks module)")
    release.add_argument("--workspace", default=settings.WORKSPACE_DIR, metavar="DIR",
                         help="the learner's folder (default: %(default)s)")
    release.add_argument("--no-workspace", dest="workspace", action="store_const", const=None,
                         help="leave every learner's folder alone (an instructor's course)")
    release.add_argument("--reset-workspace", action="store_true",
                         help="move the learner's notebook to a timestamped backup first, "
                              "then copy a fresh one")
    release.add_argument("--language", choices=("en", "zh", "auto"),
                         help="the edition: English or 中文 (default: the course config's, else "
                              "en; auto: COURSE_LANGUAGE, else the system's language, and "
                              "English for a chapter not translated yet)")
    release.add_argument("--cell-timeout", type=int, metavar="SECONDS",
                         help="when grading, interrupt a cell after this long (default: the "
                              "course's current setting, "
                              f"{settings.CELL_TIMEOUT} for a new course)")
    release.set_defaults(run=_release)

    collect = _parser(
        verbs, "collect", parents=[common, notebooks], help="gather submissions into the course",
        description="Copy each learner's latest notebook of each chapter into the course "
                    "(course/collected/<student_id>/<chapter>.ipynb, with the submission time "
                    "and origin in collection.json), from a folder SOURCE/<student_id>/"
                    "<chapter>.ipynb (section folders in between are fine), an LMS zip (nbgrader "
                    "zip_collect's naming: the student id and chapter from the file name) or "
                    "nbgrader's exchange. SOURCE is never changed. A name close to a chapter's "
                    "is taken with a warning; of duplicates the latest is kept; files that "
                    "belong to no student and chapter are listed. Collecting again adds and "
                    "replaces by submission time. Exit status 1 if a source could not be read.",
        examples=["python -m grading collect submissions/              # <student>/<chapter>.ipynb",
                  "python -m grading collect downloads/moodle.zip      # alice_02_linear_model.ipynb",
                  "python -m grading collect /srv/nbgrader/exchange    # nbgrader submit",
                  "python -m grading collect section-a.zip section-b.zip",
                  "",
                  "submission time: the zip entry's time or a timestamp in its name, the "
                  "exchange's, or a file's",
                  "modification time for a folder (copy folders with cp -p or rsync -t)"])
    collect.add_argument("sources", nargs="+", metavar="SOURCE",
                         help="a folder, a .zip file or nbgrader's exchange")
    collect.set_defaults(run=_collect)

    autograde = _parser(
        verbs, "autograde", parents=[common, notebooks], help="grade submitted notebooks",
        description="Grade everything collected (or every DIR/<student_id>/<chapter>.ipynb), "
                    "releasing the chapter first if needed. A missing or broken notebook gets 0 "
                    "and a reason; the others are still graded. Submissions unchanged since "
                    "their last grading are kept. Late penalties follow the course config.",
        examples=["python -m grading autograde                     # what collect gathered",
                  "python -m grading autograde submissions/        # a folder, as it is",
                  "python -m grading autograde --chapter 02_linear_model --jobs 8",
                  "python -m grading autograde --force --memory-mb 2048"])
    autograde.add_argument("submissions_dir", metavar="DIR", nargs="?",
                           help="one folder per student (default: the course's collection)")
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

    feedback = _parser(
        verbs, "feedback", parents=[common], help="write HTML feedback pages for learners",
        description="Write an offline HTML page for every submission in the gradebook, at "
                    "feedback/<student_id>/<chapter>/<chapter>.html: the scores, each "
                    "exercise's check message and the learner's own code, the submission time "
                    "and any late penalty; for a submission given 0, the reason. Never the "
                    "hidden tests, paths of this machine or links.",
        examples=["python -m grading feedback",
                  "python -m grading feedback --chapter 02_linear_model"])
    feedback.add_argument("--chapter", help="only this chapter (default: all)")
    feedback.set_defaults(run=_feedback)

    export = _parser(
        verbs, "export", parents=[common], help="write grades to CSV, and a report page",
        description="Write one row per student and exercise: student_id, assignment, exercise, "
                    "score, max_score, status (graded, or why not), then the chapter's "
                    "submitted_at, late_by_hours, assignment_raw_score, late_penalty, "
                    "assignment_score (after the penalty) and assignment_max_score. Also write "
                    "an offline HTML report of the same numbers: score distributions per "
                    "chapter and exercise, the hardest exercises and their most frequent check "
                    "messages, students missing work, late submissions.",
        examples=["python -m grading export grades.csv               # and grades.html",
                  "python -m grading export ch2.csv --chapter 02_linear_model --report ch2.html",
                  "python -m grading export grades.csv --no-report"])
    export.add_argument("csv", metavar="CSV", help="file to write")
    export.add_argument("--chapter", help="only this chapter (default: all)")
    export.add_argument("--report", metavar="HTML",
                        help="the report's file (default: the CSV's name with .html)")
    export.add_argument("--no-report", action="store_true", help="write the CSV only")
    export.set_defaults(run=_export)

    status = _parser(
        verbs, "status", parents=[common, notebooks], help="what is released, collected, graded",
        description="Show, per chapter, whether it is released, its due date and how many "
                    "submissions are collected, graded, not graded, missing and late; per "
                    "student and chapter the score or state (collected = not graded yet); what "
                    "failed and why; and what collect could not take.",
        examples=["python -m grading status", "python -m grading status --student alice",
                  "python -m grading status --chapter 02_linear_model"])
    status.add_argument("--chapter", help="only this chapter")
    status.add_argument("--student", help="only this student")
    status.set_defaults(run=_status)

    check = _parser(
        verbs, "check", parents=[], help="check your own notebook before handing it in",
        description="Grade one notebook here, with the grader's own engine, on the cases the "
                    "notebook shows (the grader also checks hidden ones): a line per exercise "
                    "with its score and message, and the total. Needs no course, no root and "
                    "no bubblewrap. Exit status 0 when every exercise passes, else 1.",
        examples=["python -m grading check workspace/02_linear_model.ipynb",
                  "python -m grading check my_copy.ipynb --chapter 02_linear_model"])
    check.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb file")
    check.add_argument("--chapter", help="the chapter (default: from the name or the cells)")
    check.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    check.set_defaults(run=_check)

    audit = _parser(
        verbs, "audit", parents=[common], help="show what each grade was computed from",
        description="Show, per graded submission, the SHA-256 of the submission, of the checks "
                    "and of the configuration it was graded with, the isolation used, and each "
                    "exercise's score and message.",
        examples=["python -m grading audit",
                  "python -m grading audit --student alice --chapter 02_linear_model"])
    audit.add_argument("--chapter", help="only this chapter")
    audit.add_argument("--student", help="only this student")
    audit.set_defaults(run=_audit)

    delete = _parser(
        verbs, "delete-class-data", parents=[common],
        help="delete the class's collected work, gradebook, feedback and audit",
        description="Delete what a class left in the course: the submissions collected, "
                    "submitted and autograded, the feedback pages, the audit, the gradebook "
                    "and the grading status. Lists each first and asks (y/N), unless --yes. "
                    "The released chapters and the learners' workspace stay; `make clean` "
                    "never deletes any of this.",
        examples=["python -m grading delete-class-data",
                  "python -m grading delete-class-data --course-dir ~/course --yes"])
    delete.add_argument("--yes", action="store_true", help="delete without asking")
    delete.set_defaults(run=_delete_class_data)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.run is _delete_class_data:  # files only: no need to wait for nbgrader
        return _delete_class_data(None, args)
    if args.run is _check:  # a learner's: the engine only, not nbgrader's gradebook
        from .base import GradingError

        try:
            return _check(None, args)
        except GradingError as error:
            parser.exit(1, f"grading: error: {error}\n")
    from sqlalchemy.exc import SAWarning

    from . import pipeline

    if args.verbose:
        handler = logging.StreamHandler()
        handler.setFormatter(_Escaped())  # nbgrader logs the file names it reads
        pipeline.NBGRADER_LOG.addHandler(handler)
        pipeline.NBGRADER_LOG.setLevel(logging.INFO)
    else:
        # nbgrader's gradebook makes SQLAlchemy warn about autoflush on every new submission.
        warnings.simplefilter("ignore", SAWarning)
    try:
        return args.run(pipeline, args) or 0
    except pipeline.GradingError as error:
        parser.exit(1, f"grading: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
