"""The README's Python example runs as written."""

import re
from pathlib import Path


def test_readme_python_example_runs(capsys: object) -> None:
    text = Path("README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    assert len(block.group(1).strip().splitlines()) <= 14
    exec(compile(block.group(1), "README.md", "exec"), {})


def test_readme_open_points_are_the_rule_files_to_confirm_marks() -> None:
    """The README's open points are generated: `lovregler open-points --format markdown`."""
    import io
    from contextlib import redirect_stdout

    from lovregler.cli import main

    text = Path("README.md").read_text(encoding="utf-8")
    start, end = "<!-- open-points:start -->\n", "<!-- open-points:end -->"
    shown = text[text.index(start) + len(start) : text.index(end)]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["open-points", "--format", "markdown"]) == 0
    assert shown == out.getvalue(), "run: lovregler open-points --format markdown (into README.md)"
