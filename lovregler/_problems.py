"""Problems in lovregler's own words: the "did you mean" hint."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable


def did_you_mean(
    word: str,
    choices: Iterable[str],
    *,
    n: int = 1,
    cutoff: float = 0.6,
    show: Callable[[str], str] = repr,
) -> str | None:
    """``did you mean 'x'?`` (``'x' or 'y'`` when ``n`` > 1) for the choices closest to
    ``word``, or ``None`` when none is close enough; ``show`` writes a choice in the hint."""
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=cutoff)
    if not close:
        return None
    return "did you mean " + " or ".join(show(c) for c in close) + "?"
