"""Text and Markdown tables (lovregler.render.tables)."""

from __future__ import annotations

from lovregler.render.tables import column_widths, markdown_table, markdown_text, text_table


def test_columns_are_as_wide_as_their_widest_cell() -> None:
    rows = [("", "obligation", "standard"), ("*", "sel48.boernesamtale", "required")]
    assert column_widths(rows) == [1, 19, 8]
    assert text_table(rows) == [
        "   obligation           standard",
        "*  sel48.boernesamtale  required",
    ]


def test_gaps_right_alignment_and_given_widths() -> None:
    rows = [["", "cases", "helped"], ["all", "1,000", "7"]]
    assert text_table(rows, right={1, 2}) == ["     cases  helped", "all  1,000       7"]
    assert text_table(rows, [5, 1], gaps=(" ", " | ")) == [
        "      cases | helped",
        "all   1,000 | 7",
    ]


def test_the_last_column_is_not_padded_and_strip_removes_trailing_blanks() -> None:
    rows = [("a", ""), ("bbb", "x")]
    assert text_table(rows) == ["a    ", "bbb  x"]
    assert text_table(rows, strip=True) == ["a", "bbb  x"]


def test_markdown_tables_write_cells_as_given() -> None:
    rows = [("`sel48.boernesamtale`", markdown_text("SEL § 48 | stk. 1"))]
    assert markdown_table(("Pligt", "Hjemmel"), rows) == [
        "| Pligt | Hjemmel |",
        "|---|---|",
        "| `sel48.boernesamtale` | SEL § 48 \\| stk. 1 |",
    ]
