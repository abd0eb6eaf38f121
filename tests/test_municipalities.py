import pytest

from lovregler import all_municipalities, resolve_municipality
from lovregler.law.municipalities import UnknownMunicipality


def test_all_98_municipalities_with_unique_three_digit_codes() -> None:
    everyone = all_municipalities()
    assert len(everyone) == 98
    codes = [m.code for m in everyone]
    assert len(set(codes)) == 98
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    assert len({m.name for m in everyone}) == 98


@pytest.mark.parametrize(
    "spelling",
    ["756", 756, "0756", "Ikast-Brande", "ikast-brande", "IKAST-BRANDE", "Ikast Brande",
     "Ikast-Brande Kommune", "  Ikast-Brande  "],
)  # fmt: skip
def test_name_and_code_resolve_to_the_same_municipality(spelling: str | int) -> None:
    found = resolve_municipality(spelling)
    assert (found.code, found.name) == ("756", "Ikast-Brande")


@pytest.mark.parametrize(
    ("spelling", "code"),
    [("Gladsaxe", "159"), ("159", "159"), ("Guldborgsund", "376"), ("376", "376"),
     ("København", "101"), ("Københavns Kommune", "101"), ("Århus", "751"), ("Aarhus", "751"),
     ("Bornholms Regionskommune", "400"), ("Hjørring", "860")],
)  # fmt: skip
def test_known_spellings(spelling: str, code: str) -> None:
    assert resolve_municipality(spelling).code == code


@pytest.mark.parametrize(
    ("spelling", "message"),
    [
        ("Ikst-Brande", "'Ikst-Brande' is not a Danish municipality; did you mean 'Ikast-Brande'?"),
        ("411", "'411' is not a Danish kommunekode (three digits)"),  # Christiansø is not one
        ("999", "'999' is not a Danish kommunekode (three digits)"),
        ("Atlantis", "'Atlantis' is not a Danish municipality"),
    ],
)
def test_unknown_municipality_message(spelling: str, message: str) -> None:
    with pytest.raises(UnknownMunicipality) as raised:
        resolve_municipality(spelling)
    assert str(raised.value) == message


def test_str_shows_name_and_code() -> None:
    assert str(resolve_municipality("376")) == "Guldborgsund (376)"
