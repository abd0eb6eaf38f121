"""``lovregler audit HISTORIES.jsonl --as-of DATE``: a caseload's deadline compliance, streamed.

Histories are read one line at a time and audited one at a time, so memory stays flat however
many there are. Per-case results go to ``--out`` as JSON Lines; the summary goes to standard
output; ``--report`` writes Markdown (and a PNG chart when matplotlib is installed). A progress
bar is shown on standard error only when it is a terminal.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from lovregler._errors import CaseError, Problem, SourcePosition, UsageError, display_path
from lovregler.auditing.audit import (
    AUDIT_STATUSES,
    Auditor,
    AuditResult,
    CaseloadAccumulator,
    CaseloadSummary,
    GroupSummary,
)
from lovregler.case.history import CaseHistory, iter_history_records
from lovregler.engine.backends import BACKEND_NAMES
from lovregler.law.municipalities import resolve_municipality
from lovregler.law.records import STDIN, Rejected, opened
from lovregler.render.files import refuse_overwriting, writing_bytes, writing_text
from lovregler.render.progress import Progress
from lovregler.render.tables import markdown_table, text_table

REPORT_EXTRA = "pip install lovregler[report]"


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_audit_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``audit`` command to the ``lovregler`` sub-command parsers."""
    help_text = "audit case histories (JSON Lines) against their deadlines, in constant memory"
    p: argparse.ArgumentParser = subparsers.add_parser(
        "audit", help=help_text, description=help_text
    )
    p.add_argument(
        "histories",
        type=Path,
        metavar="HISTORIES.jsonl",
        help="one case history per line ('-' for standard input)",
    )
    p.add_argument(
        "--as-of",
        dest="as_of",
        type=_iso_date,
        required=True,
        metavar="DATE",
        help="audit as on this day (YYYY-MM-DD); no event may lie after it",
    )
    p.add_argument(
        "--regime",
        default="auto",
        help="auto (default: the law in force on each case's date), a regime of the catalogue "
        "(see `lovregler regimes`), or a rule folder given as a path",
    )
    p.add_argument("--backend", choices=("auto", *BACKEND_NAMES), default="auto")
    p.add_argument(
        "--fail-on-unconfirmed",
        action="store_true",
        help="exit 1 when a required obligation rests on law marked to_confirm (CI)",
    )
    p.add_argument("--out", type=Path, metavar="FILE", help="write per-case results (JSON Lines)")
    p.add_argument(
        "--report", type=Path, metavar="FILE", help="write a Markdown report (and a PNG chart)"
    )
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on standard error (auto: only on a terminal)",
    )
    return p


def run_audit(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``lovregler audit``; returns the exit code (0, or 2 if any history was bad).

    Unreadable input raises :class:`LovreglerError` (the CLI prints it and exits 2). Bad
    histories do not stop the run: the rest are audited, the summary is printed, and then the
    first problems are raised as one :class:`CaseError`.
    """
    backend = None if args.backend == "auto" else args.backend
    auditor = Auditor(args.regime, as_of=args.as_of, backend=backend)
    acc = CaseloadAccumulator(as_of=args.as_of)
    if args.report and not args.report.resolve().parent.is_dir():
        raise UsageError(
            [Problem("cannot write the report: its folder does not exist", str(args.report))]
        )
    outputs = [args.out] if args.out else []
    if args.report:
        outputs += [args.report, chart_path(args.report)]
    inputs = [] if str(args.histories) == STDIN else [args.histories]
    refuse_overwriting(outputs, inputs)  # `audit H --out H` would destroy H
    rejected = Rejected()
    required = unconfirmed = 0
    # SIGTERM is raised as an exception by the CLI's main: the output's temporary file goes too
    with opened(args.histories, stdin=True) as source, ExitStack() as stack:
        name = source.name
        sink = stack.enter_context(writing_text(args.out)) if args.out else None
        bar = Progress(source.size, enabled=_show_progress(args.progress))
        try:
            for line, record in iter_history_records(bar.counting(source.lines), name):
                result = _audit_one(auditor, record, name, line)
                if isinstance(result, CaseError):
                    rejected.add(result)
                    continue
                acc.add(result)
                required += sum(1 for item in result.items if item.obligation_status == "required")
                unconfirmed += len(result.unconfirmed)
                if sink is not None:
                    sink.write(result.model_dump_json(exclude_defaults=True))
                    sink.write("\n")
                bar.tick()
        finally:
            bar.close()
    summary = acc.summary()
    out.write(render_summary(summary, rejected.count))
    if args.report:
        write_report(summary, args.report, rejected.count)
        out.write(f"report: {display_path(args.report)}\n")
    error = rejected.error(name, "histories")
    if error is not None:
        raise error
    if args.fail_on_unconfirmed:
        print(
            f"{unconfirmed} af {required} påkrævede pligter hviler på ret, der skal bekræftes "
            "(to_confirm); se `lovregler open-points`",
            file=sys.stderr,
        )
        return 1 if unconfirmed else 0
    return 0


def _audit_one(
    auditor: Auditor, record: CaseHistory | CaseError, file: str, line: int
) -> AuditResult | CaseError:
    if isinstance(record, CaseError):
        return record
    try:
        return auditor.audit(record)
    except CaseError as exc:  # e.g. an event after as_of: name the line and the case
        at = SourcePosition(file, line)
        return CaseError(
            [
                Problem.at(at, f"case {record.case.case_id}: {p.message}", p.field)
                for p in exc.problems
            ]
        )


def _show_progress(mode: str) -> bool | None:
    """``--progress``: auto (``None``: only on a terminal), always or never."""
    return None if mode == "auto" else mode == "always"


# --- rendering ---------------------------------------------------------------------------------


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


_COLUMNS = (
    "cases",
    "helped",
    "median days",
    "p90 days",
    "within target",
    "met on time",
    *AUDIT_STATUSES[:4],
)


def _row(label: str, g: GroupSummary) -> list[str]:
    return [
        label,
        f"{g.cases:,}",
        f"{g.helped:,}",
        _num(g.median_days),
        _num(g.p90_days),
        _share(g.share_within_target),
        _share(g.share_met_on_time),
        f"{g.met:,}",
        f"{g.late:,}",
        f"{g.missing:,}",
        f"{g.pending:,}",
    ]


def _municipality_label(code: str) -> str:
    try:
        return str(resolve_municipality(code))
    except ValueError:
        return code


def _target(summary: CaseloadSummary) -> str:
    return "-" if summary.target_days is None else f"{summary.target_days} days"


def render_summary(summary: CaseloadSummary, rejected: int = 0) -> str:
    """The summary as plain text: overall and per regime (municipalities are in the report)."""
    rows = [["", *_COLUMNS], _row("all", summary.all)]
    rows += [_row(name, g) for name, g in summary.by_regime.items()]
    lines = [f"audit as of {summary.as_of}; time-to-help target {_target(summary)}"]
    lines += text_table(rows, right=range(1, len(rows[0])), strip=True)
    if rejected:
        lines.append(f"rejected (bad input): {rejected:,}")
    return "\n".join(lines) + "\n"


def render_report(summary: CaseloadSummary, chart: str | None, rejected: int = 0) -> str:
    """The Markdown report; ``chart`` is the PNG's file name, or ``None`` if none was drawn."""
    header = ["", *_COLUMNS]
    parts = [
        "# Audit of case histories",
        "",
        f"As of **{summary.as_of}**. Time to help: days from awareness to the first measure "
        f"started; the target ({_target(summary)}) comes from the rule files. "
        "*Met on time* is met / (met + late + missing) over obligations and follow-ups that were "
        "due.",
        "",
        "## Overall and per regime",
        "",
        *markdown_table(
            header,
            [_row("all", summary.all)] + [_row(name, g) for name, g in summary.by_regime.items()],
        ),
        "",
        "## Time to help per regime",
        "",
    ]
    if chart is not None:
        parts.append(f"![Days from awareness to help, per regime]({chart})")
    else:
        parts.append(f"The chart needs matplotlib: `{REPORT_EXTRA}`.")
    parts += [
        "",
        "## Per municipality",
        "",
        *markdown_table(
            ["municipality", *_COLUMNS],
            [_row(_municipality_label(c), g) for c, g in summary.by_municipality.items()],
        ),
        "",
    ]
    if rejected:
        parts += [f"{rejected:,} histories were rejected as bad input.", ""]
    return "\n".join(parts)


def chart_path(report: Path) -> Path:
    """Where the report's chart is written: beside it, ``REPORT-time-to-help.png``."""
    return report.with_name(report.stem + "-time-to-help.png")


def write_report(summary: CaseloadSummary, path: Path, rejected: int = 0) -> Path | None:
    """Write the Markdown report, and the chart beside it if matplotlib imports (each file
    whole or not at all).

    Returns the chart's path, or ``None`` when matplotlib is not installed.
    """
    chart = chart_path(path)
    drawn = draw_chart(summary, chart)
    with writing_text(path) as report:
        report.write(render_report(summary, chart.name if drawn else None, rejected))
    return chart if drawn else None


def draw_chart(summary: CaseloadSummary, path: Path) -> bool:
    """A histogram of days to help per regime, as PNG; ``False`` if matplotlib is missing."""
    try:
        matplotlib: Any = importlib.import_module("matplotlib")
        matplotlib.use("Agg")  # no display needed
        plt: Any = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for regime, days in summary.days_by_regime.items():
        if days:
            ax.hist(list(days), weights=list(days.values()), bins=40, alpha=0.6, label=regime)
    if summary.target_days is not None:
        ax.axvline(summary.target_days, color="black", linestyle="--", label="target")
    ax.set_xlabel("days from awareness to the first measure started")
    ax.set_ylabel("cases")
    ax.legend()
    fig.tight_layout()
    try:
        with writing_bytes(path) as png:
            fig.savefig(png, format="png", dpi=100)
    finally:
        plt.close(fig)
    return True
