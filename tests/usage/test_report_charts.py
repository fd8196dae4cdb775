"""The usage report's chart follows the grouping: by day a column a day with dates labelled at
a readable interval, by user, feature or purpose a bar a row; the value axis is labelled with
a few round ticks."""

import datetime

import pytest

from usage.charts import MAX_BARS, labelled_days, report_chart, value_ticks
from usage.selectors import ReportRow, UsageReport

START = datetime.date(2026, 9, 4)


def report(group_by, *, days=1, rows=(), series=None, start=START):
    end = start + datetime.timedelta(days=days - 1)
    if series is None:
        series = [(start + datetime.timedelta(days=n), n * 10) for n in range(days)]
    return UsageReport(None, start, end, group_by, list(rows), series)


def row(label, events):
    return ReportRow(
        key=label.lower(), label=label, events=events, duration_ms=0, active_days=1, users=1
    )


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (0, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (890, [0, 500, 1000]),
        (1234, [0, 500, 1000, 1500]),
        (40_000, [0, 10_000, 20_000, 30_000, 40_000]),
    ],
)
def test_the_value_axis_has_a_few_round_ticks_past_the_peak(peak, ticks):
    assert value_ticks(peak) == ticks


def test_a_90_day_range_by_day_labels_the_1st_and_15th_of_each_month():
    chart = report_chart(report("day", days=90))  # 4 Sep to 2 Dec 2026
    assert not chart.horizontal
    assert len(chart.bars) == 90
    assert [tick.text for tick in chart.category_ticks] == [
        "15 Sep",
        "1 Oct",
        "15 Oct",
        "1 Nov",
        "15 Nov",
        "1 Dec",
    ]
    # Each label sits under its day's column, left to right.
    xs = [tick.x for tick in chart.category_ticks]
    assert xs == sorted(xs)
    first = chart.bars[11]  # 15 Sep
    assert first.x < xs[0] < first.x + first.width
    assert chart.value_axis_label == "Events"
    # Peak 890 (day 89): ticks 0, 500, 1,000 from the bottom of the plot to its top.
    assert [tick.text for tick in chart.value_ticks] == ["0", "500", "1,000"]
    assert chart.value_ticks[0].y == chart.plot_bottom
    assert chart.value_ticks[-1].y == chart.plot_top
    assert chart.title == "Events per day, 4 Sep 2026 to 2 Dec 2026"
    assert "busiest day was 2 Dec 2026 with 890" in chart.description


@pytest.mark.parametrize(
    ("days", "labels"),
    [
        (7, ["4 Sep", "5 Sep", "6 Sep", "7 Sep", "8 Sep", "9 Sep", "10 Sep"]),
        (30, ["7 Sep", "14 Sep", "21 Sep", "28 Sep"]),  # the Mondays
        (
            366,
            [
                "1 Oct",
                "1 Nov",
                "1 Dec",
                "1 Jan",
                "1 Feb",
                "1 Mar",
                "1 Apr",
                "1 May",
                "1 Jun",
                "1 Jul",
                "1 Aug",
                "1 Sep",
            ],
        ),
    ],
)
def test_day_labels_stay_readable_whatever_the_range(days, labels):
    chart = report_chart(report("day", days=days))
    assert [tick.text for tick in chart.category_ticks] == labels


def test_labelled_days_never_crowd_the_axis():
    for days in range(1, 367):
        series = [START + datetime.timedelta(days=n) for n in range(days)]
        assert 1 <= len(labelled_days(series)) <= 13, days


@pytest.mark.parametrize("group_by", ["user", "feature", "purpose"])
def test_by_user_feature_or_purpose_a_bar_a_row_most_active_first(group_by):
    rows = [row("Bob Baker", 4), row("Ann Able", 12), row("A very long name that will not fit", 1)]
    chart = report_chart(report(group_by, days=30, rows=rows))
    assert chart.horizontal
    assert [bar.label for bar in chart.bars] == [
        "Ann Able",
        "Bob Baker",
        "A very long name that will not fit",
    ]
    assert [tick.text for tick in chart.category_ticks] == [
        "Ann Able",
        "Bob Baker",
        "A very long name that will…",
    ]
    # The longest bar is the most active row: 12 on an axis to 15.
    assert [tick.text for tick in chart.value_ticks] == ["0", "5", "10", "15"]
    widest = max(chart.bars, key=lambda bar: bar.width)
    assert widest.label == "Ann Able"
    assert widest.x + widest.width < chart.plot_right
    assert chart.value_ticks[-1].x == chart.plot_right
    assert "all 3" in chart.description


def test_many_rows_chart_only_the_most_active_and_say_so():
    rows = [row(f"Person {n:02d}", n) for n in range(1, 31)]
    chart = report_chart(report("user", days=7, rows=rows))
    assert len(chart.bars) == MAX_BARS
    assert chart.bars[0].label == "Person 30"
    assert f"the {MAX_BARS} most active of 30" in chart.description
    assert chart.title.startswith("Most active people, ")


def test_an_empty_report_still_draws_axes():
    chart = report_chart(report("user", days=7, rows=[]))
    assert chart.bars == []
    assert [tick.text for tick in chart.value_ticks] == ["0", "1"]
    chart = report_chart(report("day", days=7, series=[]))
    assert chart.bars == []
