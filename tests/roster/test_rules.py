import pytest

from roster.rules import Rules


def test_defaults_follow_the_manual():
    r = Rules()
    assert r.monthly_paid == 176 * 3600
    assert (r.min_shift_paid, r.max_shift_paid) == (7 * 3600, 8 * 3600)
    assert r.min_rest_days == 7
    assert (r.soft_max_consecutive_days, r.max_consecutive_days) == (5, 7)
    assert r.min_rest_between_shifts == 11 * 3600
    assert r.rest_after_big_night
    assert r.whole_rest_days  # the morning off a night past midnight is no rest day
    assert r.holiday_multiplier == 3


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("min_rest_days", -1, "min_rest_days=-1"),
        ("monthly_paid", float("nan"), "monthly_paid=nan"),
        ("max_nights", 2.5, "max_nights=2.5"),
        ("rest_after_big_night", 1, "rest_after_big_night=1"),
        ("whole_rest_days", "yes", "whole_rest_days='yes'"),
        ("soft_max_consecutive_days", 9, "soft_max_consecutive_days=9"),
        ("min_shift_paid", 9 * 3600, "min_shift_paid=32400"),
        ("max_shifts", {"N": -1}, "max_shifts\\['N'\\]=-1"),
    ],
)
def test_bad_values_name_field_and_value(field, value, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Rules(**{field: value})


def test_rest_days_lose_the_day_after_a_night_past_midnight():
    # days 0..6: a night past midnight on day 1 (next day off: lost), on day 3 followed by a
    # shift (nothing lost) and on the last day (reaches past the horizon: nothing lost)
    work = [False, True, False, True, True, False, True]
    crosses = [False, True, False, True, False, False, True]
    assert Rules().rest_days(work, crosses) == 2
    assert Rules(whole_rest_days=False).rest_days(work, crosses) == 3
    assert Rules().rest_days([work, [False] * 7], [crosses, crosses]).tolist() == [2, 7]
    assert Rules().rest_days_needed(14, month_days=31) == 4


def test_monthly_target_prorates():
    lo, hi = Rules(max_shift_paid=9 * 3600).monthly_target(7, month_days=28)
    assert lo == pytest.approx(168 * 3600 / 4)
    assert hi == pytest.approx(184 * 3600 / 4)
    # with 8-h shifts, 2 prorated rest days leave 5 shifts: 40 h, not the prorated 42 h
    assert Rules().monthly_target(7, month_days=28)[0] == pytest.approx(40 * 3600)
    # three days of a 31-day month: one prorated rest day leaves two 8-h shifts, 16 h, below
    # the prorated 168 h x 3 / 31 = 16.26 h; the bound is what two shifts can reach
    lo, hi = Rules().monthly_target(3, month_days=31)
    assert lo == pytest.approx(16 * 3600)
    assert hi == pytest.approx(184 * 3600 * 3 / 31)
    assert Rules().infeasibilities(3, month_days=31) == []


def test_max_working_days_counts_rest_and_runs():
    r = Rules()
    assert r.max_working_days(31) == 24  # 7 rest days
    assert (
        Rules(
            min_rest_days=0, max_consecutive_days=5, soft_max_consecutive_days=5
        ).max_working_days(12)
        == 10
    )


def test_default_rules_fit_every_month_length():
    for days in (28, 29, 30, 31):
        assert Rules().infeasibilities(days) == []


def test_infeasible_combination_is_explained():
    r = Rules(min_rest_days=12, monthly_paid_tolerance=0)
    reasons = r.infeasibilities(30)
    assert reasons and "min_rest_days=12" in reasons[0]
    assert "176" in reasons[0]
