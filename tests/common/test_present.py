import datetime

import pytest
from django.template import Context, Template

from common import present

UTC = datetime.UTC


def test_a_winter_time_is_shown_in_london_with_gmt_and_no_seconds():
    moment = datetime.datetime(2026, 12, 2, 13, 43, 9, 783769, tzinfo=UTC)
    assert present.when(moment) == "2 Dec 2026, 13:43 GMT"


def test_a_summer_time_is_shown_an_hour_later_with_bst():
    moment = datetime.datetime(2026, 7, 14, 13, 43, tzinfo=UTC)
    assert present.when(moment) == "14 Jul 2026, 14:43 BST"


def test_the_clocks_changing_is_shown_on_each_side():
    # 29 March 2026: 01:00 GMT becomes 02:00 BST.
    assert present.when(datetime.datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == (
        "29 Mar 2026, 00:59 GMT"
    )
    assert present.when(datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == (
        "29 Mar 2026, 02:00 BST"
    )


def test_a_naive_time_is_read_as_utc_not_guessed():
    naive = datetime.datetime(2026, 7, 1, 9, 0)  # noqa: DTZ001 (naive on purpose)
    assert present.when(naive) == "1 Jul 2026, 10:00 BST"


def test_a_date_has_no_leading_zero_and_a_late_summer_evening_is_the_next_uk_day():
    assert present.day(datetime.date(2026, 12, 2)) == "2 Dec 2026"
    assert present.day(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 Jul 2026"


def test_nothing_is_a_dash():
    for empty in (None, "", [], {}):
        assert present.value(empty) == "—"
    assert present.when(None) == present.day(None) == present.period(None) == "—"


def test_booleans_are_yes_and_no():
    assert present.yes_no(True) == present.value(True) == "Yes"
    assert present.yes_no(False) == present.value(False) == "No"


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (2190, "6 years"),
        (365, "1 year"),
        (730, "2 years"),
        (395, "13 months"),
        (30, "1 month"),
        (90, "90 days"),
        (180, "180 days"),
        (1, "1 day"),
        (400, "400 days"),
        (36500, "100 years"),
    ],
)
def test_a_period_is_in_years_or_months_only_where_exact(days, words):
    assert present.period(days) == words


def test_a_code_is_shown_by_its_label_or_else_as_words():
    labels = {"regulator": "Regulator (the ICO)", "page_view": "Page view"}
    assert present.choice("regulator", labels) == "Regulator (the ICO)"
    assert present.choice("law_enforcement", labels) == "Law enforcement"
    assert present.choice("rights_request.verified") == "Rights request verified"
    assert present.value("page_view", labels) == "Page view"


def test_a_boolean_may_have_labels_of_its_own():
    assert present.value(True, {True: "Suspended", False: "Active"}) == "Suspended"


def test_a_list_or_a_mapping_reads_as_a_line_of_words():
    assert present.value(["usage", "contact"]) == "usage, contact"
    assert present.value({"old_role": "member", "rows": 3}) == "Old role: member; Rows: 3"


def test_numbers_get_thousands_separators_and_text_stays_as_it_is():
    assert present.value(1234567) == "1,234,567"
    assert present.value("Ann's phone") == "Ann's phone"


def test_the_template_filters_say_the_same():
    template = Template(
        "{% load present %}{{ t|when }}|{{ d|day }}|{{ b|yes_no }}|{{ n|period }}|"
        "{{ c|choice:labels }}|{{ c|present:labels }}|{{ s|humanise }}|{{ none|present }}"
    )
    html = template.render(
        Context(
            {
                "t": datetime.datetime(2026, 7, 14, 13, 43, tzinfo=UTC),
                "d": datetime.date(2026, 12, 2),
                "b": False,
                "n": 2190,
                "c": "client",
                "labels": {"client": "Client (the employer)"},
                "s": "security_logs",
                "none": None,
            }
        )
    )
    assert html == (
        "14 Jul 2026, 14:43 BST|2 Dec 2026|No|6 years|Client (the employer)|"
        "Client (the employer)|Security logs|—"
    )
