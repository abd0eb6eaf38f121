"""Problems in lovregler's own words (lovregler._problems)."""

from __future__ import annotations

from lovregler._problems import did_you_mean


def test_did_you_mean_names_the_closest_choice() -> None:
    assert did_you_mean("legal_bassis", ["id", "legal_basis", "legal_text"]) == (
        "did you mean 'legal_basis'?"
    )
    assert did_you_mean("shoe_size", ["case_id", "consent"]) is None


def test_did_you_mean_can_offer_several_and_show_them_its_own_way() -> None:
    names = {"ikast brande": "Ikast-Brande", "ikast": "Ikast-Brande (old name)"}
    hint = did_you_mean("ikast brand", names, n=2, show=lambda k: repr(names[k]))
    assert hint == "did you mean 'Ikast-Brande' or 'Ikast-Brande (old name)'?"


def test_a_higher_cutoff_asks_for_a_closer_match() -> None:
    assert did_you_mean("sel50.x", ["sel50.y"], cutoff=0.9) is None
    assert did_you_mean("sel50.x", ["sel50.y"]) == "did you mean 'sel50.y'?"
