"""The ``mips-optimizer`` command line: argparse in, one function per subcommand, exit codes out.

Exit codes: 0 success; 1 a known error (bad input, missing data, infeasible, no solver),
reported as one line on stderr; 2 usage; 3 unexpected (traceback with ``--debug``); 4 ``compare``
wrote its report but some variants or files failed (each has its row with the reason, and a line on
stderr), or ``portfolio`` wrote its summaries but some practices failed; 5 ``portfolio``: every
practice failed; 130 interrupted; 141 standard output closed early (``| head``: the run ends quietly, as a
program killed by SIGPIPE would). Only this module and the command functions it calls write to the
terminal; every error and warning line passes through :func:`optimizer.text_safety.terminal_line`.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import traceback
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from optimizer import __version__
from optimizer.errors import InputWarning, MipsError
from optimizer.text_safety import terminal_line

PROGRAM = "mips-optimizer"
REPORT_FORMATS = ("md", "html", "json", "csv", "xlsx")
FORMAT_OF_SUFFIX = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
"""``--output report.html`` without ``--format`` writes that format."""
CLOSED_PIPE_EXIT_CODE = 141
"""128 + SIGPIPE: what a shell reports for a program stopped by a reader that went away."""
DEFAULT_FETCH_TIMEOUT_SECONDS = 300.0


def _seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _positive_integer(text: str) -> int:
    """An argparse type: a whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {text!r}")
    return value


def _add_data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder holding the fetched CMS files (default: $MIPS_OPTIMIZER_DATA_DIR, "
        "else the user's cache folder)",
    )


def _add_report_options(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument(
        "--format",
        choices=formats,
        default=None,
        help="report format (default: from the --output file's suffix, .md .html .json .csv .xlsx; else md)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="write the report to this file (atomically) instead of stdout"
    )
    parser.add_argument(
        "--report-date",
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the report shows (default: $SOURCE_DATE_EPOCH's date if set, else today); "
        "the same inputs, seed and date give the same report byte for byte",
    )
    parser.add_argument(
        "--template-dir",
        type=Path,
        default=None,
        help="folder of HTML templates that override the built-in ones by name, e.g. a branding.html.j2 "
        "with the firm's name and disclaimer (see the README)",
    )


def _report_format(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """``--format``, else the format the ``--output`` suffix names, else Markdown; a --format that
    contradicts a known suffix is a usage error (a file named .html holding Markdown helps nobody)."""
    output = getattr(args, "output", None)  # portfolio writes a folder (--output-dir), each report in --format
    suffix = FORMAT_OF_SUFFIX.get(output.suffix.lower()) if output is not None else None
    if args.format is None:
        return suffix or "md"
    if suffix is not None and suffix != args.format:
        parser.error(f"--format {args.format} does not match --output {args.output} (a .{suffix} file); drop --format or change the suffix")
    return args.format


def _add_solver_options(parser: argparse.ArgumentParser) -> None:
    # Each is checked like the [optimize] key it overrides (its type, range or choices are declared
    # once, in optimizer/inputs/scenario_file.py), before any work: see _solver_overrides.
    parser.add_argument("--draws", type=int, default=None, help="scenarios drawn, 0-100000 (overrides [optimize] draws; 0 = deterministic)")
    parser.add_argument("--seed", type=int, default=None, help="random seed, 0 or more (overrides [optimize] seed)")
    parser.add_argument(
        "--objective",
        default=None,
        help="what to maximise: expected_payment, expected_score or threshold_probability (overrides [optimize] objective)",
    )
    parser.add_argument("--solver", default=None, help="a MILP solver, highs or cbc, for concave pathways (default: none; branch and bound is exact without one)")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per pathway solve, 0.1 or more")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Plan MIPS reporting: look up CMS data, import a practice's files, score it, choose measures, compare what-ifs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on unexpected errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = commands.add_parser("data", help="fetch, verify and look up CMS program data")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    fetch = data_commands.add_parser("fetch", help="download (or import) and verify a performance year's CMS files")
    fetch.add_argument("year", type=int, help="performance year, e.g. 2026")
    fetch.add_argument(
        "--from",
        dest="source",
        default=None,
        help="a local folder laid out like CMSgov/qpp-measures-data, or a base URL (default: the pinned upstream tag)",
    )
    fetch.add_argument("--force", action="store_true", help="fetch again even if verified files are cached")
    fetch.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_FETCH_TIMEOUT_SECONDS,
        help=f"seconds each file's download may take in all (default {DEFAULT_FETCH_TIMEOUT_SECONDS:g})",
    )
    _add_data_dir_option(fetch)
    bundle = data_commands.add_parser(
        "bundle", help="regenerate the bundled tables (benchmarks_data/<year>/) from the checksum-verified upstream files"
    )
    bundle.add_argument("years", type=int, nargs="*", help="performance years (default: every year the project pins)")
    bundle.add_argument(
        "--from",
        dest="source",
        default=None,
        help="a local folder laid out like CMSgov/qpp-measures-data, or a base URL (default: the pinned upstream tag)",
    )
    bundle.add_argument(
        "--output", type=Path, default=None, help="folder to write <year>/ into (default: the project's benchmarks_data)"
    )
    show = data_commands.add_parser("show", help="show a measure, an MVP, or search measure titles")
    show.add_argument("year", type=int, help="performance year, e.g. 2026")
    show.add_argument("--measure", default=None, help="a measure or activity id, e.g. 236 or IA_BE_6")
    show.add_argument("--mvp", default=None, help="an MVP id, e.g. M0005")
    show.add_argument("--search", default=None, help="words to look for in measure titles")
    _add_data_dir_option(show)

    imported = commands.add_parser(
        "import", help="turn QRDA III (.xml, .xml.gz) and QPP submission JSON files into a baseline table"
    )
    imported.add_argument("files", type=Path, nargs="+", help="QRDA Category III or QPP submission JSON files")
    imported.add_argument(
        "--year", type=int, default=None, help="read the files with this performance year's measures data (overrides the files' year)"
    )
    imported.add_argument(
        "--measure-map", type=Path, default=None, help="CSV with columns emeasure_uuid,measure_id for eCQM UUIDs the year's data lacks"
    )
    imported.add_argument("--output", type=Path, required=True, help="the baseline CSV to write (atomically; nothing on a problem)")
    _add_data_dir_option(imported)

    score = commands.add_parser("score", help="score what a scenario reports, exactly as CMS would")
    score.add_argument("scenario", type=Path, help="scenario file (TOML)")
    _add_report_options(score, REPORT_FORMATS)
    _add_data_dir_option(score)

    plan = commands.add_parser("plan", help="choose the measures and activities worth the most")
    plan.add_argument("scenario", type=Path, help="scenario file (TOML)")
    _add_report_options(plan, REPORT_FORMATS)
    _add_solver_options(plan)
    plan.add_argument(
        "--no-quality-work",
        dest="quality_work",
        action="store_false",
        help="leave out 'where quality work pays' (it plans again for each measure improved: the slowest part of a plan on a large practice)",
    )
    plan.add_argument(
        "--timings",
        action="store_true",
        help="add how long the run and each solve took to the report (without it, the same inputs and seed give the same bytes)",
    )
    _add_data_dir_option(plan)

    compare = commands.add_parser("compare", help="plan every what-if variant and scenario side by side")
    compare.add_argument("scenarios", type=Path, nargs="+", help="scenario files (TOML)")
    compare.add_argument(
        "--rescore-only",
        action="store_true",
        help="keep each file's base selection and only re-score it under each variant",
    )
    _add_report_options(compare, REPORT_FORMATS)
    _add_solver_options(compare)
    _add_data_dir_option(compare)

    portfolio = commands.add_parser(
        "portfolio", help="plan every practice of a portfolio in parallel: one report each and a ranked summary"
    )
    portfolio.add_argument("scenarios", type=Path, nargs="+", metavar="DIR_OR_FILE", help="scenario files (TOML), or folders of them")
    portfolio.add_argument("--output-dir", type=Path, required=True, help="folder for the reports, the summaries and the run's state")
    portfolio.add_argument("--format", choices=REPORT_FORMATS, default="md", help="each practice's report format (default md)")
    workers = portfolio.add_mutually_exclusive_group()
    workers.add_argument("--jobs", type=_positive_integer, default=None, help="worker processes on this machine (default: every core)")
    workers.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="plan on a Dask cluster (tcp://host:8786) instead; needs mips-optimizer[cluster]"
    )
    portfolio.add_argument("--force", action="store_true", help="plan every practice again, even those whose report is up to date")
    portfolio.add_argument(
        "--quality-work", action="store_true",
        help="each report also values quality work (care gaps, rate points), as plan does; 2-4 times the plan's time",
    )
    _add_solver_options(portfolio)
    _add_data_dir_option(portfolio)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of scenario files (for editors: completion and checks as you type)"
    )
    schema.add_argument(
        "--output", type=Path, default=None, help="write the schema to this file (atomically) instead of stdout"
    )

    swap = commands.add_parser("swap", help="mid-year: is swapping or adding a measure worth it, and feasible")
    swap.add_argument("scenario", type=Path, help="scenario file (TOML) whose [quality] reported is the current plan")
    swap.add_argument("--ytd", type=Path, required=True, help="year-to-date table (baseline format, period_months < 12)")
    swap.add_argument("--as-of", default=None, help="date of the year-to-date data, YYYY-MM-DD")
    _add_report_options(swap, REPORT_FORMATS)
    _add_solver_options(swap)
    _add_data_dir_option(swap)
    return parser


def _run(args: argparse.Namespace) -> int:
    if "report_date" in vars(args):
        # Checked before numerical libraries load: numpy.f2py reads SOURCE_DATE_EPOCH when imported
        # and crashes on a value that is not whole seconds.
        from optimizer.report.provenance import report_date

        report_date(args.report_date)
    if args.command == "data":
        from optimizer.commands import data

        if args.data_command == "fetch":
            return data.fetch(args.year, source=args.source, data_dir=args.data_dir, force=args.force, timeout=args.timeout)
        if args.data_command == "bundle":
            return data.bundle(args.years, source=args.source, output=args.output)
        return data.show(args.year, measure=args.measure, mvp=args.mvp, search=args.search, data_dir=args.data_dir)
    if args.command == "import":
        from optimizer.commands.import_files import run_import

        return run_import(args.files, year=args.year, measure_map=args.measure_map, output=args.output, data_dir=args.data_dir)
    if args.command == "score":
        from optimizer.commands import score

        return score.score(args.scenario, report_format=args.format, output=args.output, data_dir=args.data_dir,
                           template_dir=args.template_dir, report_date_given=args.report_date)
    if args.command == "plan":
        from optimizer.commands import plan

        return plan.plan(args.scenario, report_format=args.format, output=args.output, data_dir=args.data_dir,
                         overrides=_solver_overrides(args), timings=args.timings, template_dir=args.template_dir,
                         report_date_given=args.report_date, quality_work=args.quality_work)
    if args.command == "compare":
        from optimizer.commands import compare

        return compare.compare(args.scenarios, report_format=args.format, output=args.output,
                               data_dir=args.data_dir, rescore_only=args.rescore_only,
                               overrides=_solver_overrides(args), template_dir=args.template_dir,
                               report_date_given=args.report_date)
    if args.command == "portfolio":
        from optimizer.commands import portfolio

        return portfolio.portfolio(args.scenarios, output_dir=args.output_dir, report_format=args.format, jobs=args.jobs,
                                   scheduler=args.scheduler, force=args.force, data_dir=args.data_dir,
                                   overrides=_solver_overrides(args), quality_work=args.quality_work)
    if args.command == "schema":
        from optimizer.commands import schema

        return schema.schema(output=args.output)
    if args.command == "swap":
        from optimizer.commands import swap

        return swap.swap(args.scenario, ytd=args.ytd, as_of=args.as_of, report_format=args.format,
                         output=args.output, data_dir=args.data_dir, overrides=_solver_overrides(args),
                         template_dir=args.template_dir, report_date_given=args.report_date)
    raise NotImplementedError(f"command {args.command!r} is not implemented")


def _solver_overrides(args: argparse.Namespace) -> dict[str, object]:
    """The solver options given, checked like the ``[optimize]`` keys they override (before any work)."""
    from optimizer.inputs.scenario import check_optimize_overrides

    names = ("draws", "seed", "objective", "solver", "time_limit")
    overrides = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    check_optimize_overrides(overrides)
    return overrides


@contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Show each input warning (for example an ignored baseline column) once, as one line on stderr.

    Once per run by its text: a table read again for each what-if variant says it once. (The
    warnings module's own "once" cannot be relied on: libraries that change warning filters
    while they load reset its memory.)
    """
    shown = warnings.showwarning
    said: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001 - warnings' signature
        if not issubclass(category, InputWarning):
            shown(message, category, filename, lineno, file, line)
        elif str(message) not in said:
            said.add(str(message))
            print(f"{PROGRAM}: warning: {terminal_line(str(message))}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always", InputWarning)
        warnings.showwarning = show
        yield


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush cannot fail again on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if "format" in vars(args):
        args.format = _report_format(parser, args)
    try:
        with _warnings_as_lines():
            return _run(args)
    except MipsError as error:
        for line in error.lines():
            print(f"{PROGRAM}: error: {terminal_line(line)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return CLOSED_PIPE_EXIT_CODE
    except Exception as error:  # noqa: BLE001 - the one place unexpected errors become an exit code
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"{PROGRAM}: unexpected error ({type(error).__name__}: {terminal_line(str(error))}); "
                "rerun with --debug for a traceback",
                file=sys.stderr,
            )
        return 3
