"""Patience laws (survival, integrated survival, sampling) and the Kaplan-Meier fit, against
a textbook example and against the laws it is fitted to."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import erlang

LAWS = [
    erlang.Exponential(60.0),
    erlang.Weibull.from_mean(60.0, 0.6),
    erlang.Weibull(shape=2.5, scale=90.0),
    erlang.LogNormal.from_cv(60.0, 1.2),
    erlang.Deterministic(45.0),
    erlang.Empirical([5.0, 30.0, 90.0], [0.7, 0.4, 0.0]),
]


@pytest.mark.parametrize("law", LAWS, ids=lambda law: type(law).__name__)
def test_integrated_survival_and_mean(law):
    points = [5.0, 30.0, 45.0, 90.0]
    for t in (3.0, 40.0, 200.0):
        inner = [p for p in points if p < t]
        want, _ = integrate.quad(law.survival, 0.0, t, points=inner or None, limit=200)
        assert law.integrated_survival(t) == pytest.approx(want, rel=1e-9)
    want, _ = integrate.quad(law.survival, 0.0, np.inf, limit=400)
    assert law.mean == pytest.approx(want, rel=1e-7)


@pytest.mark.parametrize("law", LAWS, ids=lambda law: type(law).__name__)
def test_sample_follows_survival(law):
    draws = law.sample(np.random.default_rng(5), 40_000)
    for t in (10.0, 40.0, 100.0):
        share = np.mean(draws > t)
        sd = np.sqrt(law.survival(t) * (1.0 - law.survival(t)) / draws.size)
        assert abs(share - law.survival(t)) <= 5.0 * sd + 1e-12
    assert np.mean(draws) == pytest.approx(law.mean, rel=0.05)


def test_constructors():
    assert erlang.Weibull.from_mean(60.0, 0.6).mean == pytest.approx(60.0, rel=1e-12)
    lognormal = erlang.LogNormal.from_cv(60.0, 1.5)
    dist = stats.lognorm(s=lognormal.sigma, scale=np.exp(lognormal.mu))
    assert dist.mean() == pytest.approx(60.0) and dist.std() / dist.mean() == pytest.approx(1.5)
    assert lognormal.survival(75.0) == pytest.approx(dist.sf(75.0), rel=1e-12)
    assert erlang.Weibull(shape=1.0, scale=60.0).survival(30.0) == pytest.approx(np.exp(-0.5))
    assert erlang.Deterministic(30.0).as_empirical().mean == 30.0
    tailed = erlang.Empirical([10.0], [0.25])
    assert tailed.tail == 0.25 and tailed.mean == np.inf
    assert np.isinf(tailed.isf(0.1)) and tailed.isf(0.5) == 10.0


@settings(max_examples=50, deadline=None)
@given(shape=st.floats(0.2, 5.0), mean=st.floats(1.0, 1000.0), p=st.floats(1e-9, 1.0 - 1e-9))
def test_isf_inverts_survival(shape, mean, p):
    for law in (erlang.Weibull.from_mean(mean, shape), erlang.LogNormal.from_cv(mean, shape)):
        assert law.survival(law.isf(p)) == pytest.approx(p, rel=1e-6)


# Klein and Moeschberger, "Survival Analysis", 2nd ed., 2003, table 4.1A and example 4.2:
# the 6-MP arm of the leukaemia trial (Freireich et al.), weeks read as seconds.
EVENTS = [6, 6, 6, 7, 10, 13, 16, 22, 23]
CENSORED = [6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]


def _records(events, censored, start=0.0):
    arrival = start + np.zeros(len(events) + len(censored))
    answer = np.concatenate([np.full(len(events), np.nan), start + np.asarray(censored, float)])
    end = np.concatenate([start + np.asarray(events, float), answer[len(events) :] + 100.0])
    return pd.DataFrame({"arrival": arrival, "answer": answer, "end": end})


def test_kaplan_meier_textbook():
    fit = erlang.fit_patience(_records(EVENTS, CENSORED))
    np.testing.assert_array_equal(fit.curve["time"], [6, 7, 10, 13, 16, 22, 23])
    np.testing.assert_array_equal(fit.curve["at_risk"], [21, 17, 15, 12, 11, 7, 6])
    np.testing.assert_allclose(
        fit.curve["survival"], [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448], atol=5e-4
    )
    np.testing.assert_allclose(
        fit.curve["std_error"], [0.076, 0.087, 0.096, 0.107, 0.114, 0.128, 0.135], atol=5e-4
    )
    assert fit.mean == pytest.approx(23.287, abs=5e-4)
    assert fit.mean_std_error == pytest.approx(2.827, abs=5e-4)
    assert fit.restricted and fit.horizon == 35.0
    assert (fit.calls, fit.abandons, fit.censored) == (21, 9, 12)
    assert np.all((fit.curve["lower"] < fit.curve["survival"]) & (fit.curve["survival"] < 1))
    assert fit.law.survival(6.5) == pytest.approx(18 / 21)


def test_fit_reads_timestamps_and_skips_bad_rows():
    frame = _records(EVENTS, CENSORED)
    base = pd.Timestamp("2025-03-03 09:00")
    stamps = frame.apply(lambda c: base + pd.to_timedelta(c, unit="s"))
    bad = pd.DataFrame(
        {
            "arrival": [pd.NaT, base, base + pd.Timedelta(10, "s"), base, base],
            "answer": [base, base, base, base + pd.Timedelta(9, "s"), pd.NaT],
            "end": [base, pd.NaT, base + pd.Timedelta(20, "s"), base, base - pd.Timedelta(1, "s")],
        }
    )
    fit = erlang.fit_patience(pd.concat([stamps, bad], ignore_index=True))
    assert fit.mean == pytest.approx(23.287, abs=5e-4)
    assert fit.skipped == {
        "missing_arrival": 1,
        "missing_end": 1,
        "answer_before_arrival": 1,
        "end_before_answer": 1,
        "end_before_arrival": 1,
    }


def test_fit_recovers_a_law_from_queue_waits():
    """Censoring by service as a queue makes it: waits from the M/M/n+G law itself."""
    law = erlang.Weibull.from_mean(60.0, 0.7)
    rng = np.random.default_rng(11)
    size = 20_000
    patience = law.sample(rng, size)
    wait = rng.exponential(40.0, size)  # virtual waits, independent of patience
    served = wait < patience
    frame = pd.DataFrame(
        {
            "arrival": 0.0,
            "answer": np.where(served, wait, np.nan),
            "end": np.where(served, wait + 300.0, patience),
        }
    )
    fit = erlang.fit_patience(frame)
    inside = (fit.curve["lower"] <= law.survival(fit.curve["time"])) & (
        law.survival(fit.curve["time"]) <= fit.curve["upper"]
    )
    assert inside.mean() > 0.9  # a pointwise 95% band
    assert fit.curve["time"].size == fit.abandons  # continuous times: one abandon each
    grid = np.array([10.0, 30.0, 60.0, 120.0])
    np.testing.assert_allclose(fit.law.survival(grid), law.survival(grid), atol=0.02)


def test_fit_errors():
    with pytest.raises(ValueError, match="no abandoned call among the 12 used"):
        erlang.fit_patience(_records([], CENSORED))
    with pytest.raises(ValueError, match="no column 'answered'"):
        erlang.fit_patience(_records(EVENTS, CENSORED), answer="answered")
    with pytest.raises(ValueError, match="confidence must lie in"):
        erlang.fit_patience(_records(EVENTS, CENSORED), confidence=1.5)


@settings(max_examples=60, deadline=None)
@given(
    waits=st.lists(st.integers(0, 50), min_size=1, max_size=40),
    answered=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_kaplan_meier_properties(waits, answered):
    waits = np.asarray(waits, float)
    served = np.asarray(answered[: waits.size])
    frame = pd.DataFrame(
        {"arrival": 0.0, "answer": np.where(served, waits, np.nan), "end": waits + served}
    )
    if served.all():
        with pytest.raises(ValueError, match="no abandoned call"):
            erlang.fit_patience(frame)
        return
    fit = erlang.fit_patience(frame)
    curve = fit.curve
    assert np.all(np.diff(curve["survival"]) <= 0) and np.all(curve["at_risk"] >= 1)
    assert np.all((curve["lower"] <= curve["survival"]) & (curve["survival"] <= curve["upper"]))
    assert fit.calls == waits.size and fit.abandons + fit.censored == waits.size
    if not served.any():
        # Without censoring: one minus the empirical distribution function, and the sample mean.
        grid = np.arange(0.0, 52.0, 0.5)
        np.testing.assert_allclose(fit.law.survival(grid), [np.mean(waits > g) for g in grid])
        assert fit.mean == pytest.approx(waits.mean()) and not fit.restricted
    # Censoring never lowers the curve below that of treating every wait as an abandon.
    naive = erlang.fit_patience(frame.assign(answer=np.nan, end=waits))
    grid = np.arange(0.0, 52.0, 0.5)
    assert np.all(fit.law.survival(grid) >= naive.law.survival(grid) - 1e-12)
