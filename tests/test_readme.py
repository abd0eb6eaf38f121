"""The README's Python example runs as written."""

import re
from pathlib import Path


def test_readme_python_example_runs(capsys: object) -> None:
    text = Path("README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    assert len(block.group(1).strip().splitlines()) <= 14
    exec(compile(block.group(1), "README.md", "exec"), {})
