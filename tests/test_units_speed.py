"""units' date-label scan shortcuts find what the plain pattern finds."""
from __future__ import annotations

import random
import re

from extractor.dates import FOREIGN_MONTH_ALT
from extractor.units import _DIGIT_DATE_FORMS, _digit_date_re_for


def _plain_digit_date_re() -> re.Pattern:
    """The digit-led date pattern as it was written before: every form, no look-ahead."""
    forms = []
    for form, _ in _DIGIT_DATE_FORMS:
        if form.startswith("(?="):     # the foreign month form's guard, up to its closing parenthesis
            depth = 0
            for k, c in enumerate(form):
                depth += (c == "(" and form[k - 1] != "\\") - (c == ")" and form[k - 1] != "\\")
                if depth == 0:
                    form = form[k + 1:]
                    break
        forms.append(form)
    return re.compile(r"\d(?<![\d.£$€¥]\d)(?:" + "|".join(forms) + ")", re.I | re.M)


def test_foreign_month_names_are_words():
    # the look-ahead of the foreign month form reads the name as \w+
    assert all(re.fullmatch(r"\w+", name) for name in FOREIGN_MONTH_ALT.split("|"))


def test_digit_date_scan_finds_what_the_plain_pattern_finds():
    plain = _plain_digit_date_re()
    assert "janvier" in plain.pattern and "(?=" not in plain.pattern.split("(?:", 1)[1].split("|")[-1][:3]
    pieces = ["12", "3 ", "2024-05-03", "2024 年 5 月 3 日", "5月3日", "3 天前", "5 minutes ago", "AGO", "Ago",
              "a few", "\n", " ", "12 replies", "3 janvier 2024", "3 de março de 2023", "4. Dezember 2022",
              "12 juin", "2020", "1st May", "3rd", "jan", "12:30", "$5", "1.5", "\u017fep", "\u0130", "月", "前",
              "de", "mayo", ",", ".", "19", "99", "•", "user1", "٣"]
    rng = random.Random(9)
    for _ in range(4000):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 5))]
        joined = "\n".join(texts)
        got = [m.start() for m in _digit_date_re_for(joined).finditer(joined)]
        assert got == [m.start() for m in plain.finditer(joined)], joined
