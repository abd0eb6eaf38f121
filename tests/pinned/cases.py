"""10,000 generated cases whose rendered results are pinned (``rendered.sha256``).

The generator is seeded ``random.Random``: the same cases on every Python and every run. The pin
guards the prose (``because``, ``regime_reason``, ``warnings``) and the statuses and dates across
refactorings of the engine; a deliberate change of wording regenerates the pin with
``python tests/pinned/cases.py --write`` and says so in the CHANGELOG.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

N_CASES = 10_000
BLOCK = 100
SEED = 20261204
PIN_FILE = Path(__file__).with_name("rendered.sha256")
# The parts of a result that the pin covers: prose, statuses, dates and links. Not pinned: the
# rule-content hash, the backend, file:line sources and confidence (those change with any edit
# of a rule file, or were corrected on purpose).
RESULT_KEYS = ("case_id", "regime", "regime_reason", "requested_regime", "warnings")
OBLIGATION_KEYS = (
    "id",
    "status",
    "legal_basis",
    "due",
    "because",
    "replaced_by",
    "replaces",
    "title",
    "repeats",
)
MUNICIPALITIES = (
    "Ikast-Brande",
    "756",
    "Gladsaxe",
    "159",
    "Guldborgsund",
    "376",
    "Aarhus",
    "Odense",
)


def generate_cases(n: int = N_CASES, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """Valid cases spread over the network, its windows and every case field."""
    rng = random.Random(seed)
    first = date(2017, 6, 1).toordinal()
    last = date(2021, 12, 31).toordinal()
    for i in range(n):
        awareness = date.fromordinal(rng.randint(first, last))
        case: dict[str, Any] = {
            "case_id": f"pin-{i:05d}",
            "municipality": rng.choice(MUNICIPALITIES),
            "awareness_date": awareness.isoformat(),
            "support_need_presumed": rng.random() < 0.7,
        }
        if rng.random() < 0.8:
            case["child_age"] = rng.randint(0, 17)
        else:
            years = rng.randint(0, 17)
            born = awareness - timedelta(days=years * 365 + rng.randint(0, 300))
            case["child_birth_date"] = born.isoformat()
        if rng.random() < 0.6:
            case["decision_date"] = (awareness + timedelta(days=rng.randint(0, 400))).isoformat()
        if rng.random() < 0.3:
            case["notification_date"] = (awareness - timedelta(days=rng.randint(0, 5))).isoformat()
        measures = sorted(rng.sample(range(1, 10), rng.choice((0, 0, 1, 1, 2, 3, 4))))
        if measures or rng.random() < 0.5:
            case["measures"] = measures
        if measures or rng.random() < 0.3:
            case["consent"] = rng.random() < 0.75
        case["child_conversation_exception"] = rng.choice(
            (None, None, None, "maturity", "nature_of_case")
        )
        if rng.random() < 0.2:
            case["urgent"] = True
        yield case


def pinned_view(result: dict[str, Any]) -> dict[str, Any]:
    view = {key: result.get(key) for key in RESULT_KEYS}
    view["obligations"] = [
        {key: ob.get(key) for key in OBLIGATION_KEYS} for ob in result["obligations"]
    ]
    return view


COMBOS = (("standard", "da"), ("standard", "en"), ("frikommune", "da"), ("frikommune", "en"))


def block_digests(render: Callable[[dict[str, Any], str, str], dict[str, Any]]) -> list[str]:
    """One line per block of cases: the block's first case id and a digest per combination."""
    lines: list[str] = []
    hashes = [hashlib.sha256() for _ in COMBOS]
    for index, case in enumerate(generate_cases()):
        for combo, digest in zip(COMBOS, hashes, strict=True):
            view = pinned_view(render(case, *combo))
            digest.update(json.dumps(view, sort_keys=True, ensure_ascii=False).encode())
            digest.update(b"\n")
        if index % BLOCK == BLOCK - 1:
            first = f"pin-{index - BLOCK + 1:05d}"
            lines.append(" ".join([first, *(h.hexdigest()[:16] for h in hashes)]))
            hashes = [hashlib.sha256() for _ in COMBOS]
    return lines


def render_with_lovregler(case: dict[str, Any], regime: str, lang: str) -> dict[str, Any]:
    import lovregler

    result = lovregler.evaluate(case, regime, lang=lang, backend="reference")  # type: ignore[arg-type]
    return result.model_dump(mode="json")


if __name__ == "__main__":
    lines = block_digests(render_with_lovregler)
    text = "\n".join(lines) + "\n"
    if "--write" in sys.argv:
        PIN_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {PIN_FILE} ({len(lines)} blocks)")
    elif "--dump" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--dump") + 1])
        with out.open("w", encoding="utf-8") as fh:
            for case in generate_cases():
                for combo in COMBOS:
                    view = pinned_view(render_with_lovregler(case, *combo))
                    fh.write(json.dumps(view, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"wrote {out}")
    else:
        sys.stdout.write(text)
