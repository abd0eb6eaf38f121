"""The :class:`Engine`: the one object that holds lovregler's state.

An engine owns a catalogue of regimes (``regimes.yaml`` and the folders beside it), every regime
and compiled program read from it, the backends that answer the programs' checks, and every
cache. ``lovregler.evaluate()`` and the other module-level functions use a default engine over the
bundled rules; a case system or a web service can hold its own, e.g. over a municipality's own
copy of the rules::

    engine = Engine("/srv/regler")          # a folder holding regimes.yaml
    result = engine.evaluate(case, "auto")

**When rule files are read again.** An engine made with ``watch=True`` (the default) looks at
the files of every regime it uses on each call (name, size and modification time of each
``.yaml``/``.yml`` file, and of ``regimes.yaml``) and reads a changed folder again at once; so
every way of naming a regime (``"standard"``, its folder as a path, ``load_regime``) gives the
same, current law in one process. ``watch=False`` reads each folder once, until
:meth:`Engine.reload`; that is the fast path for services whose rules do not change under them.
Within :meth:`Engine.snapshot` (which ``compare`` and the batch calls use) nothing is looked at
again, so one comparison, or one stream of cases, is answered under one version of the law.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from lovregler._errors import BackendError, Problem, RegimeError, UsageError, display_path
from lovregler._result import Comparison, Difference, EvaluationResult, Explanation
from lovregler.case.model import Case, case_field_value, parse_case
from lovregler.engine.backends import (
    BACKEND_NAMES,
    Backend,
    DurableBackend,
    ReferenceBackend,
    durable_available,
)
from lovregler.engine.compile import Facts, Program, case_facts, compile_regime
from lovregler.engine.decide import BaseChoice, Decision, decide, judge_overlays
from lovregler.explain.explainer import Explainer
from lovregler.explain.texts import LANGS, Lang
from lovregler.law.acts import Acts, load_acts
from lovregler.law.catalogue import LoadedCatalogue, read_catalogue
from lovregler.law.loader import (
    CATALOGUE_FILE,
    HEADER_FILE,
    Regime,
    builtin_rules_dir,
    content_digest,
    cycle_error,
    folder_stamp,
    looks_like_path,
    racy_digest,
    read_regime,
)
from lovregler.law.problems import did_you_mean

AUTO = "auto"
"""The selector that lets the catalogue choose the law in force for each case."""

CaseLike = Case | Mapping[str, Any]
RegimeLike = str | Path | Regime

Stamp = tuple[tuple[str, int, int], ...]


@dataclass
class _Stamped:
    """One version of a rule folder (or the catalogue file): its files' stamp and, while they
    are too new to trust their timestamps, a digest of their content."""

    stamp: Stamp
    racy: str | None

    @classmethod
    def of(cls, folder: Path, stamp: Stamp) -> _Stamped:
        return cls(stamp, racy_digest(folder, stamp))

    def unchanged(self, folder: Path, stamp: Stamp) -> bool:
        if stamp != self.stamp:
            return False
        if self.racy is None:
            return True
        now = racy_digest(folder, stamp)
        if now is None:  # old enough now: from here on the timestamps can be trusted
            same = content_digest(folder, stamp) == self.racy
            self.racy = None
            return same
        return now == self.racy


@dataclass
class _Loaded:
    version: _Stamped
    regime: Regime


class Engine:
    """Regimes, compiled programs, backends and caches: everything an evaluation needs.

    ``rules`` is a folder holding a catalogue (``regimes.yaml``); by default the bundled rules.
    ``backend`` is the default backend (``"durable-rules"``, ``"reference"``, or ``None``:
    durable-rules where it imports). ``watch``: see the module docstring. Thread-safe.
    """

    def __init__(
        self, rules: str | Path | None = None, *, backend: str | None = None, watch: bool = True
    ) -> None:
        self._rules = Path(rules).resolve() if rules is not None else None
        self._backend_name = backend
        self._watch = watch
        self._lock = threading.RLock()
        self._catalogue: tuple[_Stamped, LoadedCatalogue] | None = None
        self._regimes: dict[Path, _Loaded] = {}
        self._backends: dict[str, Backend] = {}
        self._snapshot = threading.local()
        self._acts: tuple[Acts | None] | None = None
        if backend is not None:
            self.backend(backend)  # an unknown backend is refused at once

    def __repr__(self) -> str:
        return f"Engine({str(self.rules_dir)!r}, watch={self._watch})"

    # --- the law ------------------------------------------------------------------------

    @property
    def rules_dir(self) -> Path:
        """The folder of the catalogue and its regime folders."""
        if self._rules is None:
            self._rules_default = getattr(self, "_rules_default", None) or builtin_rules_dir()
            return self._rules_default
        return self._rules

    @property
    def bundled(self) -> bool:
        """Whether this engine reads the rules that ship with lovregler."""
        return self._rules is None or self._rules == builtin_rules_dir()

    @property
    def catalogue(self) -> LoadedCatalogue:
        """The catalogue of regimes (read again when it changed, if watching)."""
        folder = self.rules_dir
        with self._lock:
            cached = self._catalogue
            if cached is not None and not self._watching():
                return cached[1]
            stamp = _file_stamp(folder / CATALOGUE_FILE)
            if cached is None or not cached[0].unchanged(folder, stamp):
                if not (folder / CATALOGUE_FILE).is_file():
                    raise RegimeError(
                        [
                            Problem(
                                f"not a rules folder: it has no {CATALOGUE_FILE} (the catalogue "
                                "of regimes)",
                                display_path(folder),
                            )
                        ]
                    )
                cached = (_Stamped.of(folder, stamp), read_catalogue(folder))
                self._catalogue = cached
            return cached[1]

    @property
    def acts(self) -> Acts | None:
        """The cited acts' consolidations and wording (``rules/acts``), if the rules have them."""
        with self._lock:
            if self._acts is None:
                self._acts = (load_acts(self.rules_dir),)
            return self._acts[0]

    def regime_names(self) -> tuple[str, ...]:
        """Every regime of the catalogue, in its order."""
        return self.catalogue.names

    def regime(self, regime: RegimeLike | None = None) -> Regime:
        """A regime by catalogue name (``None``: the catalogue's default), by folder (a
        :class:`~pathlib.Path`, or text that is a path such as ``./standard``), or as given."""
        if isinstance(regime, Regime):
            return regime
        if regime is None:
            regime = self.catalogue.model.default
        if isinstance(regime, Path):
            return self._load_folder(regime.resolve(), ())
        text = str(regime)
        if looks_like_path(text):
            return self._load_folder(Path(text).resolve(), ())
        catalogue = self.catalogue
        if text in catalogue.names:
            return self._load_folder(catalogue.folder_of(text), ())
        raise self._unknown(text)

    def _unknown(self, name: str) -> RegimeError:
        where = (
            "bundled regimes are"
            if self.bundled
            else f"regimes of {display_path(self.rules_dir)} are"
        )
        names = ", ".join(self.catalogue.names)
        if name == AUTO:
            return RegimeError(f"{AUTO!r} chooses a regime for each case; name one of: {names}")
        hint = "or give a folder that holds regime.yaml"
        if Path(name).is_dir():
            hint = f"a folder is given as a path: ./{name}"
        return RegimeError(f"unknown regime {name!r}; the {where} {names} ({hint})")

    def _watching(self) -> bool:
        return self._watch and not getattr(self._snapshot, "active", False)

    @contextmanager
    def snapshot(self) -> Iterator[Engine]:
        """Within this block the engine does not look at the rule files again: every call in it
        (in this thread) sees one version of the law, and pays no file checks. ``compare`` and
        the batch calls use it."""
        outer = getattr(self._snapshot, "active", False)
        self._snapshot.active = True
        try:
            yield self
        finally:
            self._snapshot.active = outer

    def reload(self) -> None:
        """Forget every regime, program and cache: the next call reads the rule files anew."""
        with self._lock:
            self._catalogue = None
            self._acts = None
            self._regimes.clear()
            for backend in self._backends.values():
                backend.forget()

    def _load_folder(self, folder: Path, seen: tuple[Path, ...]) -> Regime:
        if folder in seen:
            raise cycle_error(folder, seen)
        with self._lock:
            cached = self._regimes.get(folder)
            if cached is not None and not self._watching():
                return cached.regime
            stamp = folder_stamp(folder, cached.version.stamp if cached else None)
            if cached is not None and cached.version.unchanged(folder, stamp):
                base = cached.regime.base
                if base is None or self._load_folder(base.folder, (*seen, folder)) is base:
                    return cached.regime
            version = _Stamped.of(folder, stamp)
            regime = read_regime(folder, seen, self._resolve_base)
            self._regimes[folder] = _Loaded(version, regime)
            return regime

    def _resolve_base(self, name: str, folder: Path, seen: tuple[Path, ...]) -> Regime:
        """What ``extends: name`` in ``folder`` means: a sibling folder of that name, else the
        catalogue's regime of that name."""
        sibling = folder.parent / name
        if (sibling / HEADER_FILE).is_file():
            return self._load_folder(sibling.resolve(), seen)
        catalogue = self.catalogue
        if name in catalogue.names:
            return self._load_folder(catalogue.folder_of(name), seen)
        raise self._unknown(name)

    def program(self, regime: RegimeLike | None = None) -> Program:
        """The compiled program of a regime (compiled once per version of its rules)."""
        return compile_regime(self.regime(regime))

    # --- backends -----------------------------------------------------------------------

    def backend(self, name: str | None = None) -> Backend:
        """``None`` or ``"auto"``: this engine's default, else durable-rules where it imports,
        else the reference backend."""
        if name in (None, AUTO):
            name = self._backend_name
        if name in (None, AUTO):
            name = "durable-rules" if durable_available() else "reference"
        if name not in BACKEND_NAMES:
            raise BackendError(
                f"unknown backend {name!r}; choose one of: auto, " + ", ".join(BACKEND_NAMES)
            )
        with self._lock:
            backend = self._backends.get(name)
            if backend is None:
                backend = DurableBackend() if name == "durable-rules" else ReferenceBackend()
                self._backends[name] = backend
            return backend

    # --- deciding -----------------------------------------------------------------------

    def decide(
        self, case: CaseLike, regime: RegimeLike | None = None, *, backend: str | None = None
    ) -> Decision:
        """Statuses, due dates, confidence and the regime selection for ``case``, as data, with
        no sentence written: the fast path for callers that read statuses and dates."""
        valid = parse_case(case)
        return self._decide(valid, case_facts(valid), regime, self.backend(backend))

    def _decide(
        self, case: Case, facts: Facts, regime: RegimeLike | None, engine: Backend
    ) -> Decision:
        if isinstance(regime, str) and regime == AUTO:
            return self._auto(case, facts, engine)
        target = self.regime(regime)
        requested = regime if isinstance(regime, str) else target.name
        program = compile_regime(target)
        held = engine.run(program, facts)
        return decide(
            program,
            case,
            facts,
            held,
            requested=requested,
            backend=engine.name,
            folder=target.shown_folder,
            acts=self.acts,
        )

    def _auto(self, case: Case, facts: Facts, engine: Backend) -> Decision:
        """The base regime in force on the case's date, with the first overlay that applies."""
        catalogue = self.catalogue
        day = case_field_value(case, catalogue.model.selection_date)
        entry, covered = catalogue.in_force(day)
        choice = BaseChoice(
            entry.name,
            day,
            covered,
            entry.in_force.confidence if entry.in_force else None,
            str(entry.in_force) if entry.in_force else "",
        )
        base = self.regime(entry.name)
        first: tuple[Regime, Program, frozenset[int]] | None = None
        for other in catalogue.model.regimes:
            if other.in_force is not None:
                continue
            overlay = self.regime(other.name)
            if overlay.base is None or overlay.base.folder != base.folder:
                continue
            program = compile_regime(overlay)
            held = engine.run(program, facts)
            active, _ = judge_overlays(program, case, held)
            if active == len(program.layers) - 1:
                first = (overlay, program, held)
                break
            if first is None:
                first = (overlay, program, held)
        if first is None:
            program = compile_regime(base)
            first = (base, program, engine.run(program, facts))
        chosen, program, held = first
        return decide(
            program,
            case,
            facts,
            held,
            requested=AUTO,
            backend=engine.name,
            folder=chosen.shown_folder,
            base_choice=choice,
            acts=self.acts,
        )

    # --- explained results --------------------------------------------------------------

    def evaluate(
        self,
        case: CaseLike,
        regime: RegimeLike | None = None,
        *,
        lang: Lang = "da",
        backend: str | None = None,
        reasons: bool = True,
    ) -> EvaluationResult:
        """Every obligation the regime knows, for ``case``, with status, due date and reasons.

        ``regime``: a catalogue name, ``"auto"`` (the law in force on the case's date, with the
        overlay where it applies), a folder, a :class:`Regime`, or ``None`` (the catalogue's
        default). ``reasons=False`` leaves out the structured reasons (``because`` stays).
        """
        _check_lang(lang)
        return Explainer(self.decide(case, regime, backend=backend), lang).result(reasons=reasons)

    def explain(
        self,
        case: CaseLike,
        obligation: str,
        regime: RegimeLike = AUTO,
        *,
        lang: Lang = "da",
        backend: str | None = None,
    ) -> Explanation:
        """Why ``obligation`` has its status for ``case``: every condition, exception, deadline
        and addition of its rule, whether each held, and the rule file and line it came from."""
        _check_lang(lang)
        decision = self.decide(case, regime, backend=backend)
        explainer = Explainer(decision, lang)
        known = list(decision.program.rules)
        if obligation not in known:
            hint = did_you_mean(obligation, known) or "known: " + ", ".join(known)
            raise RegimeError(f"the regime knows no obligation {obligation!r}; {hint}")
        return explainer.explain(explainer.result(), obligation)

    def compare(
        self,
        case: CaseLike,
        base: RegimeLike | None = None,
        other: RegimeLike | None = None,
        *,
        lang: Lang = "da",
        backend: str | None = None,
    ) -> Comparison:
        """``case`` under two regimes (by default the catalogue's pair) and every difference."""
        pair = self.catalogue.model.compare
        with self.snapshot():  # both sides under one version of the law
            first = self.evaluate(
                case, base if base is not None else pair.base, lang=lang, backend=backend
            )
            second = self.evaluate(
                case, other if other is not None else pair.other, lang=lang, backend=backend
            )
        return Comparison.of(first, second, differences(first, second))

    # --- many cases ---------------------------------------------------------------------

    def evaluate_many(
        self,
        cases: Iterable[CaseLike],
        regime: RegimeLike | None = None,
        *,
        lang: Lang = "da",
        backend: str | None = None,
        jobs: int = 1,
        chunksize: int = 64,
    ) -> Iterator[EvaluationResult]:
        """:meth:`evaluate` for each case, lazily and in order, in constant memory. With
        ``jobs > 1`` the cases are spread over that many worker processes, each with its own
        engine over the same rules; results still come back in input order."""
        _check_jobs(jobs)
        _check_lang(lang)
        spec = self._spec(regime)
        if jobs == 1:
            for case in cases:
                with self.snapshot():  # the law as last checked, without a check per case
                    result = self.evaluate(case, spec, lang=lang, backend=backend)
                yield result
            return
        init = (self._worker_rules(), _portable(spec), lang, backend)
        yield from _in_pool(_worker_evaluate, cases, jobs, chunksize, init)

    def compare_many(
        self,
        cases: Iterable[CaseLike],
        base: RegimeLike | None = None,
        other: RegimeLike | None = None,
        *,
        lang: Lang = "da",
        backend: str | None = None,
        jobs: int = 1,
        chunksize: int = 32,
    ) -> Iterator[Comparison]:
        """:meth:`compare` for each case, lazily and in order; ``jobs`` as in
        :meth:`evaluate_many`."""
        _check_jobs(jobs)
        _check_lang(lang)
        pair = self.catalogue.model.compare
        first = self._spec(base if base is not None else pair.base)
        second = self._spec(other if other is not None else pair.other)
        if jobs == 1:
            for case in cases:
                with self.snapshot():
                    comparison = self.compare(case, first, second, lang=lang, backend=backend)
                yield comparison
            return
        specs = f"{_portable(first)}\n{_portable(second)}"
        init = (self._worker_rules(), specs, lang, backend)
        yield from _in_pool(_worker_compare, cases, jobs, chunksize, init)

    def _spec(self, regime: RegimeLike | None) -> RegimeLike:
        """Check ``regime`` before any work is done; what to hand each evaluation."""
        if isinstance(regime, str) and regime == AUTO:
            self.catalogue  # noqa: B018 - a broken catalogue is refused before the first case
            return regime
        target = self.regime(regime)
        if isinstance(regime, str):
            return regime
        return target

    def _worker_rules(self) -> str | None:
        return None if self._rules is None else str(self._rules)


# --- helpers ----------------------------------------------------------------------------------


def differences(base: EvaluationResult, other: EvaluationResult) -> list[Difference]:
    """Obligations whose status or due date differ, in the order of ``other``."""
    left = {o.id: o for o in base.obligations}
    right = {o.id: o for o in other.obligations}
    out: list[Difference] = []
    for oid in [*right, *(k for k in left if k not in right)]:
        a, b = left.get(oid), right.get(oid)
        if a and b and (a.status, a.due) == (b.status, b.due):
            continue
        out.append(
            Difference.between(
                oid,
                a.status if a else None,
                b.status if b else None,
                a.due if a else None,
                b.due if b else None,
                b.replaced_by if b else [],
                b.replaces if b else [],
            )
        )
    return out


def _portable(spec: RegimeLike) -> str:
    """A regime as a worker process can name it: a catalogue name, ``auto`` or a folder."""
    if isinstance(spec, Regime):
        return str(spec.folder)
    if isinstance(spec, Path):
        return str(spec.resolve())
    return spec if not looks_like_path(spec) else str(Path(spec).resolve())


def _file_stamp(path: Path) -> Stamp:
    try:
        info = path.stat()
    except OSError:
        return ()
    return ((path.name, info.st_mtime_ns, info.st_size),)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise RegimeError(f"unknown language {lang!r}; choose one of: {', '.join(LANGS)}")


def max_jobs() -> int:
    """The most worker processes a batch may ask for: twice the CPU cores (each worker holds
    an engine of its own; more than that only costs memory and start-up time)."""
    return 2 * (os.cpu_count() or 1)


def _check_jobs(jobs: int) -> None:
    most = max_jobs()
    if not 1 <= jobs <= most:
        raise UsageError(
            f"jobs must be from 1 to {most} (twice the {most // 2} CPU cores here), not {jobs}"
        )


R = TypeVar("R")


def _chunks(cases: Iterable[CaseLike], size: int) -> Iterator[list[Case]]:
    chunk: list[Case] = []
    for case in cases:
        chunk.append(parse_case(case))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _in_pool(
    work: Callable[[list[Case]], list[R]],
    cases: Iterable[CaseLike],
    jobs: int,
    chunksize: int,
    init: tuple[Any, ...],
) -> Iterator[R]:
    """``work`` over chunks of ``cases`` in ``jobs`` worker processes, results in input order.

    The input is read here, in the caller's thread, and at most two chunks per worker are in
    flight: memory stays flat over an endless stream, and Ctrl-C stops the reading at once.
    The workers are born with SIGINT and SIGTERM blocked and then ignore them: a signal to the
    terminal's whole process group is the parent's alone to answer, so no worker dies in the
    middle of a task or prints a traceback. On any early exit (a signal, an error, the caller
    closing the iterator) the queued chunks are dropped and the workers end after the chunk
    each has in hand. A worker that dies is an error, never a wait without end.
    """
    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_worker_init, initargs=init
    )
    pending: deque[Future[list[R]]] = deque()
    try:
        for chunk in _chunks(cases, chunksize):
            with _blocked(_WORKER_SIGNALS):  # a submit may start a worker
                pending.append(executor.submit(work, chunk))
            while len(pending) >= 2 * jobs:
                yield from _answer(pending.popleft())
        while pending:
            yield from _answer(pending.popleft())
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def _answer(future: Future[list[R]]) -> list[R]:
    try:
        return future.result()
    except BrokenProcessPool:
        raise BackendError(
            "a worker process ended before it answered (killed from outside?); run again, "
            "or with fewer jobs"
        ) from None


_WORKER_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _blocked(signals: tuple[signal.Signals, ...]) -> Iterator[None]:
    """Block ``signals`` in this thread while the block runs (a process started meanwhile
    inherits the mask); a signal that came meanwhile is delivered when it ends."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


RULES_ENV = "LOVREGLER_RULES"
"""An environment variable naming a rules folder (with ``regimes.yaml``) for the default engine."""
_DEFAULT: tuple[str | None, Engine] | None = None
_DEFAULT_LOCK = threading.Lock()


def default_engine() -> Engine:
    """The engine that ``lovregler.evaluate()`` and friends use: over the bundled rules, or over
    the rules folder named by ``LOVREGLER_RULES`` (a new engine when that variable changes)."""
    global _DEFAULT
    wanted = os.environ.get(RULES_ENV) or None
    current = _DEFAULT
    if current is None or current[0] != wanted:
        with _DEFAULT_LOCK:
            current = _DEFAULT
            if current is None or current[0] != wanted:
                current = _DEFAULT = (wanted, Engine(wanted))
    return current[1]


# Worker processes (evaluate_many / compare_many with jobs > 1): one engine each.
_WORKER: dict[str, Any] = {}


def _worker_init(rules: str | None, regime: str, lang: Lang, backend: str | None) -> None:
    # Born with SIGINT and SIGTERM blocked (see _in_pool): ignored from now on, what came
    # meanwhile dropped. The parent answers them, and the worker ends when its queue does.
    for signum in _WORKER_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _WORKER_SIGNALS)
    _WORKER.update(
        engine=Engine(rules, watch=False), regime=regime or None, lang=lang, backend=backend
    )


def _worker_evaluate(cases: list[Case]) -> list[EvaluationResult]:
    engine: Engine = _WORKER["engine"]
    regime, lang, backend = _WORKER["regime"], _WORKER["lang"], _WORKER["backend"]
    return [engine.evaluate(case, regime, lang=lang, backend=backend) for case in cases]


def _worker_compare(cases: list[Case]) -> list[Comparison]:
    engine: Engine = _WORKER["engine"]
    base, other = _WORKER["regime"].split("\n")
    lang, backend = _WORKER["lang"], _WORKER["backend"]
    return [engine.compare(case, base, other, lang=lang, backend=backend) for case in cases]


__all__ = ["AUTO", "RULES_ENV", "CaseLike", "Engine", "RegimeLike", "default_engine", "differences"]
