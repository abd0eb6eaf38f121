"""The catalogue and the files beside it: each broken copy beside the exact error it must give.

Each folder in ``tests/catalogue/bad/`` holds the files that differ from the bundled ``rules/``
(``regimes.yaml``, ``vocabulary.yaml`` or ``safeguards.yaml``) with ONE mistake, and
``expected.txt``: the exact stderr of ``lovregler check rules`` run on a copy of the bundled rules
with those files put in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lovregler.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "catalogue" / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_catalogue_is_refused_with_its_pinned_message(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    for changed in case.iterdir():
        if changed.name != "expected.txt":
            shutil.copy(changed, rules / changed.name)
    monkeypatch.chdir(tmp_path)
    code = main(["check", "rules"])
    err = capsys.readouterr().err
    assert err == (case / "expected.txt").read_text(encoding="utf-8")
    assert code == 2


def test_the_bundled_catalogue_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "rules"]) == 0
    assert capsys.readouterr().err == ""
