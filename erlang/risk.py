"""Forecast risk: service and staffing over the forecast's volume distribution, not its mean.

A forecast gives a mean ``m`` and a negative-binomial dispersion ``φ`` per interval (variance
``m + φ m²``). The negative binomial is a Poisson count whose rate is Gamma-distributed with mean
``m`` and variance ``φ m²``; the Poisson part is the randomness the queueing formulas already
hold, so the forecast's own uncertainty is the Gamma law of the rate, and that is what the
functions here integrate or take quantiles of.

Without a trunk cap every service metric is monotone in the volume at a fixed number of agents
(the service level and answer rate fall; ASA, abandonment and occupancy rise), so the fewest
agents that meet the targets with probability ``p`` are the fewest that meet them at the
``p``-quantile of the rate: ``n`` meets them exactly for rates up to the most ``n`` handle.
"""

from functools import partial

import numpy as np
from scipy import special

from . import metrics
from .inputs import Numeric, as_arrays, check_finite, check_probability, wrap
from .minimum import ceil_scheduled, common_arrays
from .risk_quadrature import (
    NEGLIGIBLE,
    SCREENS,
    RateNodes,
    expected_shares,
    screened_margin,
)
from .search import lattice_minimum, log_odds
from .staffing import required_agents
from .targets import Targets

__all__ = ["expected_service_level", "required_agents_at_risk", "volume_quantile"]

_MODES = ("quantile", "expected")
# Quadrature nodes per piece of the first, coarse staffing search in expectation.
_COARSE_NODES = 8
# The coarse search only places the fine one, so it leaves out far more nodes.
_COARSE_NEGLIGIBLE = 1e-9


def _check_dispersion(dispersion):
    check_finite("dispersion", dispersion, low=0.0)


def volume_quantile(mean: Numeric, dispersion: Numeric, probability: float) -> Numeric:
    """Quantile of the interval's volume rate under the forecast's Gamma law.

    Parameters
    ----------
    mean : numeric
        Forecast mean volume per interval. [contacts]
    dispersion : numeric
        Negative-binomial dispersion ``φ >= 0``: the volume's variance is ``m + φ m²``. [-]
    probability : float
        Quantile level, in (0, 1).

    Returns
    -------
    numeric
        The rate (in contacts per interval) below which the interval's expected volume lies with
        ``probability``: the Gamma quantile with shape ``1/φ`` and scale ``φ m``; ``mean`` where
        ``φ = 0``. Same shape and index as the input. [contacts]

    Notes
    -----
    The quantile of the rate, not of the count: the Poisson noise of the count around the rate
    is already inside the queueing formulas the rate is fed to.
    """
    check_probability("probability", probability)
    (mean, dispersion), form = as_arrays(mean=mean, dispersion=dispersion)
    check_finite("mean", mean, low=0.0)
    _check_dispersion(dispersion)
    out = mean.copy()
    spread = (dispersion > 0.0) & (mean > 0.0)
    if spread.any():
        shape, scale = 1.0 / dispersion[spread], dispersion[spread] * mean[spread]
        out[spread] = scale * special.gammaincinv(shape, probability)
    return wrap(out, form)


def expected_service_level(
    mean: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    dispersion: Numeric,
    interval: Numeric = 1800.0,
    threshold: Numeric = 20.0,
    patience: Numeric | None = None,
    short_abandon: Numeric | None = None,
    definition: str = "answered",
    trunks: Numeric | None = None,
    over: str = "offered",
    nodes: int = 24,
) -> Numeric:
    """Expected service level over the forecast's volume distribution, weighted by calls.

    Parameters
    ----------
    mean : numeric
        Forecast mean volume per interval. [contacts]
    aht, agents, interval, threshold, patience, short_abandon, definition, trunks, over
        As in :func:`erlang.service_level`. [s where times]
    dispersion : numeric
        Negative-binomial dispersion ``φ >= 0`` of the forecast (variance ``m + φ m²``). [-]
    nodes : int, default 24
        Gauss-Legendre nodes per piece of the quadrature; the service level is evaluated at
        ``2 nodes`` rates per interval.

    Returns
    -------
    numeric
        ``E[calls answered within threshold] / E[calls]`` over the Gamma law of the rate (mean
        ``m``, variance ``φ m²``), in [0, 1]; exactly :func:`erlang.service_level` at the mean
        where ``φ = 0``. Same shape and index as the input.

    Notes
    -----
    Weighted by calls, the planner's figure over many days like this one: a busy day has more
    callers and weighs more. With ``s(x)`` the service level at rate ``x`` and ``f_k`` the Gamma
    density of shape ``k = 1/φ`` and scale ``θ = φ m``,

        E[x s(x)] / E[x] = ∫ s(x) f_(k+1)(x) dx,

    the service level averaged over the Gamma of shape ``k + 1`` (net of short abandons, or over
    admitted calls, it is the ratio of the two expected counts). The integral is taken over a
    nearly standard normal score of that law (the Wilson-Hilferty cube-root map, an exact
    change of variables), where the integrand is smooth, by Gauss-Legendre quadrature in two
    pieces split at the rate where the load reaches the agents: the service level falls
    steeply there (at large loads within a few percent of the rate), and under uncapped
    Erlang C it is 0 beyond it, with a kink, so the upper piece is left out.
    Scores beyond 8.5 (a mass below 1e-17) are left out, and so are the nodes weighing less
    than 1e-16 of the interval's total (they move the level by less than the rounding of the
    sum). Against adaptive quadrature
    (``scipy.integrate.quad``) of the same integral, the error at the default 24 nodes is below
    3e-8 for dispersions up to 0.05 (a rate with a coefficient of variation up to 22%) and below
    3e-4 up to dispersion 1; at 32 nodes, 5e-11 and 3e-6.

    References
    ----------
    G. Koole, "Call Center Optimization", MG books, 2013, ch. 7 (forecast uncertainty).
    S. Aldor-Noiman, P. D. Feigin, A. Mandelbaum, "Workload forecasting for a call center:
    methodology and a case study", Annals of Applied Statistics 3(4), 2009 (the Poisson-Gamma
    arrival model).
    """
    if not isinstance(nodes, int | np.integer) or nodes < 2:
        raise ValueError(f"nodes must be an integer >= 2, got {nodes!r}")
    arguments = {
        "mean": mean,
        "aht": aht,
        "agents": agents,
        "dispersion": dispersion,
        "interval": interval,
        "threshold": threshold,
        "patience": np.inf if patience is None else patience,
    }
    if short_abandon is not None:
        arguments["short_abandon"] = short_abandon
    if trunks is not None:
        arguments["trunks"] = trunks
    arrays, form = as_arrays(**arguments)
    values = dict(zip(arguments, (a.ravel() for a in arrays), strict=True))
    check_finite("mean", values["mean"], low=0.0)
    _check_dispersion(values["dispersion"])
    check_finite("threshold", values["threshold"], low=0.0)
    out = np.asarray(
        metrics.service_level(
            values["mean"], values["aht"], values["agents"], interval=values["interval"],
            threshold=values["threshold"],
            patience=None if patience is None else values["patience"],
            short_abandon=values.get("short_abandon"), definition=definition,
            trunks=values.get("trunks"), over=over,
        ),
        dtype=float,
    ).ravel()  # fmt: skip
    spread = (values["dispersion"] > 0.0) & (values["mean"] > 0.0)
    if spread.any():
        pick = {k: (None if v is None else v[spread]) for k, v in values.items()}
        (out[spread],) = expected_shares(
            pick["mean"], pick["aht"], pick["agents"], pick["interval"], pick["dispersion"],
            pick["patience"], pick.get("trunks"), [(pick["threshold"], pick.get("short_abandon"))],
            definition, over, nodes,
        )  # fmt: skip
    return wrap(out, form)


def required_agents_at_risk(
    mean: Numeric,
    aht: Numeric,
    *,
    dispersion: Numeric,
    probability: float = 0.9,
    mode: str = "quantile",
    interval: Numeric = 1800.0,
    service_level: Numeric | None = 0.8,
    threshold: Numeric = 20.0,
    asa: Numeric | None = None,
    max_abandon: Numeric | None = None,
    answer_rate: Numeric | None = None,
    cutoff: Numeric = 60.0,
    max_occupancy: Numeric | None = None,
    patience: Numeric | None = None,
    short_abandon: Numeric | None = None,
    shrinkage: float = 0.0,
    min_agents: Numeric = 0,
    trunks: Numeric | None = None,
    max_blocking: Numeric | None = None,
    targets: Targets | None = None,
    nodes: int = 24,
) -> Numeric:
    """Fewest agents per interval meeting the targets over the forecast's volume distribution.

    A separate function rather than an option of :func:`erlang.required_agents`: it takes a
    forecast (mean and dispersion) where that one takes a volume.

    Parameters
    ----------
    mean : numeric
        Forecast mean volume per interval. [contacts]
    aht : numeric
        Average handle time. [s]
    dispersion : numeric
        Negative-binomial dispersion ``φ >= 0`` per interval (variance ``m + φ m²``), e.g.
        ``forecast.ForecastDetails.dispersion``. [-]
    probability : float, default 0.9
        With ``mode='quantile'``: the probability, over the volume distribution, that every
        target holds; in (0, 1).
    mode : {'quantile', 'expected'}, default 'quantile'
        ``'quantile'``: every target holds with ``probability``; the staffing at the
        ``probability``-quantile of the rate (:func:`volume_quantile`). ``'expected'``: the
        targets hold in expectation, the call-weighted expected service level
        (:func:`expected_service_level`) and answer rate at least their targets; only
        ``service_level`` and ``answer_rate`` targets, without ``trunks``.
    interval, service_level, threshold, asa, max_abandon, answer_rate, cutoff, max_occupancy, \
patience, short_abandon, shrinkage, min_agents, trunks, max_blocking, targets
        As in :func:`erlang.required_agents`.
    nodes : int, default 24
        Quadrature nodes per piece (``mode='expected'``), see :func:`expected_service_level`.

    Returns
    -------
    numeric
        Scheduled agents per interval (integers), same shape and index as ``mean``. Where
        ``φ = 0`` exactly :func:`erlang.required_agents` at the mean.

    Raises
    ------
    ValueError
        A negative dispersion, a probability outside (0, 1), an unknown mode, or targets that
        ``mode='expected'`` does not take.

    Notes
    -----
    Quantile mode is exact: with every metric monotone in the volume, ``n`` agents meet the
    targets for rates up to ``max_volume(n)``, so ``P(targets met) = F(max_volume(n))``, which
    reaches ``probability`` first at the ``n`` required at the quantile. The monotonicity in the
    volume is tested for Erlang C and A; under a trunk cap the service level net of short
    abandons need not be monotone, and the quantile staffing is then the staffing at the
    quantile, not necessarily the fewest agents meeting the targets with ``probability``.
    Expected mode is the exact integer minimum of the quadrature's expected service level
    (monotone in the agents). Its search evaluates the queue at the heavier nodes first and
    at the lighter ones only where the bounds left by the heavier (the unknown shares at 0 and
    at 1) do not settle whether a count meets the targets: the same answers as evaluating
    every node, at about 40% of the cost.

    What the risk costs, for a half hour of 600 calls, AHT 300 s, 80% within 20 s, Erlang C:
    staffing the mean takes 108 agents (expected service level 59.6% with dispersion 0.01: a
    busy day's callers outweigh a quiet day's, and in an overloaded half hour Erlang C answers
    nobody in time). With dispersion 0.01 (a coefficient of variation of 10% on the rate)
    meeting the target with probability 0.9 takes 122 (+13%), in expectation 115 (+6%); with
    dispersion 0.04 (20%), 135 and 127.

    References
    ----------
    G. Koole, "Call Center Optimization", MG books, 2013, ch. 7. A. Mandelbaum, S. Zeltyn, the
    monotonicity of the M/M/n+M metrics, "The M/M/n+G queue: summary of performance
    measures", 2009.
    """
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    check_probability("probability", probability)
    keywords = {
        "interval": interval,
        "service_level": service_level,
        "threshold": threshold,
        "asa": asa,
        "max_abandon": max_abandon,
        "answer_rate": answer_rate,
        "cutoff": cutoff,
        "max_occupancy": max_occupancy,
        "patience": patience,
        "short_abandon": short_abandon,
        "shrinkage": shrinkage,
        "min_agents": min_agents,
        "trunks": trunks,
        "max_blocking": max_blocking,
        "targets": targets,
    }
    if mode == "quantile":
        return required_agents(volume_quantile(mean, dispersion, probability), aht, **keywords)
    return _expected_minimum(mean, aht, dispersion, nodes, keywords)


def _expected_minimum(mean, aht, dispersion, nodes, keywords):
    """The fewest agents meeting the service-level targets in expectation."""
    if keywords["trunks"] is not None:
        raise ValueError("mode='expected' does not take trunks; use mode='quantile'")
    goals = Targets.resolve(
        keywords["targets"],
        **{k: keywords[k] for k in (
            "service_level", "threshold", "asa", "max_abandon", "answer_rate", "cutoff",
            "max_occupancy", "max_blocking", "short_abandon",
        )},
    )  # fmt: skip
    other = sorted(k for k in ("asa", "max_abandon", "max_occupancy", "max_blocking")
                   if goals[k] is not None)  # fmt: skip
    if other:
        raise ValueError(
            f"mode='expected' takes service_level and answer_rate targets only, got {other}; "
            "use mode='quantile'"
        )
    shrinkage, patience = keywords["shrinkage"], keywords["patience"]
    volume, aht_a, length, patience_a, floor, form, tg = common_arrays(
        mean, aht, keywords["interval"], patience, shrinkage, keywords["min_agents"], "mean",
        goals,
    )  # fmt: skip
    shape = volume.shape
    # Broadcasting with the mean checks that Series share one index.
    (_, spread_by), _ = as_arrays(mean=mean, dispersion=dispersion)
    _check_dispersion(spread_by)
    try:
        spread_by = np.broadcast_to(spread_by, shape).ravel()
    except ValueError as err:
        raise ValueError(f"dispersion of shape {spread_by.shape} does not broadcast") from err
    volume, aht_a, length, patience_a = (x.ravel() for x in (volume, aht_a, length, patience_a))
    # The staffing at the mean: the answer where the forecast has no spread, the start elsewhere.
    at_mean = required_agents(
        volume, aht_a, interval=length, patience=None if patience is None else patience_a,
        targets=tg,
    )  # fmt: skip
    productive = np.asarray(at_mean, dtype=float).ravel()
    spread = np.flatnonzero((spread_by > 0.0) & (volume > 0.0))
    if spread.size:
        part = tg.take(spread)

        def margin(agents, idx, nodes=nodes, negligible=NEGLIGIBLE, screens=SCREENS):
            rows = spread[idx]
            goal = part.take(idx)
            # As the staffing does (Targets.margin): both shares net of short abandons.
            goals = [(goal.service_level, goal.threshold, goal.short_abandon),
                     (goal.answer_rate, goal.cutoff, goal.short_abandon)]  # fmt: skip
            goals = [g for g in goals if g[0] is not None]
            grid = RateNodes(
                volume[rows], aht_a[rows], agents, length[rows], spread_by[rows],
                patience_a[rows], None, nodes, negligible,
            )  # fmt: skip
            levels = [(np.broadcast_to(t, agents.shape),
                       None if s is None else np.broadcast_to(s, agents.shape))
                      for _, t, s in goals]  # fmt: skip
            targets = [log_odds(target) for target, _, _ in goals]
            return screened_margin(grid, levels, targets, screens)

        # A search on a coarse quadrature first: it costs a third of a fine probe and lands
        # the fine search on, or next to, its answer, where one pair of probes settles it.
        ones = np.ones(spread.size)
        coarse = partial(margin, nodes=_COARSE_NODES, negligible=_COARSE_NEGLIGIBLE)
        coarse = lattice_minimum(coarse, productive[spread], ones)
        productive[spread] = lattice_minimum(margin, coarse, ones)
    scheduled = np.maximum(ceil_scheduled(productive, shrinkage).reshape(shape), floor)
    return wrap(np.ceil(scheduled).astype(np.int64), form)
