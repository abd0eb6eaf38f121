"""Tables for people: plain text with padded columns, and Markdown (GitHub-flavoured)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence


def column_widths(rows: Iterable[Sequence[str]]) -> list[int]:
    """The widest cell of each column."""
    widths: list[int] = []
    for row in rows:
        for i, cell in enumerate(row):
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], len(cell))
    return widths


def text_table(
    rows: Iterable[Sequence[str]],
    widths: Sequence[int] | None = None,
    *,
    gaps: str | Sequence[str] = "  ",
    right: Collection[int] = (),
    strip: bool = False,
) -> list[str]:
    """The rows as lines of padded columns.

    ``widths`` defaults to :func:`column_widths`; a cell wider than its column is not cut.
    ``gaps`` is the text between two columns (one for all, or one per pair). ``right``: the
    columns aligned right. A last column aligned left is not padded; ``strip`` removes any
    trailing blanks still left.
    """
    rows = [list(row) for row in rows]
    sizes = list(widths) if widths is not None else column_widths(rows)
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            last = i == len(row) - 1
            if i in right:
                cells.append(cell.rjust(sizes[i]))
            elif last or i >= len(sizes):
                cells.append(cell)
            else:
                cells.append(cell.ljust(sizes[i]))
            if not last:
                cells.append(gaps if isinstance(gaps, str) else gaps[i])
        line = "".join(cells)
        lines.append(line.rstrip() if strip else line)
    return lines


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A Markdown table; the cells are written as given (:func:`markdown_text` escapes text)."""
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def markdown_text(text: str) -> str:
    """``text`` safe inside a Markdown table cell (a ``|`` would end the cell)."""
    return text.replace("|", "\\|")
