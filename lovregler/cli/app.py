"""The ``lovregler`` command: evaluate and compare cases, check rule folders, print schemas.

Exit codes: 0 success; 1 a check or test found failures; 2 bad input (unreadable or invalid
file, bad option); 3 a bug in lovregler (an :class:`~lovregler._errors.InternalError`). Bad
input is reported as ``file:line:col: field: message``, never as a traceback.
"""

from __future__ import annotations

import argparse
import errno
import io
import json
import os
import signal
import sys
import textwrap
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from lovregler import __version__
from lovregler._api import load_regime
from lovregler._engine import AUTO, Engine, default_engine
from lovregler._errors import (
    EXIT_BAD_INPUT,
    CaseError,
    InternalError,
    LovreglerError,
    Problem,
    RuleFileError,
    UsageError,
    display_path,
    on_line,
)
from lovregler._result import Comparison, EvaluationResult, Obligation
from lovregler._signals import held_signals
from lovregler.auditing.caseload import generate_histories, write_histories_jsonl
from lovregler.case.model import Case, load_case_file, parse_case
from lovregler.cli import EXIT_INTERRUPTED, EXIT_TERMINATED
from lovregler.cli.audit import add_audit_parser, run_audit
from lovregler.engine.analysis import findings
from lovregler.engine.backends import BACKEND_NAMES
from lovregler.explain.diff import diff_regimes
from lovregler.explain.texts import STATUS_LABELS, Lang
from lovregler.law.acts import Acts, check_citations, load_acts
from lovregler.law.loader import CATALOGUE_FILE, HEADER_FILE, builtin_rules_dir
from lovregler.law.open_points import open_points
from lovregler.law.records import Rejected, document_records, is_stream, json_records, opened
from lovregler.render.progress import Progress
from lovregler.render.report import CheckReport
from lovregler.render.tables import markdown_table, markdown_text, text_table
from lovregler.render.terminal import PrintableStream, printable, write_whole

EXIT_OK, EXIT_FINDINGS = 0, 1
QUIET_RUN = 250  # cases: a shorter evaluate/compare run shows no progress counter
STATUS_WIDTH = 28  # the status column of evaluate's text output


def _count(text: str) -> int:
    """A number of things: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # a bad option: exit 2, no traceback
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lovregler", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"lovregler {__version__}")
    parser.add_argument(
        "--rules",
        type=Path,
        metavar="RULES_DIR",
        dest="catalogue",
        help="a rules folder with its own catalogue (regimes.yaml) to use instead of the bundled "
        "rules (also: LOVREGLER_RULES)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def case_command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "cases",
            nargs="+",
            type=Path,
            metavar="CASE",
            help="case files (YAML, JSON, or JSONL with one case per line; - reads JSONL from stdin)",
        )
        p.add_argument("--format", choices=("text", "json", "jsonl", "markdown"), default="text")
        p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
        p.add_argument("--lang", choices=("da", "en"), default="da", help="language of reasons")
        p.add_argument("--backend", choices=("auto", *BACKEND_NAMES), default="auto")
        p.add_argument(
            "--fail-on-unconfirmed",
            action="store_true",
            help="exit 1 when a required obligation rests on law marked to_confirm (CI)",
        )
        return p

    ev = case_command("evaluate", "the obligations of each case under one regime")
    ev.add_argument(
        "--regime",
        default=None,
        help="a regime of the catalogue (see `lovregler regimes`), auto (the law in force on "
        "the case's date), or a rule folder given as a path, e.g. ./myrules (default: the "
        "catalogue's default)",
    )
    cmp = case_command("compare", "each case under two regimes, side by side")
    cmp.add_argument("--base", default=None, help="default: the catalogue's compared pair")
    cmp.add_argument("--other", default=None, help="default: the catalogue's compared pair")

    points = sub.add_parser(
        "open-points",
        help="the lawyer's work list: every point marked to_confirm, with file and line",
        description="every point of the rule folders marked to_confirm (rules, exceptions, "
        "deadlines, windows, citations), in Danish, with file:line and its note",
    )
    points.add_argument(
        "folders", nargs="*", type=Path, metavar="RULES_DIR", help="default: the catalogue's"
    )
    points.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    regimes = sub.add_parser(
        "regimes",
        help="the catalogue: every regime, its folder and period of force",
        description="every regime of the catalogue: what it extends, its folder, when it is in "
        "force (auto chooses by it) and where an overlay applies",
    )
    regimes.add_argument("--format", choices=("text", "json"), default="text")

    check = sub.add_parser(
        "check", help="validate rule folders", description="validate rule folders"
    )
    check.add_argument(
        "folders",
        nargs="*",
        type=Path,
        metavar="RULES_DIR",
        help="a regime folder, or a folder of regime folders (default: rules/ or the bundled rules)",
    )
    check.add_argument(
        "--format",
        choices=("human", "json", "junit", "github"),
        default="human",
        help="human (default), json, junit (CI test reports) or github (workflow annotations)",
    )

    diff = sub.add_parser(
        "diff",
        help="the declarative difference between two regimes",
        description="every obligation added, removed, dispensed or changed between two regimes "
        "(deadlines, conditions, citations), and where the overlay applies",
    )
    diff.add_argument(
        "--base", default=None, help="regime name or folder (default: the catalogue's pair)"
    )
    diff.add_argument(
        "--regime", default=None, help="regime name or folder (default: the catalogue's pair)"
    )
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument("--lang", choices=("da", "en"), default="da")

    ex = sub.add_parser(
        "explain",
        help="why an obligation has its status for a case",
        description="every condition, exception and deadline of one obligation's rule for a case: "
        "whether it held, in Danish or English, with the rule file and line",
    )
    ex.add_argument("case", type=Path, metavar="CASE", help="a case file (one case)")
    ex.add_argument(
        "--obligation",
        required=True,
        metavar="ID",
        help="an obligation id, as `evaluate` lists them",
    )
    ex.add_argument(
        "--regime",
        default=AUTO,
        help="a regime of the catalogue, auto (default), or a folder given as a path",
    )
    ex.add_argument("--format", choices=("text", "json"), default="text")
    ex.add_argument("--lang", choices=("da", "en"), default="da")
    ex.add_argument("--backend", choices=("auto", *BACKEND_NAMES), default="auto")

    test = sub.add_parser(
        "test",
        help="run legal scenario files",
        description="run scenario files: a case and the expected status and due date of named "
        "obligations under one or more regimes",
    )
    test.add_argument(
        "scenarios", nargs="+", type=Path, metavar="SCENARIOS", help="files or folders"
    )
    test.add_argument("--backend", choices=("auto", *BACKEND_NAMES), default="auto")
    test.add_argument("--format", choices=("text", "json", "junit"), default="text")
    test.add_argument(
        "--fail-on-unconfirmed",
        action="store_true",
        help="exit 1 when a required obligation of a scenario rests on law marked to_confirm",
    )
    test.add_argument(
        "--rules",
        type=Path,
        metavar="RULES_DIR",
        help="a rules folder with its own catalogue (regimes.yaml), e.g. an edited copy of "
        "rules/, to test instead of the bundled rules",
    )

    add_audit_parser(sub)
    synthetic = sub.add_parser(
        "synthetic",
        help="write SYNTHETIC case histories (JSON Lines) for demos and benchmarks",
        description="seeded, made-up case histories for both regimes; not real data",
    )
    synthetic.add_argument("n", type=_count, help="how many histories (0 or more)")
    synthetic.add_argument("--seed", type=int, default=0)

    schema = sub.add_parser("schema", help="print a JSON Schema", description="print a JSON Schema")
    schema.add_argument(
        "kind",
        choices=("rules", "regime", "case", "scenario", "catalogue", "vocabulary", "safeguards"),
        help="rule file, regime.yaml, case, scenario file, or the files beside the regime "
        "folders: regimes.yaml (the catalogue), vocabulary.yaml, safeguards.yaml",
    )
    return parser


class Terminated(BaseException):
    """SIGTERM, raised where the run is (like KeyboardInterrupt for SIGINT), so that every
    ``finally`` runs: no half-written file is left, and the exit code says what happened."""


def _terminate(_signum: int, _frame: object) -> None:
    raise Terminated


_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.EBADF}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (also used by the console script).

    SIGINT (Ctrl-C) stops the run with exit 130 and SIGTERM with 143, wherever they land; a
    result is never changed by one, and no output file is left half-written.
    """
    previous = signal.getsignal(signal.SIGTERM)
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(argv, cast(TextIO, PrintableStream(sys.stdout)))
    finally:
        if in_main and previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None, out: TextIO) -> int:
    try:
        args = _parser().parse_args(argv)
    except UsageError as exc:
        _say(f"lovregler: error: {exc.first.message}")
        return exc.exit_code
    try:
        code = _command(args, out)
        out.flush()  # a full disk is met here, not at exit
        return code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Terminated:
        return EXIT_TERMINATED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:
        if isinstance(exc, LovreglerError) and not isinstance(exc, InternalError):
            for problem in exc.problems:
                _say(f"error: {problem}")
            return exc.exit_code
        if isinstance(exc, OSError) and exc.errno in _OUTPUT_ERRORS:
            _silence_stdout()
            _say(f"error: cannot write the output: {exc.strerror or exc}")
            return EXIT_BAD_INPUT
        if os.environ.get("LOVREGLER_DEBUG"):
            raise
        error = InternalError.from_exception(exc)  # a bug in lovregler, not bad input
        _say(
            f"lovregler: internal error: {error.first.message} "
            "(set LOVREGLER_DEBUG=1 for a traceback, and please report it)"
        )
        return error.exit_code


def _command(args: argparse.Namespace, out: TextIO) -> int:
    if args.command in ("evaluate", "compare"):
        return _run_cases(args, out)
    if args.command == "check":
        return _check(args.folders, args.format, out)
    if args.command == "synthetic":
        write_histories_jsonl(generate_histories(args.n, args.seed), out)
        return EXIT_OK
    if args.command == "audit":
        return run_audit(args, out)
    if args.command == "diff":
        return _diff(args, out)
    if args.command == "explain":
        return _explain(args, out)
    if args.command == "test":
        backend = None if args.backend == "auto" else args.backend
        rules = args.rules or args.catalogue
        return _test(args.scenarios, backend, args.format, out, rules, args.fail_on_unconfirmed)
    if args.command == "regimes":
        return _regimes(_engine(args), args.format, out)
    if args.command == "open-points":
        return _open_points(args, out)
    return _schema(args.kind, out)


def _say(message: str) -> None:
    """A message on standard error, its control characters written out."""
    print(printable(message), file=sys.stderr)


def _silence_stdout() -> None:
    """Standard output is gone (a closed pipe, a full disk): point it at /dev/null, so that the
    interpreter's own flush at exit neither fails nor prints a traceback."""
    try:
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != fd:  # (if fd was closed, /dev/null took its number)
            os.dup2(devnull, fd)
            os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (a test's capture): nothing will flush it at exit


# --- evaluate / compare -----------------------------------------------------------------------


def _case_items(paths: list[Path]) -> Iterator[Case | CaseError]:
    """Every case of every file in order, or in its place the error of a bad one, named by
    its file and line: a bad case, line or file never stops the cases after it."""
    for path in paths:
        if is_stream(path):
            yield from _stream_items(path)
            continue
        try:
            records = document_records(path, "case")
        except CaseError as exc:
            yield exc
            continue
        for record in records:
            try:
                yield parse_case(record.data, record.positions)
            except CaseError as exc:
                yield exc


def _stream_items(path: Path) -> Iterator[Case | CaseError]:
    try:
        with opened(path, stdin=True) as source:
            for number, record in json_records(source.lines, source.name):
                if isinstance(record, CaseError):
                    yield record
                    continue
                try:
                    yield parse_case(record.data)
                except CaseError as exc:
                    yield CaseError(on_line(exc.problems, source.name, number))
    except CaseError as exc:  # the file cannot be opened, or reading it failed
        yield exc


def _run_cases(args: argparse.Namespace, out: TextIO) -> int:
    """evaluate / compare: every good case is answered, in order; the bad ones are reported
    after the run with their file and line, and make the exit code 2."""
    lang: Lang = args.lang
    backend = None if args.backend == "auto" else args.backend
    engine = _engine(args)
    rejected = Rejected()

    def cases() -> Iterator[Case]:
        for item in _case_items(args.cases):
            if isinstance(item, CaseError):
                rejected.add(item)
            else:
                yield item

    def results() -> Iterator[EvaluationResult | Comparison]:
        if args.command == "compare":
            yield from engine.compare_many(
                cases(), args.base, args.other, lang=lang, backend=backend, jobs=args.jobs
            )
            return
        yield from engine.evaluate_many(
            cases(), args.regime, lang=lang, backend=backend, jobs=args.jobs
        )

    document = JsonDocument(out) if args.format == "json" else None
    tally = Unconfirmed()
    with Progress(quiet_until=QUIET_RUN) as progress:
        for index, result in enumerate(results()):
            progress.tick()
            tally.add(result)
            # A signal never leaves half a result: it waits until the whole is written out.
            with held_signals():
                if args.format == "jsonl":
                    write_whole(out, result.model_dump_json() + "\n")
                elif document is not None:
                    document.add(result.model_dump(mode="json"))
                else:
                    text = _render(result, lang, markdown=args.format == "markdown")
                    write_whole(out, ("\n" if index else "") + text)
    if document is not None:
        document.close()
    code = tally.verdict(args.fail_on_unconfirmed)
    error = rejected.error(what="cases")
    if error is not None:
        raise error
    return code


class JsonDocument:
    """``--format json``, written as the results come: one result is an object, more are an
    array (exactly as ``json.dump`` would write them), and only one is ever held back."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0
        self.held: Any = None

    def add(self, data: Any) -> None:
        if self.count == 0:
            self.held = data
        else:
            if self.count == 1:
                write_whole(self.out, "[\n" + self._item(self.held))
                self.held = None
            write_whole(self.out, ",\n" + self._item(data))
        self.count += 1

    def close(self) -> None:
        if self.count == 0:
            self.out.write("[]\n")
        elif self.count == 1:
            self.out.write(json.dumps(self.held, ensure_ascii=False, indent=2) + "\n")
        else:
            self.out.write("\n]\n")

    @staticmethod
    def _item(data: Any) -> str:
        return textwrap.indent(json.dumps(data, ensure_ascii=False, indent=2), "  ")


class Unconfirmed:
    """Counts required obligations that rest on law marked to_confirm (``--fail-on-unconfirmed``)."""

    def __init__(self) -> None:
        self.required = 0
        self.unconfirmed = 0

    def add(self, result: EvaluationResult | Comparison) -> None:
        for one in (result.base, result.other) if isinstance(result, Comparison) else (result,):
            for ob in one.obligations:
                if ob.status == "required":
                    self.required += 1
                    self.unconfirmed += ob.confidence == "to_confirm"

    def count(self, required: int, unconfirmed: int) -> None:
        self.required += required
        self.unconfirmed += unconfirmed

    def verdict(self, fail: bool, ok: int = EXIT_OK) -> int:
        """With ``fail``: a summary line on standard error, and exit 1 where any rests on
        unconfirmed law."""
        if not fail:
            return ok
        print(
            f"{self.unconfirmed} af {self.required} påkrævede pligter hviler på ret, der skal "
            "bekræftes (to_confirm); se `lovregler open-points`",
            file=sys.stderr,
        )
        return EXIT_FINDINGS if self.unconfirmed else ok


def _render(result: EvaluationResult | Comparison, lang: Lang, *, markdown: bool) -> str:
    if isinstance(result, Comparison):
        return markdown_comparison(result, lang) if markdown else render_comparison(result, lang)
    return markdown_result(result, lang) if markdown else render_result(result, lang)


_LABELS: dict[str, dict[str, str]] = {
    "da": {
        "due": "frist",
        "case": "Sag",
        "obligation": "pligt",
        "replaced_by": "erstattet af",
        "differences": "forskelle",
        "none": "ingen",
        "hidden": "pligter gælder ikke i nogen af regimerne",
    },
    "en": {
        "due": "due",
        "case": "Case",
        "obligation": "obligation",
        "replaced_by": "replaced by",
        "differences": "differences",
        "none": "none",
        "hidden": "obligations apply under neither regime",
    },
}
for _status, _names in STATUS_LABELS.items():
    for _lang, _name in _names.items():
        _LABELS[_lang][_status] = _name


def _cell(result: EvaluationResult, oid: str, lang: Lang) -> str:
    labels = _LABELS[lang]
    try:
        ob = result.obligation(oid)
    except KeyError:
        return "-"
    text = labels[ob.status]
    if ob.due:
        text += f" ({labels['due']} {ob.due})"
    if ob.replaced_by:
        text += f" -> {', '.join(ob.replaced_by)}"
    return text


def render_result(result: EvaluationResult, lang: Lang = "da") -> str:
    labels = _LABELS[lang]
    lines = [
        f"{labels['case']} {result.case_id}: {result.regime}",
        f"  {result.regime_reason}",
        f"  ({result.ruleset_version[:19]}…, {result.backend})",
    ]
    lines += [f"  ! {w}" for w in result.warnings]
    rows = [("", o.id, _cell(result, o.id, lang), o.legal_basis) for o in result.obligations]
    lines += text_table(rows, [0, max(len(o.id) for o in result.obligations), STATUS_WIDTH])
    acts = {link.act: link.url for o in result.obligations for link in o.links}
    if acts:
        lines.append("  " + ("Loven:" if lang == "da" else "The law:"))
        lines += [f"    {act}: {url}" for act, url in sorted(acts.items())]
    return "\n".join(lines) + "\n"


def render_comparison(comparison: Comparison, lang: Lang = "da") -> str:
    labels = _LABELS[lang]
    std, fri = comparison.base, comparison.other
    names = (comparison.base_regime, comparison.other_regime)
    ids = [o.id for o in fri.obligations] + [
        o.id for o in std.obligations if o.id not in fri.statuses()
    ]
    lines = [f"{labels['case']} {comparison.case_id}"]
    reasons = [(f"  {name}:", r.regime_reason) for name, r in zip(names, (std, fri), strict=True)]
    lines += text_table(reasons, gaps=" ")
    changed = {d.id for d in comparison.differences}
    rows = [("", labels["obligation"], *names)]
    for oid in ids:
        if oid not in changed and std.obligation(oid).status == "not_applicable":
            continue  # not applicable under both: left out to keep the table readable
        rows.append(
            ("*" if oid in changed else "", oid, _cell(std, oid, lang), _cell(fri, oid, lang))
        )
    hidden = len(ids) + 1 - len(rows)
    # the columns are as wide as the widest id and base cell, hidden rows included
    widths = [1, max(len(i) for i in ids), max(len(_cell(std, i, lang)) for i in ids)]
    lines += text_table(rows, widths, gaps=(" ", "  ", "  "))
    if hidden:
        lines.append(f"  (+{hidden} {labels['hidden']})")
    lines.append(f"  {labels['differences']}: {len(comparison.differences) or labels['none']}")
    return "\n".join(lines) + "\n"


def _linked(ob: Obligation) -> str:
    """The legal basis, each citation linked to the consolidation in force (Markdown)."""
    if not ob.links:
        return markdown_text(ob.legal_basis)
    return "; ".join(f"[{markdown_text(link.citation)}]({link.url})" for link in ob.links)


def markdown_result(result: EvaluationResult, lang: Lang = "da") -> str:
    labels = _LABELS[lang]
    head = (
        ("Pligt", "Status", "Frist", "Hjemmel")
        if lang == "da"
        else ("Obligation", "Status", "Due", "Legal basis")
    )
    rows = [
        (
            f"`{ob.id}`",
            labels[ob.status] + (f" → {', '.join(ob.replaced_by)}" if ob.replaced_by else ""),
            str(ob.due or ""),
            _linked(ob),
        )
        for ob in result.obligations
    ]
    lines = [
        f"## {labels['case']} {result.case_id}: {result.regime}",
        "",
        f"> {markdown_text(result.regime_reason)}",
        "",
        *(f"> **!** {markdown_text(w)}" for w in result.warnings),
        *markdown_table(head, rows),
    ]
    return "\n".join(lines) + "\n"


def markdown_comparison(comparison: Comparison, lang: Lang = "da") -> str:
    labels = _LABELS[lang]
    std, fri = comparison.base, comparison.other
    names = (markdown_text(comparison.base_regime), markdown_text(comparison.other_regime))
    changed = {d.id for d in comparison.differences}
    ids = [o.id for o in fri.obligations] + [
        o.id for o in std.obligations if o.id not in fri.statuses()
    ]
    rows = []
    for oid in ids:
        a, b = _cell(std, oid, lang), _cell(fri, oid, lang)
        rows.append((f"**`{oid}`**", a, f"**{b}**") if oid in changed else (f"`{oid}`", a, b))
    lines = [
        f"## {labels['case']} {comparison.case_id}",
        "",
        f"- **{names[0]}**: {markdown_text(std.regime_reason)}",
        f"- **{names[1]}**: {markdown_text(fri.regime_reason)}",
        "",
        *markdown_table((labels["obligation"], *names), rows),
    ]
    lines.append("")
    lines.append(f"{labels['differences']}: {len(comparison.differences) or labels['none']}")
    return "\n".join(lines) + "\n"


# --- check ------------------------------------------------------------------------------------


def regime_folders(folder: Path) -> list[Path]:
    """``folder`` itself if it holds ``regime.yaml``, else its sub-folders that do."""
    if (folder / HEADER_FILE).is_file():
        return [folder]
    if not folder.is_dir():
        raise LovreglerError([Problem("no such folder", display_path(folder))])
    found = sorted(p for p in folder.iterdir() if (p / HEADER_FILE).is_file())
    rule_files = sorted(p.name for p in folder.glob("*.y*ml"))
    if not found and rule_files:
        raise LovreglerError(
            [
                Problem(
                    "missing: a regime folder needs regime.yaml beside its rule files "
                    f"({', '.join(rule_files)})",
                    display_path(folder / HEADER_FILE),
                )
            ]
        )
    if not found:
        raise LovreglerError(
            [Problem(f"holds no regime folder (a folder with {HEADER_FILE})", display_path(folder))]
        )
    return found


def _check(folders: list[Path], fmt: str, out: TextIO) -> int:
    """Validate rule folders: errors (exit 2) make a folder unusable; findings (exit 1) are
    rules that load but can never take effect."""
    if not folders:
        folders = [Path("rules") if Path("rules").is_dir() else builtin_rules_dir()]
    report = CheckReport()
    for folder in folders:
        try:
            regime_dirs = regime_folders(folder)
        except LovreglerError as exc:
            report.errors.extend(exc.problems)
            continue
        if (folder / CATALOGUE_FILE).is_file():
            report.errors.extend(_check_catalogue(folder, report))
        for regime_folder in regime_dirs:
            report.files += [display_path(p) for p in sorted(regime_folder.glob("*.y*ml"))]
            try:
                regime = load_regime(regime_folder)
            except RuleFileError as exc:
                # an overlay re-reports its base's problems: each problem once
                report.errors.extend(p for p in exc.problems if p not in report.errors)
                continue
            acts = _acts_for(regime_folder)
            wrong = check_citations(regime, acts) if acts is not None else []
            if wrong:  # the law it quotes or cites is not the act's: the folder cannot be used
                report.errors.extend(p for p in wrong if p not in report.errors)
                continue
            report.regimes.append(
                {
                    "folder": display_path(regime_folder),
                    "regime": regime.name,
                    "rules": len(regime.rules),
                    "exclusions": len(regime.exclusions),
                    "version": regime.version,
                }
            )
            report.findings.extend(findings(regime))
    if fmt == "json":
        out.write(report.to_json())
    elif fmt == "junit":
        out.write(report.to_junit())
    elif fmt == "github":
        out.write(report.to_github())
    else:
        for row in report.regimes:
            out.write(
                f"ok  {row['folder']}: regime {row['regime']}, {row['rules']} rules, "
                f"{row['exclusions']} exclusions, {row['version']}\n"
            )
        for problem in report.findings:
            out.write(f"finding: {problem}\n")
        if report.errors:
            raise RuleFileError(report.errors)
        catalogued = any((folder / CATALOGUE_FILE).is_file() for folder in folders)
        unsure = sum(len(open_points(load_regime(Path(str(r["folder"]))))) for r in report.regimes)
        if catalogued and unsure:  # a whole rules folder: offer the lawyer's work list
            out.write(
                f"{unsure} punkter skal bekræftes (to_confirm); se listen: lovregler open-points\n"
            )
    return report.exit_code


def _acts_for(regime_folder: Path) -> Acts | None:
    """The acts a regime folder's citations are checked against: those beside its catalogue
    (the folder above it), else the bundled ones."""
    return load_acts(regime_folder.resolve().parent) or load_acts(builtin_rules_dir())


def _check_catalogue(folder: Path, report: CheckReport) -> list[Problem]:
    """The catalogue and the files beside it: readable, valid, and naming only what exists."""
    from lovregler.law.vocabulary import SAFEGUARDS_FILE, VOCABULARY_FILE, check_companions

    for name in (CATALOGUE_FILE, VOCABULARY_FILE, SAFEGUARDS_FILE):
        if (folder / name).is_file():
            report.files.append(display_path(folder / name))
    engine = Engine(folder)
    try:
        names = engine.regime_names()
    except LovreglerError as exc:
        return list(exc.problems)
    known: dict[str, set[str]] = {}
    for name in names:
        try:
            known[name] = {rule.id for _, rule in engine.regime(name).all_rules()}
        except LovreglerError:
            continue  # the regime folder's own check reports it
    return check_companions(folder, known)


# --- diff -------------------------------------------------------------------------------------


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    engine = _engine(args)
    pair = engine.catalogue.model.compare
    base = engine.regime(args.base if args.base is not None else pair.base)
    other = engine.regime(args.regime if args.regime is not None else pair.other)
    result = diff_regimes(base, other, lang=args.lang)
    if args.format == "json":
        out.write(result.model_dump_json(indent=2) + "\n")
    else:
        out.write(result.render(args.lang, markdown=args.format == "markdown"))
    return EXIT_OK


# --- explain ----------------------------------------------------------------------------------


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    cases = load_case_file(args.case)
    if len(cases) != 1:
        raise UsageError(
            [Problem(f"holds {len(cases)} cases; explain takes one", display_path(args.case))]
        )
    backend = None if args.backend == "auto" else args.backend
    explanation = _engine(args).explain(
        cases[0], args.obligation, args.regime, lang=args.lang, backend=backend
    )
    if args.format == "json":
        out.write(explanation.model_dump_json(indent=2) + "\n")
    else:
        out.write(explanation.render())
    return EXIT_OK


# --- test -------------------------------------------------------------------------------------


def _test(
    paths: list[Path],
    backend: str | None,
    fmt: str,
    out: TextIO,
    rules: Path | None = None,
    fail_on_unconfirmed: bool = False,
) -> int:
    from lovregler.testing.scenarios import run_scenario_files

    try:
        report = run_scenario_files(paths, backend=backend, rules=rules)
    except LovreglerError as exc:
        if fmt == "text":
            raise
        # a CI report must not come out empty: the unreadable files are its errors
        failed = CheckReport(errors=list(exc.problems))
        out.write(failed.to_junit("lovregler test") if fmt == "junit" else failed.to_json())
        return EXIT_BAD_INPUT
    if fmt == "junit":
        out.write(report.to_junit())
    elif fmt == "json":
        out.write(report.to_json())
    else:
        out.write(report.render() + "\n")
    tally = Unconfirmed()
    tally.count(report.required, report.unconfirmed)
    return tally.verdict(fail_on_unconfirmed, EXIT_OK if report.ok else EXIT_FINDINGS)


# --- regimes ----------------------------------------------------------------------------------


def _engine(args: argparse.Namespace) -> Engine:
    """The engine a command runs on: over ``--rules`` if given, else the default engine."""
    catalogue: Path | None = getattr(args, "catalogue", None)
    return default_engine() if catalogue is None else Engine(catalogue)


def _open_points(args: argparse.Namespace, out: TextIO) -> int:
    from lovregler.law.open_points import markdown_list, open_points

    if args.folders:
        regimes = [load_regime(f) for folder in args.folders for f in regime_folders(folder)]
    else:
        engine = _engine(args)
        regimes = [engine.regime(name) for name in engine.regime_names()]
    if args.format == "markdown":
        out.write(markdown_list(regimes))
        return EXIT_OK
    listed = [(r, open_points(r)) for r in regimes]
    if args.format == "json":
        data = {
            r.name: [
                {"origin": p.origin, "kind": p.kind, "what": p.what, "notes": p.notes}
                for p in points
            ]
            for r, points in listed
        }
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    total = sum(len(points) for _, points in listed)
    out.write(f"Punkter, der skal bekræftes (to_confirm): {total}\n")
    for regime, points in listed:
        out.write(f"\n{regime.name} ({display_path(regime.folder)}): {len(points)}\n")
        for point in points:
            out.write(f"  {point.text()}\n")
    return EXIT_OK


def _regimes(engine: Engine, fmt: str, out: TextIO) -> int:
    catalogue = engine.catalogue
    rows: list[dict[str, Any]] = []
    for entry in catalogue.model.regimes:
        regime = engine.regime(entry.name)
        rows.append(
            {
                "name": entry.name,
                "title": regime.header.title,
                "folder": display_path(regime.folder),
                "extends": regime.base.name if regime.base else None,
                "in_force": None
                if entry.in_force is None
                else {
                    "from": entry.in_force.from_.isoformat() if entry.in_force.from_ else None,
                    "to": entry.in_force.to.isoformat() if entry.in_force.to else None,
                },
                "participants": [
                    {
                        "municipality": p.municipality.code,
                        "name": p.municipality.name,
                        "window": {
                            "from": p.window_from.isoformat(),
                            "to": p.window_to.isoformat(),
                        },
                        "confidence": p.confidence,
                        **({"experiment": p.experiment} if p.experiment else {}),
                    }
                    for p in regime.participants or []
                ],
                "experiments": [
                    {
                        "id": e.id,
                        "title": e.model.title,
                        "legal_basis": "; ".join(c.render() for c in e.model.legal_basis),
                        "sections": "; ".join(c.render() for c in e.model.sections),
                        "confidence": e.model.confidence,
                    }
                    for e in regime.experiments or []
                    if e.model is not None
                ],
                "confidence": regime.header.confidence,
                "default": entry.name == catalogue.model.default,
            }
        )
    if fmt == "json":
        data = {
            "catalogue": display_path(catalogue.file),
            "default": catalogue.model.default,
            "compare": catalogue.model.compare.model_dump(),
            "selection_date": catalogue.model.selection_date,
            "regimes": rows,
        }
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    out.write(f"{display_path(catalogue.file)}: {catalogue.model.title}\n")
    for row in rows:
        mark = " (default)" if row["default"] else ""
        out.write(f"{row['name']}{mark}: {row['title']}\n")
        out.write(f"  folder: {row['folder']}\n")
        if row["extends"]:
            out.write(f"  extends: {row['extends']}\n")
        if row["in_force"]:
            span = row["in_force"]
            out.write(f"  in force: {span['from'] or ''}..{span['to'] or ''}\n")
        for e in row["experiments"]:
            out.write(f"  experiment {e['id']}: {e['title']} [{e['confidence']}]\n")
        for p in row["participants"]:
            window = p["window"]
            what = f" ({p['experiment']})" if p.get("experiment") else ""
            out.write(
                f"  participant{what}: {p['name']} ({p['municipality']}) "
                f"{window['from']}..{window['to']} [{p['confidence']}]\n"
            )
    pair = catalogue.model.compare
    out.write(
        f"auto: the base regime in force on the case's {catalogue.model.selection_date}, with the "
        f"first overlay that applies; compare: {pair.base} and {pair.other}\n"
    )
    return EXIT_OK


# --- schema -----------------------------------------------------------------------------------


def _schema(kind: str, out: TextIO) -> int:
    from lovregler.cli.schema import schema_for

    json.dump(schema_for(kind), out, ensure_ascii=False, indent=2)
    out.write("\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
