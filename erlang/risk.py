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
from .metrics import _answered_share
from .minimum import ceil_scheduled, common_arrays
from .queue import Queue
from .search import lattice_minimum, log_odds
from .staffing import required_agents
from .targets import Targets
from .trunks import TrunkQueue

__all__ = ["expected_service_level", "required_agents_at_risk", "volume_quantile"]

_MODES = ("quantile", "expected")
# The quadrature covers normal scores within this reach: the mass beyond is below 1e-17.
_Z_REACH = 8.5
# Quadrature nodes per piece of the first, coarse staffing search in expectation.
_COARSE_NODES = 8
# Nodes whose weight is below this share of an interval's total are left out: together they
# move the expected service level by less than the rounding of the sum itself.
_NEGLIGIBLE = 1e-16
# The coarse search only places the fine one, so it leaves out far more.
_COARSE_NEGLIGIBLE = 1e-9
# The staffing search evaluates the nodes weighing at least these shares of their interval
# first, and the lighter ones only where the heavier leave the sign of the margin open.
_SCREENS = (1e-2, 1e-3, 1e-5)


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


def _size_biased_nodes(mean, dispersion, edge, kinked, nodes):
    """Quadrature over the call-weighted rate law: rates ``(2 nodes, N)``, weights, tail mass.

    Weighting by calls turns the Gamma law (shape ``k = 1/φ``, scale ``θ = φ m``) into the Gamma
    with shape ``a = k + 1``, ``x f_k(x) / m = f_a(x)``. The integral runs over a normal-like
    score ``z``, through the Wilson-Hilferty map ``x(z) = θ a (1 - 1/(9a) + z / (3 √a))³``,
    which makes ``z`` nearly standard normal for every shape, so the integrand
    ``s(x(z)) f_a(x(z)) x'(z)`` is smooth and concentrated; the change of variables is exact,
    the map only has to be smooth and increasing, and costs no quantile function. Gauss-Legendre
    runs in two pieces split at the score of ``edge``, the rate at which the load reaches the
    agents: there the service level falls steeply, and Legendre nodes crowd towards the ends
    of each piece. Scores run from where ``x = 0`` (or -8.5) to 8.5. Under Erlang C without a
    cap the service level is 0 beyond the edge, with a kink: the upper piece then gets weight
    0 and its mass is returned as ``tail``.
    """
    a = 1.0 / dispersion + 1.0
    theta = dispersion * mean
    centre, slope = 1.0 - 1.0 / (9.0 * a), 1.0 / (3.0 * np.sqrt(a))
    floor = np.maximum(-_Z_REACH, -centre / slope)
    with np.errstate(divide="ignore"):
        split = (np.cbrt(edge / (theta * a)) - centre) / slope
    split = np.clip(split, floor, _Z_REACH)
    x, v = special.roots_legendre(nodes)
    x, v = x[:, None], v[:, None]
    # ln f_a(x) x'(z) = (a - 1) ln(x/θ) - x/θ + 2 ln(base) + ln(3 a slope) - ln Γ(a), with
    # x/θ = a base³: one logarithm per node, the rest per interval.
    log_norm = np.log(3.0 * a * slope) - special.gammaln(a) + (a - 1.0) * np.log(a)
    rates, weights = [], []
    for lo, hi in ((floor, split), (split, _Z_REACH)):
        half = 0.5 * (hi - lo)
        base = np.maximum(centre + slope * (lo + half * (x + 1.0)), 0.0)
        scaled = a * (base * base * base)  # x / θ
        with np.errstate(divide="ignore"):
            log_density = (3.0 * a - 1.0) * np.log(base) - scaled + log_norm
        rates.append(theta * scaled)
        weights.append(v * half * np.exp(log_density))
    weights[1] = np.where(kinked, 0.0, weights[1])
    rates, weights = np.concatenate(rates), np.concatenate(weights)
    tail = np.where(kinked, special.gammaincc(a, edge / theta), 0.0)
    return rates, weights, tail


class _Nodes:
    """The quadrature of the expected shares for one probe per interval (flat arrays,
    ``dispersion > 0``, ``mean > 0``): the nodes kept, their weights and intervals.

    Nodes with a weight below ``negligible`` times their interval's total weight are left out
    of both sums (far out in the tails, or beyond the kink): the queue is evaluated at the
    others only.
    """

    def __init__(self, mean, aht, agents, interval, dispersion, patience, trunks, nodes,
                 negligible):  # fmt: skip
        uncapped = np.ones(mean.shape, dtype=bool) if trunks is None else np.isinf(trunks)
        edge = agents * interval / aht
        # Only uncapped Erlang C has nothing beyond the edge; elsewhere it is where to split.
        kinked = np.isinf(patience) & uncapped
        rates, weights, self.tail = _size_biased_nodes(mean, dispersion, edge, kinked, nodes)
        self.kept = np.flatnonzero(weights >= negligible * np.sum(weights, axis=0))
        self.weights = weights.ravel()[self.kept]
        self.column = self.kept % mean.size  # the interval of each kept node
        self.size = mean.size
        self.rates = rates.ravel()[self.kept]
        self.arrays = (aht, agents, interval, patience, trunks)

    def sums(self, levels, definition, over, pick=None):
        """``(E[answered in time], E[counted])`` per interval for each level of ``levels``,
        over the kept nodes (or the part ``pick`` of them), without the tail."""
        at = self.kept if pick is None else self.kept[pick]
        weights = self.weights if pick is None else self.weights[pick]
        column = self.column if pick is None else self.column[pick]

        def grid(x):  # a value per interval (or one for all), at each node picked
            return None if x is None else np.broadcast_to(x, (self.size,))[column]

        aht, agents, interval, patience, trunks = self.arrays
        # The arguments were checked by the caller: the queue is built without checks again.
        rates = self.rates if pick is None else self.rates[pick]
        load = rates * grid(aht) / grid(interval)
        if trunks is None:
            queue = Queue(load, grid(agents), grid(aht), grid(patience), volume=rates)
        else:
            queue = TrunkQueue(
                load, grid(agents), grid(aht), grid(patience), volume=rates, trunks=grid(trunks)
            )
        out = []
        for threshold, short_abandon in levels:
            share = _answered_share(queue, grid(threshold), grid(short_abandon), definition, over)
            # Calls counted by the service level at each rate: offered less short abandons (and
            # less blocked calls under 'admitted'); the expectation is a ratio of expected counts.
            counted = np.ones(at.shape)
            if short_abandon is not None:
                counted = counted - queue.short_abandon(grid(short_abandon))
            if over == "admitted":
                counted = counted - queue.blocking
            counted = weights * np.clip(np.ravel(counted), 0.0, 1.0)
            within = np.bincount(column, counted * np.ravel(share), minlength=self.size)
            out.append((within, np.bincount(column, counted, minlength=self.size)))
        return out


def _expected_shares(
    mean, aht, agents, interval, dispersion, patience, trunks, levels, definition, over, nodes,
    negligible=_NEGLIGIBLE,
):  # fmt: skip
    """Call-weighted expected service levels on flat arrays (``dispersion > 0``, ``mean > 0``),
    one for each ``(threshold, short_abandon)`` of ``levels``, from one queue per rate."""
    grid = _Nodes(mean, aht, agents, interval, dispersion, patience, trunks, nodes, negligible)
    return [w / (c + grid.tail) for w, c in grid.sums(levels, definition, over)]


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
        (out[spread],) = _expected_shares(
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

        def margin(agents, idx, nodes=nodes, negligible=_NEGLIGIBLE, screens=_SCREENS):
            rows = spread[idx]
            goal = part.take(idx)
            # As the staffing does (Targets.margin): both shares net of short abandons.
            goals = [(goal.service_level, goal.threshold, goal.short_abandon),
                     (goal.answer_rate, goal.cutoff, goal.short_abandon)]  # fmt: skip
            goals = [g for g in goals if g[0] is not None]
            grid = _Nodes(
                volume[rows], aht_a[rows], agents, length[rows], spread_by[rows],
                patience_a[rows], None, nodes, negligible,
            )  # fmt: skip
            levels = [(np.broadcast_to(t, agents.shape),
                       None if s is None else np.broadcast_to(s, agents.shape))
                      for _, t, s in goals]  # fmt: skip
            targets = [log_odds(target) for target, _, _ in goals]
            return _screened_margin(grid, levels, targets, screens)

        # A search on a coarse quadrature first: it costs a third of a fine probe and lands
        # the fine search on, or next to, its answer, where one pair of probes settles it.
        ones = np.ones(spread.size)
        coarse = partial(margin, nodes=_COARSE_NODES, negligible=_COARSE_NEGLIGIBLE)
        coarse = lattice_minimum(coarse, productive[spread], ones)
        productive[spread] = lattice_minimum(margin, coarse, ones)
    scheduled = np.maximum(ceil_scheduled(productive, shrinkage).reshape(shape), floor)
    return wrap(np.ceil(scheduled).astype(np.int64), form)


def _margin(sums, tail, targets):
    """The least margin over the levels, in log-odds, from their expected counts."""
    out = np.full(tail.shape, np.inf)
    for (within, counted), target in zip(sums, targets, strict=True):
        out = np.minimum(out, log_odds(within / (counted + tail)) - target)
    return out


def _screened_margin(grid, levels, targets, screens):
    """The margin of :func:`_margin`, or one of the same sign where the heavier nodes decide it.

    The nodes are evaluated in stages, heaviest first: at stage ``i`` those weighing at least
    ``screens[i]`` of their interval's total. With ``W`` the weight of the nodes not yet
    evaluated, whose shares and counted calls are unknown in [0, 1], the expected share lies
    between ``N / (D + W + tail)`` and ``(N + W) / (D + W + tail)`` for the sums ``N`` and
    ``D`` so far; where the lower bound meets every target, or the upper bound misses one,
    the sign is settled and that bound is returned, and the interval's lighter nodes are never
    evaluated. The search reads the sign exactly and uses the values for its steps only.
    """
    total = np.bincount(grid.column, grid.weights, minlength=grid.size)
    share = grid.weights / total[grid.column]
    sums = [(np.zeros(grid.size), np.zeros(grid.size)) for _ in targets]
    out = np.zeros(grid.size)
    open_ = np.ones(grid.size, dtype=bool)
    done = np.zeros(share.shape, dtype=bool)
    for screen in (*screens, 0.0):
        stage = ~done & (share >= screen)
        pick = np.flatnonzero(stage & open_[grid.column])
        if pick.size:
            more = grid.sums(levels, "answered", "offered", pick)
            sums = [(w1 + w2, c1 + c2) for (w1, c1), (w2, c2) in zip(sums, more, strict=True)]
        done |= stage
        rest = np.bincount(grid.column[~done], grid.weights[~done], minlength=grid.size)
        low = _margin([(w, c + rest) for w, c in sums], grid.tail, targets)
        high = _margin([(w + rest, c + rest) for w, c in sums], grid.tail, targets)
        out = np.where(open_, np.where(low >= 0.0, low, high), out)
        open_ &= (low < 0.0) & (high >= 0.0)
        if not open_.any():
            break
    return out
