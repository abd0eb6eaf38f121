"""The rendered prose of the bundled rules is pinned on 10,000 generated cases.

Both regimes, both languages: 40,000 results, hashed per block of 100 cases
(``tests/pinned/rendered.sha256``). A deliberate change of wording regenerates the pin with
``python tests/pinned/cases.py --write`` and is listed in the CHANGELOG.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def _pinned() -> ModuleType:
    path = Path(__file__).with_name("pinned") / "cases.py"
    spec = importlib.util.spec_from_file_location("lovregler_pinned_cases", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_rendered_results_match_the_pin() -> None:
    pinned = _pinned()
    expected = pinned.PIN_FILE.read_text(encoding="utf-8").splitlines()
    actual = pinned.block_digests(pinned.render_with_lovregler)
    assert len(actual) == len(expected) == pinned.N_CASES // pinned.BLOCK
    changed = [
        f"{want.split()[0]}: "
        + ", ".join(
            f"{regime}/{lang}"
            for (regime, lang), a, b in zip(
                pinned.COMBOS, want.split()[1:], got.split()[1:], strict=True
            )
            if a != b
        )
        for want, got in zip(expected, actual, strict=True)
        if want != got
    ]
    assert not changed, (
        "the rendered results differ from the pin in these blocks of 100 cases "
        "(first case id: regimes/languages):\n  " + "\n  ".join(changed[:20])
    )
