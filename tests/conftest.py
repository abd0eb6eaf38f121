"""Shared test setup: every test runs from the repository root (paths in messages are relative)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


# --- hypothesis profiles -----------------------------------------------------------------------
# `ci` is the default (and what `make test` and CI run): derandomized, so every run tries the
# same cases; no deadline, so a slow machine cannot fail a test. `dev` is quick and random
# (`--hypothesis-profile=dev`). A long search: `pytest tests/properties
# --hypothesis-profile=thorough` (or HYPOTHESIS_PROFILE=thorough); the option wins over this.
settings.register_profile(
    "ci", derandomize=True, max_examples=300, deadline=None, print_blob=True, database=None
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=20_000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
