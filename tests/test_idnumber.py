"""GB 11643: check character, dates, format."""

from datetime import date

import pytest

from service.contract import ids as idnumber


def test_known_good_number():
    # the standard's own example: 11010519491231002X
    assert idnumber.is_valid("11010519491231002X")
    assert idnumber.birth_date("11010519491231002X") == date(1949, 12, 31)


def test_make_id_round_trips():
    n = idnumber.make_id("441702", date(1990, 3, 15), 27)
    assert len(n) == 18 and idnumber.is_valid(n)


@pytest.mark.parametrize("bad, why", [
    ("11010519491231002Y", "format"), ("110105194912310021", "check"), ("1101051949123100", "format"),
    ("110105194913310028", "date"), ("110105290012310025", "range"), (None, "missing"),
])
def test_bad_numbers_say_why(bad, why):
    problems = idnumber.problems(bad, today=date(2026, 11, 22))
    assert problems and any(why in p for p in problems)
