"""The ``$schema`` line of every YAML file leads to its schema: in the checkout, and inside a
really built wheel, where ``rules/`` becomes ``lovregler/rules/``.

The wheel is built once (``pip wheel --no-deps``, some seconds: pip fetches hatchling into an
isolated build environment, from its cache when it can). Where pip cannot reach an index, the
wheel's half is skipped, saying so; any other failure of the build fails the test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_LINE = re.compile(r"# yaml-language-server: \$schema=(?P<path>\S+)")
OFFLINE = (
    "No matching distribution found",
    "Could not find a version that satisfies",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
)


def schema_paths(folder: Path) -> dict[Path, str]:
    """Every YAML file under ``folder`` that names its schema, and the path it names."""
    found = {}
    for path in sorted(folder.rglob("*.y*ml")):
        with path.open("rb") as file:  # some bad inputs of the tests are not UTF-8
            first = file.readline().decode("utf-8", "replace").rstrip("\n")
        match = SCHEMA_LINE.fullmatch(first)
        if match:
            found[path] = match["path"]
    return found


def assert_all_resolve(found: dict[Path, str]) -> None:
    broken = [
        f"{path}: {target}"
        for path, target in found.items()
        if not (path.parent / target).is_file()
    ]
    assert broken == []
    for path, target in found.items():
        assert json.loads((path.parent / target).read_text(encoding="utf-8"))["$id"].endswith(
            "/" + Path(target).name
        ), path


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 and any(sign in done.stderr for sign in OFFLINE):
        pytest.skip(f"pip cannot fetch the build backend here: {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("lovregler-*.whl")
    unpacked = out / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    return unpacked


def test_every_schema_path_resolves_in_the_checkout() -> None:
    found = schema_paths(ROOT / "rules") | schema_paths(ROOT / "tests")
    kinds = {Path(target).name for target in found.values()}
    assert {"rulefile.schema.json", "regime.schema.json", "catalogue.schema.json"} <= kinds
    assert_all_resolve(found)


def test_every_schema_path_resolves_inside_the_wheel(unpacked_wheel: Path) -> None:
    rules = unpacked_wheel / "lovregler" / "rules"
    found = schema_paths(rules)
    in_checkout = schema_paths(ROOT / "rules")
    # the same files name a schema in the wheel as in the checkout, and by the same path
    assert {p.relative_to(rules): t for p, t in found.items()} == {
        p.relative_to(ROOT / "rules"): t for p, t in in_checkout.items()
    }
    assert_all_resolve(found)
