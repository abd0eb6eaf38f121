"""The authoring and CI docs stay true: their commands run, and their links resolve.

``docs/regelforfatning.md`` is read top to bottom like a script, because its worked example
changes files as it goes (copy the rules, edit a deadline, add a scenario, roll back):

- every command line in a fenced ``sh`` or ``console`` block (``$ `` lines in ``console``) that
  starts with ``lovregler `` runs as ``sys.executable -m lovregler.cli.app ...`` and must end with the
  exit code written next to it (``# exit N``); commands that would write files (``>``, ``|``,
  ``--out``, ``--report``) are left out;
- ``cp``, ``rm`` and ``git restore`` lines are carried out, ``diff`` blocks (``--- a/PATH``) are
  applied, and a block right after ``<!-- fil: PATH -->`` is written to PATH; other shell lines
  (``source .venv/bin/activate``) are ignored.

All of it happens in a snapshot of the repository root in a temporary folder (the package, the
rule folders, the examples and the test data), so the doc's edits never touch the checkout; the
snapshot's own ``lovregler`` package is the one imported, so its bundled rules are the
snapshot's ``rules/``, exactly as in an editable checkout.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
AUTHORING = DOCS / "regelforfatning.md"
LINKED_DOCS = (AUTHORING, DOCS / "ci.md")
SNAPSHOT = (
    "lovregler",
    "rules",
    "examples",
    "tests/scenarios",
    "tests/scenarios_bad",
    "tests/rules",
)

FENCE = re.compile(r"^```(\S*)\s*$")
FILE_MARKER = re.compile(r"^<!--\s*fil:\s*(\S+)\s*-->\s*$")
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")
WRITES = re.compile(r"[>|]|--out\b|--report\b")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


@dataclass
class Block:
    lang: str
    lines: list[str]
    line: int  # 1-based line of the opening fence
    write_to: str | None = None


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, in order."""
    out: list[Block] = []
    current: Block | None = None
    marker: str | None = None
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fence = FENCE.match(text)
        if current is None:
            if fence:
                current = Block(fence.group(1), [], number, marker)
                marker = None
                continue
            found = FILE_MARKER.match(text)
            marker = found.group(1) if found else (marker if not text.strip() else None)
        elif fence and not fence.group(1):
            out.append(current)
            current = None
        else:
            current.lines.append(text)
    assert current is None, f"{path}: unclosed code block from line {current.line}"
    return out


def commands(block: Block) -> list[str]:
    if block.lang == "console":
        return [line[2:] for line in block.lines if line.startswith("$ ")]
    if block.lang == "sh":
        return [line for line in block.lines if line.strip() and not line.lstrip().startswith("#")]
    return []


def lovregler_commands(path: Path) -> list[tuple[Block, str]]:
    return [
        (block, command)
        for block in blocks(path)
        for command in commands(block)
        if command.startswith("lovregler ") or command == "lovregler"
    ]


def snapshot(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in SNAPSHOT:
        shutil.copytree(ROOT / part, target / part, ignore=ignore)
    return target


def inside(work: Path, name: str) -> Path:
    path = (work / name).resolve()
    assert path.is_relative_to(work.resolve()), f"{name} lies outside the working copy"
    return path


def shell(work: Path, command: str) -> None:
    """Carry out the file operations the doc asks the reader to do; ignore the rest."""
    words = shlex.split(command, comments=True)
    if not words:
        return
    if words[0] == "cp":
        recursive = "-r" in words
        source, dest = (w for w in words[1:] if not w.startswith("-"))
        if recursive:
            shutil.copytree(inside(work, source), inside(work, dest))
        else:
            shutil.copyfile(inside(work, source), inside(work, dest))
    elif words[0] == "rm":
        for name in (w for w in words[1:] if not w.startswith("-")):
            path = inside(work, name)
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    elif words[:2] == ["git", "restore"]:
        for name in words[2:]:
            shutil.copyfile(ROOT / name, inside(work, name))


def apply_diff(work: Path, block: Block) -> None:
    head = [line for line in block.lines if line.startswith(("--- ", "+++ "))]
    assert len(head) == 2, f"line {block.line}: a diff block needs '--- a/PATH' and '+++ b/PATH'"
    target = inside(work, head[1][len("+++ b/") :])
    old: list[str] = []
    new: list[str] = []
    for line in block.lines:
        if line.startswith(("--- ", "+++ ")):
            continue
        sign, text = line[:1], line[1:]
        if sign in (" ", "-"):
            old.append(text)
        if sign in (" ", "+"):
            new.append(text)
    content = target.read_text(encoding="utf-8")
    before, after = "\n".join(old) + "\n", "\n".join(new) + "\n"
    assert content.count(before) == 1, f"line {block.line}: the diff does not apply to {target}"
    target.write_text(content.replace(before, after), encoding="utf-8")


def run_lovregler(work: Path, command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LOVREGLER_DEBUG"}
    env["PYTHONPATH"] = str(work)
    return subprocess.run(
        [sys.executable, "-m", "lovregler.cli", *shlex.split(command, comments=True)[1:]],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_lovregler_command_states_its_exit_code() -> None:
    found = lovregler_commands(AUTHORING)
    assert len(found) >= 10
    missing = [f"line {b.line}: {c}" for b, c in found if not EXIT.search(c)]
    assert not missing, "commands without '# exit N':\n" + "\n".join(missing)


def test_authoring_doc_commands_run_with_the_stated_exit_codes(tmp_path: Path) -> None:
    work = snapshot(tmp_path / "repo")
    ran, failures = 0, []
    for block in blocks(AUTHORING):
        if block.write_to:
            target = inside(work, block.write_to)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(block.lines) + "\n", encoding="utf-8")
            continue
        if block.lang == "diff":
            apply_diff(work, block)
            continue
        for command in commands(block):
            if not (command.startswith("lovregler ") or command == "lovregler"):
                shell(work, command)
                continue
            if WRITES.search(command.split("#", 1)[0]):
                continue
            stated = EXIT.search(command)
            assert stated, f"line {block.line}: {command!r} does not state its exit code"
            result = run_lovregler(work, command)
            ran += 1
            if result.returncode != int(stated.group(1)):
                failures.append(
                    f"block at line {block.line}: {command}\n"
                    f"  exit {result.returncode}, the doc says {stated.group(1)}\n"
                    f"  stdout: {result.stdout[-800:]}\n  stderr: {result.stderr[-800:]}"
                )
            assert "Traceback" not in result.stderr, result.stderr
    assert ran >= 10
    assert not failures, "\n".join(failures)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.*)$", text, flags=re.M)}


@pytest.mark.parametrize("doc", LINKED_DOCS, ids=lambda p: p.name)
def test_links_to_repository_files_exist(doc: Path) -> None:
    assert doc.is_file(), f"{doc} is missing"
    text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.M | re.S)
    broken = []
    for match in LINK.finditer(text):
        href = match.group(1)
        if re.match(r"[a-z]+:", href):
            continue  # https:, mailto:
        name, _, anchor = href.partition("#")
        target = (doc.parent / name).resolve() if name else doc
        if not target.exists():
            broken.append(f"{href}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(f"{href}: no such heading in {target.name}")
    assert not broken, f"{doc.name}:\n" + "\n".join(broken)
