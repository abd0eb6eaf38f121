"""A decision -> its explanation: the ``because`` and ``regime_reason`` sentences (Danish or
English) and the structured reasons (a tree of what was tested and where it is written).

Nothing is decided here: every status, date and confidence comes from the decision
(:mod:`lovregler.engine.decide`); this module only puts them into words.
"""

from __future__ import annotations

from typing import Any

from lovregler._errors import InternalError
from lovregler._result import (
    EvaluationResult,
    Explanation,
    ExplanationLine,
    Link,
    Obligation,
    Reason,
    trusted,
)
from lovregler.case.model import case_field_value
from lovregler.engine.compile import RuleChecks
from lovregler.engine.decide import Decision, ObligationDecision
from lovregler.explain.describe import describe_deadline, localized
from lovregler.explain.texts import (
    FIELD_LABELS,
    MONTHS,
    STATUS_LABELS,
    UNCONFIRMED_PARTS,
    Lang,
    describe_test,
    phrase,
    unit_name,
)
from lovregler.law.acts import normalized
from lovregler.law.loader import LoadedParticipant
from lovregler.law.models import AllOf, AnyOf, Citation, Condition, FieldCondition, NotOf, RuleRef


class Explainer:
    """Renders one decision in one language (caches live on the decision's program)."""

    def __init__(self, decision: Decision, lang: Lang) -> None:
        self.decision = decision
        self.program = decision.program
        self.facts = decision.facts
        self.held = decision.held
        self.lang = lang
        self.day = decision.day
        self._regime_reason: str | None = None
        self._acts_on: tuple[tuple[int, ...] | None] | None = None

    # the result ---------------------------------------------------------------------------

    def result(self, *, reasons: bool = True) -> EvaluationResult:
        decision = self.decision
        regime = decision.regime
        return trusted(
            EvaluationResult,
            case_id=decision.case.case_id,
            regime=regime.name,
            regime_reason=self.regime_reason(),
            ruleset_version=regime.version,
            obligations=[self.obligation(o, reasons=reasons) for o in decision.obligations],
            requested_regime=decision.requested,
            backend=decision.backend,
            warnings=self.warnings(),
            selection=decision.selection,
            experiments=list(decision.selection.experiments),
        )

    def warnings(self) -> list[str]:
        choice = self.decision.base_choice
        chosen = []
        for item in self.decision.obligations:
            follows, order = item.rule.follows, item.order
            if follows is None or order is None or not order.warns:
                continue
            exception = (
                self._title(follows.unless_text, follows.unless_text_en).rstrip(".")
                if follows.unless_text
                else "-"
            )
            chosen.append(
                phrase(
                    "order_warning",
                    self.lang,
                    id=item.id,
                    day=self.day,
                    after=order.after,
                    due=order.after_due,
                    text=self._title(follows.text, follows.text_en).rstrip("."),
                    basis=self._basis(follows.legal_basis),
                    exception=exception,
                )
            )
        if choice is not None and not choice.in_force:
            chosen.append(
                phrase(
                    "not_in_force",
                    self.lang,
                    day=choice.day,
                    name=choice.name,
                    period=choice.period,
                )
            )
        return chosen + [
            phrase(
                "outside_validity",
                self.lang,
                day=self.day,
                name=layer.name,
                window=layer.header.valid,
            )
            for layer in self.decision.outside_validity
        ]

    def regime_reason(self) -> str:
        if self._regime_reason is None:
            self._regime_reason = self._render_regime_reason()
        return self._regime_reason

    def _render_regime_reason(self) -> str:
        layers = self.program.layers
        reason = phrase(
            "regime_requested",
            self.lang,
            name=layers[0].regime.name,
            title=self._title(layers[0].regime.header.title, layers[0].regime.header.title_en),
        )
        municipality = str(self.decision.case.kommune)
        for verdict in self.decision.verdicts:
            header = layers[verdict.layer].regime.header
            label = self._title(header.label or header.title, header.label_en or header.title_en)
            below = layers[verdict.layer - 1].regime.header
            base = f"{self._title(below.label or below.title, below.label_en or below.title_en)} ({below.regime})"
            window_day = case_field_value(self.decision.case, header.window_date)
            inside = verdict.participant
            window = f"{inside.window_from}..{inside.window_to}" if inside else "-"
            if verdict.verdict == "not_member":
                return phrase(
                    "regime_not_member",
                    self.lang,
                    municipality=municipality,
                    label=label,
                    base=base,
                )
            if verdict.verdict == "outside_window":
                windows = ", ".join(self._window(verdict.layer, p) for p in verdict.windows)
                return phrase(
                    "regime_outside_window",
                    self.lang,
                    municipality=municipality,
                    label=label,
                    day=window_day,
                    window=windows,
                    base=base,
                )
            if verdict.verdict == "excluded":
                exclusion = verdict.exclusion
                assert exclusion is not None
                return phrase(
                    "regime_excluded",
                    self.lang,
                    municipality=municipality,
                    label=label,
                    day=window_day,
                    window=window,
                    base=base,
                    reason=self._title(exclusion.reason, exclusion.reason_en),
                    basis=self._basis(exclusion.legal_basis),
                )
            if verdict.verdict == "everywhere":
                reason = phrase("regime_everywhere", self.lang, label=label)
            elif any(verdict.running):
                regime = layers[verdict.layer].regime
                runs = [
                    self._window(verdict.layer, p)
                    for p in verdict.windows
                    if p.experiment in verdict.running
                    and p.window_from <= window_day <= p.window_to
                ]
                others = []
                for experiment in regime.experiments or []:
                    if experiment.id in verdict.running:
                        continue
                    records = [p for p in verdict.windows if p.experiment == experiment.id]
                    name = self._experiment_label(verdict.layer, experiment.id)
                    if records:
                        spans = ", ".join(f"{p.window_from}..{p.window_to}" for p in records)
                        others.append(
                            phrase("experiment_outside", self.lang, name=name, window=spans)
                        )
                    else:
                        others.append(phrase("experiment_not_member", self.lang, name=name))
                reason = phrase(
                    "regime_in_experiments",
                    self.lang,
                    municipality=municipality,
                    label=label,
                    day=window_day,
                    running=", ".join(runs),
                    others="".join(f"; {o}" for o in others),
                )
            else:
                reason = phrase(
                    "regime_in_window",
                    self.lang,
                    municipality=municipality,
                    label=label,
                    day=window_day,
                    window=window,
                )
        return reason

    def _experiment_label(self, layer: int, experiment: str) -> str:
        for loaded in self.program.layers[layer].regime.experiments or []:
            if loaded.id == experiment and loaded.model is not None:
                m = loaded.model
                return self._title(m.label or m.title, m.label_en or m.title_en)
        return experiment

    def _window(self, layer: int, participant: LoadedParticipant) -> str:
        span = f"{participant.window_from}..{participant.window_to}"
        if not participant.experiment:
            return span
        return f"{self._experiment_label(layer, participant.experiment)} ({span})"

    # one obligation -----------------------------------------------------------------------

    def obligation(self, item: ObligationDecision, *, reasons: bool = True) -> Obligation:
        if item.status == "required" or item.layer > 0 or item.replaced_by:
            return self._obligation(item, reasons=reasons)
        # Without a due date or a selection in its reasons, an obligation reads the same for
        # every case with the same facts under its rule: rendered once per program.
        key = (
            item.id,
            self.lang,
            item.status,
            item.exception,
            item.confidence,
            reasons,
            self._versions(),
            self.program.rule_signature(item.rule, self.facts),
            self.program.citation_mask(item.rule, self.day),
        )
        known = self.program.rendered.get(key)
        if known is None:
            known = self.program.rendered[key] = self._obligation(item, reasons=reasons)
        return known

    def _obligation(self, item: ObligationDecision, *, reasons: bool = True) -> Obligation:
        rule = item.rule
        checks = self.program.rules[rule.id]
        basis = self._basis(rule.legal_basis)
        title = self._title(rule.title, rule.title_en)
        because: list[str] = []
        head = dict(id=rule.id, basis=basis, title=title)
        if item.status == "not_applicable" and item.idle:
            because.append(phrase("not_applicable", self.lang, **head))
            because.append(
                phrase(
                    "experiment_idle",
                    self.lang,
                    name=self._experiment_label(item.layer, rule.experiment or ""),
                    municipality=str(self.decision.case.kommune),
                    day=self.decision.selection.day,
                )
            )
        elif item.status == "not_applicable":
            because.append(phrase("not_applicable", self.lang, **head))
            because += self._explain(rule.when, checks.when)
        elif item.status == "dispensed":
            base_name = self.program.layers[item.layer].regime.name
            because.append(phrase("dispensed", self.lang, base=base_name, **head))
            for by, link_basis in item.replaced_by:
                because.append(
                    phrase(
                        "dispensation",
                        self.lang,
                        basis=self._basis(link_basis),
                        title=self._title(by.title, by.title_en),
                        id=by.id,
                    )
                )
            because += self._explain(rule.when, checks.when)
        elif item.status == "waived":
            because.append(phrase("waived", self.lang, **head))
            because += self._explain(rule.when, checks.when)
            assert item.exception is not None
            exc = rule.unless[item.exception]
            because.append(
                phrase(
                    "exception",
                    self.lang,
                    reason=self._title(exc.reason, exc.reason_en),
                    basis=self._basis(exc.legal_basis),
                )
            )
        else:
            because.append(phrase("required", self.lang, **head))
            because += self._explain(rule.when, checks.when)
            for index in item.additions:
                addition = rule.additions[index]
                extra = f" ({self._basis(addition.legal_basis)})" if addition.legal_basis else ""
                because.append(
                    phrase(
                        "addition",
                        self.lang,
                        text=self._title(addition.text, addition.text_en),
                        basis=extra,
                    )
                )
            because += self._deadline_lines(item)
            because += self._order_lines(item)
        if item.unconfirmed:
            because.append(self._unconfirmed_line(item))
        # Built from trusted parts: construct without re-validating (a hot path).
        return trusted(
            Obligation,
            id=rule.id,
            status=item.status,
            legal_basis=basis,
            due=item.due,
            because=because,
            replaced_by=item.replaced_by_ids,
            replaces=item.replaces,
            title=title,
            confidence=item.confidence,
            source=checks.origin,
            repeats=item.repeats,
            reasons=[self.reason_tree(item)] if reasons else [],
            links=self.links(rule.legal_basis),
        )

    def _unconfirmed_line(self, item: ObligationDecision) -> str:
        """Which parts of what decided the obligation are marked to_confirm."""
        words = UNCONFIRMED_PARTS[self.lang]
        parts = []
        for kind, what in item.unconfirmed:
            if kind == "selection":
                parts.append(
                    words[kind].format(what=self._experiment_label(max(item.layer, 1), what))
                )
            else:
                parts.append(words[kind].format(what=what))
        return phrase("unconfirmed", self.lang, parts="; ".join(parts))

    def _order_lines(self, item: ObligationDecision) -> list[str]:
        """The ordering rule (``follows``): always a reason; the exception when it holds."""
        follows, order = item.rule.follows, item.order
        if follows is None or order is None:
            return []
        text = self._title(follows.text, follows.text_en).rstrip(".")
        lines = [phrase("order", self.lang, text=text, basis=self._basis(follows.legal_basis))]
        if order.after_status == "dispensed":
            lines.append(phrase("order_dispensed", self.lang, id=order.after))
        elif order.excepted and follows.unless_text:
            exception = self._title(follows.unless_text, follows.unless_text_en).rstrip(".")
            lines.append(phrase("order_excepted", self.lang, text=exception))
        return lines

    def _deadline_lines(self, item: ObligationDecision) -> list[str]:
        if item.deadline is None:
            return []
        deadline = item.rule.deadlines[item.deadline]
        due, start_date = item.due, item.start
        start = FIELD_LABELS[deadline.from_][self.lang]
        basis = f" ({self._basis(deadline.legal_basis)})" if deadline.legal_basis else ""
        if deadline.amount:
            line = phrase(
                "due_after",
                self.lang,
                amount=deadline.amount,
                unit=unit_name(deadline.unit, deadline.amount, self.lang),
                start=start,
                start_date=start_date,
                due=due,
                basis=basis,
            )
        else:
            line = phrase("due_on", self.lang, start=start, due=due, basis=basis)
        lines = [line]
        if item.clamped and due is not None and start_date is not None:
            lines.append(
                phrase(
                    "due_clamped",
                    self.lang,
                    month=MONTHS[self.lang][due.month - 1],
                    year=due.year,
                    day=start_date.day,
                    due=due,
                )
            )
        reason = self._title(deadline.reason, deadline.reason_en) if deadline.reason else None
        if reason:
            lines.append(reason if reason.endswith(".") else reason + ".")
        if deadline.repeat is not None:
            r = deadline.repeat
            key = "repeat_range" if r.min else "repeat_max"
            lines.append(
                phrase(
                    key,
                    self.lang,
                    min=r.min,
                    max=r.max,
                    unit=unit_name(r.unit, r.max, self.lang),
                    unit_one=unit_name(r.unit, 1, self.lang),
                )
            )
        return lines

    # structured reasons -------------------------------------------------------------------

    def reason_tree(self, item: ObligationDecision) -> Reason:
        """The obligation's reasons as a tree: the rule, the regime selection it rests on, its
        conditions, the exception, the deadline, the additions and what replaced it."""
        rule = item.rule
        checks = self.program.rules[rule.id]
        children: list[Reason] = []
        selection = self.decision.selection
        if selection.overlay is not None and (item.layer > 0 or item.replaced_by):
            children.append(
                trusted(
                    Reason,
                    kind="selection",
                    id=selection.applied,
                    holds=self.decision.active > 0,
                    text=self.regime_reason(),
                    legal_basis="",
                    confidence=selection.confidence,
                    source="",
                    children=[],
                )
            )
        if item.idle:
            children.append(
                trusted(
                    Reason,
                    kind="selection",
                    id=rule.experiment or "",
                    holds=False,
                    text=phrase(
                        "experiment_idle",
                        self.lang,
                        name=self._experiment_label(item.layer, rule.experiment or ""),
                        municipality=str(self.decision.case.kommune),
                        day=selection.day,
                    ),
                    legal_basis="",
                    confidence=item.confidence,
                    source="",
                    children=[],
                )
            )
        signature = self.program.rule_signature(rule, self.facts)
        key = (
            rule.id,
            self.lang,
            item.status,
            item.deadline,
            item.additions,
            tuple(by.id for by, _ in item.replaced_by),
            signature,
            self.program.citation_mask(rule, self.day),
        )
        parts = self.program.rule_trees.get(key)
        if parts is None:
            parts = self.program.rule_trees[key] = self._rule_parts(item, checks)
        children.extend(parts)
        follows, order = rule.follows, item.order
        if follows is not None and order is not None:
            children.append(
                trusted(
                    Reason,
                    kind="order",
                    id=f"{rule.id}/follows/{order.after}",
                    holds=not order.warns,
                    text=" ".join(self._order_lines(item)),
                    legal_basis=self._basis(follows.legal_basis),
                    confidence=follows.confidence,
                    source=follows.origin,
                    children=[],
                )
            )
        return trusted(
            Reason,
            kind="rule",
            id=rule.id,
            holds=item.status != "not_applicable",
            text=self._title(rule.title, rule.title_en),
            legal_basis=self._basis(rule.legal_basis),
            confidence=item.confidence,
            source=checks.origin,
            children=children,
        )

    def _rule_parts(self, item: ObligationDecision, checks: RuleChecks) -> list[Reason]:
        """What a rule's reasons hold besides the selection; the same for every case with the
        same facts under the rule (cached on the program)."""
        rule = item.rule
        children: list[Reason] = []
        if rule.when is not None:
            children.append(self.condition_tree(rule.when, f"{rule.id}/when"))
        for index, exc in enumerate(rule.unless):
            children.append(
                trusted(
                    Reason,
                    kind="exception",
                    id=exc.id,
                    holds=checks.unless[index] in self.held,
                    text=self._title(exc.reason, exc.reason_en),
                    legal_basis=self._basis(exc.legal_basis),
                    confidence=exc.confidence,
                    source=exc.origin,
                    children=[self.condition_tree(exc.when, f"{rule.id}/unless/{exc.id}")],
                )
            )
        if item.deadline is not None:
            deadline = rule.deadlines[item.deadline]
            children.append(
                trusted(
                    Reason,
                    kind="deadline",
                    id=f"{rule.id}/deadline/{item.deadline}",
                    holds=True,
                    text=describe_deadline(deadline, self.lang),
                    legal_basis=self._basis(deadline.legal_basis) if deadline.legal_basis else "",
                    confidence=deadline.confidence or "",
                    source=deadline.origin,
                    children=[],
                )
            )
        for index in item.additions:
            addition = rule.additions[index]
            children.append(
                trusted(
                    Reason,
                    kind="addition",
                    id=f"{rule.id}/addition/{index}",
                    holds=True,
                    text=self._title(addition.text, addition.text_en),
                    legal_basis=self._basis(addition.legal_basis) if addition.legal_basis else "",
                    confidence="",
                    source=addition.origin,
                    children=[],
                )
            )
        for by, basis in item.replaced_by:
            children.append(
                trusted(
                    Reason,
                    kind="dispensation",
                    id=by.id,
                    holds=True,
                    text=self._title(by.title, by.title_en),
                    legal_basis=self._basis(basis),
                    confidence=by.confidence,
                    source=by.origin,
                    children=[],
                )
            )
        return children

    def condition_tree(self, cond: Condition, path: str) -> Reason:
        """A condition and every condition inside it; the same facts give the same (shared) tree."""
        key = (id(cond), self.lang, self.program.signature(cond, self.facts))
        known = self.program.trees.get(key)
        if known is None:
            known = self.program.trees[key] = self._condition_tree(cond, path)
        return known

    def _condition_tree(self, cond: Condition, path: str) -> Reason:
        own = self._title(cond.text, cond.text_en) if cond.text else None
        children: list[Reason] = []
        if isinstance(cond, AllOf | AnyOf):
            word = "all" if isinstance(cond, AllOf) else "any"
            items = cond.all if isinstance(cond, AllOf) else cond.any
            children = [self._condition_tree(c, f"{path}/{word}[{i}]") for i, c in enumerate(items)]
            text = own or phrase("x_all" if isinstance(cond, AllOf) else "x_any", self.lang).rstrip(
                ":"
            )
        elif isinstance(cond, NotOf):
            children = [self._condition_tree(cond.not_, f"{path}/not")]
            text = own or phrase("x_not", self.lang).rstrip(":")
        else:
            text = own or self._why(cond)[0][0]
        return trusted(
            Reason,
            kind="condition",
            id=path,
            holds=self._test(cond),
            text=text,
            legal_basis="",
            confidence=cond.confidence or "",
            source=cond.origin,
            children=children,
        )

    # condition sentences ------------------------------------------------------------------

    def _test(self, cond: Condition) -> bool:
        return self.program.test(cond, self.facts)

    def _explain(self, cond: Condition | None, check: int) -> list[str]:
        if cond is None:
            return [phrase("always", self.lang)]
        key = (id(cond), self.lang, self.program.signature(cond, self.facts))
        known = self.program.explained.get(key)
        if known is None:
            lines = [
                phrase("held" if value else "failed", self.lang, text=text)
                for text, value in self._why(cond)
            ]
            known = self.program.explained[key] = (self._test(cond), lines)
        if known[0] != (check in self.held):
            raise InternalError(f"the engine and the explanation disagree on {cond.origin}")
        return known[1]

    def _why(self, cond: Condition) -> list[tuple[str, bool]]:
        value = self._test(cond)
        own = self._title(cond.text, cond.text_en) if cond.text else None
        if own:
            return [(own, value)]
        if isinstance(cond, AllOf | AnyOf):
            children = cond.all if isinstance(cond, AllOf) else cond.any
            decisive = (
                isinstance(cond, AllOf) != value
            )  # all-false or any-true: some children decide
            picked = [c for c in children if self._test(c) == value] if decisive else children
            return [item for c in picked for item in self._why(c)]
        if isinstance(cond, NotOf):
            return self._why(cond.not_)
        if isinstance(cond, RuleRef):
            target = self.program.rules[cond.rule].rule
            key = "rule_ref_required" if cond.is_ == "required" else "rule_ref_applicable"
            return [
                (
                    phrase(
                        key,
                        self.lang,
                        id=target.id,
                        title=self._title(target.title, target.title_en),
                    ),
                    value,
                )
            ]
        assert isinstance(cond, FieldCondition)
        op, operand = cond.operator
        return [(describe_test(cond.field, op, operand, self.lang), value)]

    # explain ------------------------------------------------------------------------------

    def tree(self, cond: Condition, depth: int) -> list[ExplanationLine]:
        """Every node of a condition, whether it held, and where it was written."""
        value = self._test(cond)
        own = self._title(cond.text, cond.text_en) if cond.text else None
        children: list[Condition] = []
        if isinstance(cond, AllOf | AnyOf):
            children = list(cond.all if isinstance(cond, AllOf) else cond.any)
            label = own or phrase("x_all" if isinstance(cond, AllOf) else "x_any", self.lang)
        elif isinstance(cond, NotOf):
            children = [cond.not_]
            label = own or phrase("x_not", self.lang)
        else:
            label = own or self._why(cond)[0][0]
        line = ExplanationLine(depth=depth, text=label, holds=value, source=cond.origin)
        return [line, *(item for c in children for item in self.tree(c, depth + 1))]

    def explain(self, result: EvaluationResult, obligation_id: str) -> Explanation:
        checks = self.program.rules[obligation_id]
        rule = checks.rule
        ob = result.obligation(obligation_id) if obligation_id in result.statuses() else None
        lang = self.lang
        lines: list[ExplanationLine] = []

        def say(
            depth: int, key: str, holds: bool | None = None, source: str = "", **kw: Any
        ) -> None:
            lines.append(
                ExplanationLine(
                    depth=depth, text=phrase(key, lang, **kw), holds=holds, source=source
                )
            )

        status = STATUS_LABELS[ob.status if ob else "not_applicable"][lang]
        say(0, "x_head", id=rule.id, status=status, basis=self._basis(rule.legal_basis))
        say(0, "x_rule", title=self._title(rule.title, rule.title_en), source=checks.origin)
        say(0, "x_regime", regime=result.regime, reason=result.regime_reason)
        for citation, act, text, url in self.wording(rule.legal_basis):
            say(1, "x_law", citation=citation, act=act, url=url, text=text)
        if rule.when is None:
            say(0, "x_always", holds=True)
        else:
            say(0, "x_when")
            lines.extend(self.tree(rule.when, 1))
        for exc in rule.unless:
            say(0, "x_unless", holds=self._test(exc.when), source=exc.origin, id=exc.id,
                reason=self._title(exc.reason, exc.reason_en), basis=self._basis(exc.legal_basis))  # fmt: skip
            lines.extend(self.tree(exc.when, 1))
        for n, deadline in enumerate(rule.deadlines, start=1):
            say(
                0, "x_deadline", source=deadline.origin, n=n, text=describe_deadline(deadline, lang)
            )
            if deadline.when is not None:
                lines.extend(self.tree(deadline.when, 1))
        for addition in rule.additions:
            say(0, "x_addition", holds=self._test(addition.when), source=addition.origin,
                text=self._title(addition.text, addition.text_en))  # fmt: skip
        if rule.dispenses:
            say(0, "x_dispenses", ids=", ".join(link.obligation for link in rule.dispenses))
        say(0, "x_because")
        for reason in ob.because if ob else []:
            lines.append(ExplanationLine(depth=1, text=reason, holds=None, source=""))
        return Explanation(
            case_id=result.case_id,
            regime=result.regime,
            obligation=ob,
            lines=lines,
            lang=lang,
            reasons=list(ob.reasons) if ob else [],
        )

    # small helpers ------------------------------------------------------------------------

    def _title(self, da: str | None, en: str | None) -> str:
        return localized(da, en, self.lang)

    def _versions(self) -> tuple[int, ...] | None:
        """Which consolidations are in force on the day (what the links depend on)."""
        if self._acts_on is None:
            acts = self.decision.acts
            self._acts_on = (acts.version_on(self.day) if acts else None,)
        return self._acts_on[0]

    def wording(self, citations: list[Citation]) -> list[tuple[str, str, str, str]]:
        """(citation, consolidation, the cited text, ELI) for each citation whose text the acts
        hold, in the consolidation in force on the day."""
        acts = self.decision.acts
        out: list[tuple[str, str, str, str]] = []
        for citation in citations:
            act = acts.act_of(citation) if acts else None
            version = acts.in_force(act, self.day) if acts and act else None
            text = acts.wording(citation, version) if acts and version else None
            if version is not None and text:
                out.append((citation.render(), version.name, normalized(text), version.eli))
        return out

    def links(self, citations: list[Citation]) -> list[Link]:
        """The citations valid on the day, each with the consolidation in force and its ELI."""
        acts = self.decision.acts
        if acts is None:
            return []
        key = (id(citations), self._versions())
        known = self.program.links.get(key)
        if known is None:
            valid = [c for c in citations if c.valid_on(self.day)] or citations
            known = []
            for citation in valid:
                act = acts.act_of(citation)
                version = acts.in_force(act, self.day) if act else None
                if version is not None:
                    known.append(
                        trusted(Link, citation=citation.render(), act=version.name, url=version.eli)
                    )
            self.program.links[key] = known
        return known

    def _basis(self, citations: list[Citation]) -> str:
        mask = tuple([c.valid_on(self.day) for c in citations])
        key = (id(citations), mask)
        text = self.program.bases.get(key)
        if text is None:
            valid = [c for c, ok in zip(citations, mask, strict=True) if ok] or citations
            text = self.program.bases[key] = "; ".join(c.render() for c in valid)
        return text


def render(decision: Decision, lang: Lang = "da", *, reasons: bool = True) -> EvaluationResult:
    """The published result of ``decision``, with its sentences in ``lang``."""
    return Explainer(decision, lang).result(reasons=reasons)
