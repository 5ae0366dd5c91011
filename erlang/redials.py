"""Redials: callers who abandon or hear busy tone and call again, as a fixed point of the load
(the default) or, with ``Redials(method="chain")``, by the exact chain of :mod:`erlang.retrial`.

A fresh caller's attempt is answered, abandons (hangs up in the queue) or is blocked (busy
tone under a trunk cap). A lost attempt is followed by a redial with probability ``p_ab``
(abandoned) or ``p_bl`` (blocked), after a delay; a redial is an attempt like any other and
may itself be lost and redialled. With ``λ`` the fresh callers per interval and ``x`` the
attempts, in the stationary state

    x = λ + x (p_ab P_ab(x) + p_bl P_bl(x)),

with ``P_ab`` and ``P_bl`` the abandonment and blocking probabilities of an attempt when ``x``
attempts are offered (the Erlang A and trunk-capped formulas of :mod:`erlang.queue` and
:mod:`erlang.trunks`). The attempts leave the queue as served, as lost for good or as
redials, so ``x (1 - p_ab P_ab - p_bl P_bl) = (1 - p) x + p · served(x)`` for equal
probabilities ``p``; the served rate grows with ``x``, so the left side is increasing and the
fixed point unique (with unequal probabilities the same holds in every case tested). With
``ℓ = P_ab + P_bl`` and ``r = p_ab P_ab + p_bl P_bl`` at ``x = λ`` and ``p = max(p_ab, p_bl)``,
the root lies between ``λ / (1 - r)`` (the first step of the increasing map
``x -> λ / (1 - r(x))`` from ``λ``) and ``λ (1 + p ℓ / (1 - p))`` (where
``(1 - p) x + p · served(λ)`` reaches ``λ``), a bracket that is tight when few are lost and on
which :func:`erlang.search.illinois` converges for every interval at once.

The model is stationary per interval: the redials of an interval arrive in that interval and
join its Poisson stream, whatever their delay (``delay`` is used by the exact chain and the
simulation, :func:`roster.simulate`, not here). This is the approximation in which returning
customers see time averages; for multiserver queues of finite capacity whose blocked
customers return after exponential delays, Greenberg and Wolff (1987) prove that it bounds
the performance from above. In truth redials are not Poisson: a loss happens when the queue
is long, and the redial comes back while it may still be long, so a redial sees a worse
queue than a fresh call and the fixed point is optimistic, with abandoned callers redialling
too (which their proof does not cover) in every case measured here. Against a call-level
simulation with exponential delays of 60 and 300 s (AHT 300 s, 17 and 100 Erl, patience 60
and 300 s, with and without trunks, service levels from 55 to 96%), the fixed point gives
attempts per fresh caller up to 4.3% low at ``p = 0.7`` and 0.5% at ``p = 0.3``, the
service level on attempts up to 7.5 points high (3.3 at ``p = 0.3``), the share of callers
finally served up to 1.9 points high (0.8) and the caller service level up to 6.8 points
high (3.2); those figures are the tolerances of the tests that compare the two. The fixed
point is the long-delay limit of the exact retrial model: against the Markov chain of the
queue with an orbit of callers waiting to redial (exponential delays; small queues of 2 and 3
agents, AHT 60 s), its attempts are 1.8 to 12% low at a 60 s delay, 0.3 to 1.6% at 600 s and
0.03 to 0.16% at 6000 s, the error falling like ``1 / delay``.

Where the fixed point can be trusted, from the same chain on a grid (AHT 300 s; 4, 20 and
80 Erl; patience 60 and 300 s; staffed for 80% in 20 s without redials, or 5% below the
load; mean delays of 0.2, 1 and 5 AHT), as the largest error over the grid, always
optimistic (attempts and abandonment low, callers served high):

==========  ==========  ================  =====================  ====================
``p``       delay       attempts low by   abandon rate low by    served share high by
==========  ==========  ================  =====================  ====================
0.3         0.2 AHT     0.6%              1.7 points             1.4 points
0.3         1 AHT       0.3%              0.8 points             0.7 points
0.3         5 AHT       0.1%              0.3 points             0.3 points
0.7         0.2 AHT     5.8%              6.0 points             3.6 points
0.7         1 AHT       3.0%              3.4 points             1.7 points
0.7         5 AHT       1.1%              1.3 points             0.6 points
==========  ==========  ================  =====================  ====================

The error grows with the redial probability, as the delay shortens against the time the
queue takes to forget a congested spell (a few AHT, longer with patient callers), and as the
queue shrinks: at 80 Erl the worst case (``p = 0.7``, 0.2 AHT) is 1.9% and 2.4 points. No
correction for short delays is offered: a factor fitted to such a grid would not carry over
to other queues. For short delays and high redial probabilities, choose the exact chain
instead, ``Redials(..., method="chain")`` (:mod:`erlang.retrial`): the same KPIs and exact
staffing, with exponential delays of mean ``delay``, at milliseconds per interval and count
of agents rather than microseconds. Against the simulation (4 and 20 Erl, delays of 0.2 to
5 AHT, with and without trunks) its service level and abandonment lie inside every 99%
confidence interval, where the fixed point misses 33 of 48; it staffs up to 3 or 4 agents
more than the fixed point at 200 Erl with ``p = 0.7`` and a 60 s delay.

References
----------
A. Aguir, F. Karaesmen, O. Z. Akşin, F. Chauvet, "The impact of retrials on call center
performance", OR Spectrum 26(3), 2004, 353-376 (M/M/n+M with retrials and approximations).
J. W. Cohen, "Basic problems of telephone traffic theory and the influence of repeated calls",
Philips Telecommunication Review 18(2), 1957. J. R. Artalejo, A. Gómez-Corral, "Retrial
Queueing Systems: A Computational Approach", Springer, 2008. B. S. Greenberg, R. W. Wolff,
"An upper bound on the performance of queues with returning customers", Journal of Applied
Probability 24(2), 1987, 466-475.
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .inputs import Numeric, as_arrays, check_finite, wrap
from .minimum import (
    ceil_scheduled,
    common_arrays,
    productive_minimum,
    raise_if_too_few,
    trunk_array,
)
from .queue import Queue
from .search import illinois, lattice_minimum
from .state import kpis_frame, queue_kpis
from .targets import Targets
from .trunks import TrunkQueue, check_trunks

__all__ = ["Redials"]

_VIEWS = ("attempts", "callers")
_METHODS = ("fixed_point", "chain")
# Relative tolerances on the attempts of the fixed point and on the flow balance that defines
# it (fresh callers = attempts not redialled): far below any planning figure.
_XTOL = 1e-10
_FTOL = 1e-12


_REAL = int | float | np.floating | np.integer


def _check_share(name, value):
    if isinstance(value, bool) or not isinstance(value, _REAL):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")


@dataclass(frozen=True)
class Redials:
    """Callers who call again after abandoning or hearing busy tone.

    Parameters
    ----------
    probability : float
        Probability that a caller who abandons calls again, in [0, 1). [-]
    delay : float, default 300
        Mean time from hanging up (or busy tone) to the redial, exponentially distributed;
        used by the chain (``method='chain'``) and the simulation, not by the stationary
        fixed point (see the module notes). [s]
    blocked_probability : float or None, default None
        Probability that a caller who hears busy tone (a trunk cap) calls again, in [0, 1);
        None for ``probability``. Busy tone is usually redialled more than an abandoned wait.
    targets_on : {'attempts', 'callers'}, default 'attempts'
        What the service targets of :func:`erlang.required_agents` (and the ``meets_targets``
        column of :func:`erlang.kpis`) are stated on. ``'attempts'``: every attempt counts as
        offered, as a switch reports it. ``'callers'``: each fresh caller counts once, with the
        outcome of their last attempt (see :func:`kpis_with_redials`), as a report that
        de-duplicates calling numbers gives it.
    method : {'fixed_point', 'chain'}, default 'fixed_point'
        How the queue with redials is solved. ``'fixed_point'``: the stationary fixed point of
        the attempts (this module; microseconds per interval, optimistic for short delays and
        high probabilities, see the table in the module notes). ``'chain'``: the exact Markov
        chain of the queue with its orbit of callers waiting to redial, exponential delays of
        mean ``delay`` (:mod:`erlang.retrial`; milliseconds per interval and count of agents,
        whole agents only). An option of the model, like ``targets_on``, so that
        :func:`erlang.kpis`, :func:`erlang.required_agents` and :func:`roster.plan` all follow
        it.

    Raises
    ------
    ValueError
        A probability outside [0, 1), a delay not finite and > 0, or an unknown
        ``targets_on`` or ``method``, naming the argument and value.
    TypeError
        A probability or delay that is not a real number.

    Notes
    -----
    The fixed point solves ``x = λ + x (p_ab P_ab(x) + p_bl P_bl(x))`` per interval; the
    model, its references and its measured error are in the notes of :mod:`erlang.redials`,
    the chain's in :mod:`erlang.retrial`.
    """

    probability: float
    delay: float = 300.0
    blocked_probability: float | None = None
    targets_on: str = "attempts"
    method: str = "fixed_point"

    def __post_init__(self):
        _check_share("probability", self.probability)
        if self.blocked_probability is not None:
            _check_share("blocked_probability", self.blocked_probability)
        if isinstance(self.delay, bool) or not isinstance(self.delay, _REAL):
            raise TypeError(f"delay must be a real number of seconds, got {self.delay!r}")
        if not (np.isfinite(self.delay) and self.delay > 0.0):
            raise ValueError(f"delay must be finite and > 0 seconds, got {self.delay!r}")
        if self.targets_on not in _VIEWS:
            raise ValueError(f"targets_on must be one of {_VIEWS}, got {self.targets_on!r}")
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}")

    @property
    def abandoned(self) -> float:
        """Redial probability after an abandoned attempt."""
        return float(self.probability)

    @property
    def blocked(self) -> float:
        """Redial probability after a blocked attempt."""
        p = self.probability if self.blocked_probability is None else self.blocked_probability
        return float(p)


def _queue(load, agents, aht, patience, trunks):
    if trunks is None:
        return Queue(load, agents, aht, patience)
    return TrunkQueue(load, np.minimum(agents, trunks), aht, patience, trunks=trunks)


def solve_attempts(fresh, aht, agents, interval, patience, trunks, redials):
    """Attempts per interval at the fixed point, and the queue they meet (flat arrays).

    The attempts are within ``1e-10`` relative of the root, or where the flow balance
    ``x (1 - r(x)) = λ`` holds to ``1e-12 λ``, whichever the Illinois search reaches first.
    """
    p_ab, p_bl = redials.abandoned, redials.blocked

    def queue_at(x, idx):
        k = None if trunks is None else trunks[idx]
        return _queue(x * aht[idx] / interval[idx], agents[idx], aht[idx], patience[idx], k)

    def excess(x, idx):  # increasing in x; zero at the fixed point
        q = queue_at(x, idx)
        return x * (1.0 - p_ab * q.p_abandon - p_bl * q.blocking) - fresh[idx]

    every = np.arange(fresh.size)
    x = fresh.copy()
    q = queue_at(x, every)
    share = p_ab * q.p_abandon + p_bl * q.blocking  # redialled share of the attempts at λ
    lost = np.flatnonzero(share * fresh > 0.0)
    if lost.size:
        # Lower end: the map x -> λ / (1 - r(x)) is increasing with the root as fixed point,
        # so its first iterate from λ stays below the root. Upper end: with p = max(p_ab,
        # p_bl), x (1 - r(x)) >= (1 - p) x + p served(x) >= (1 - p) x + p served(λ), which
        # reaches λ at the end below; far tighter than λ / (1 - p) when few are lost.
        f, p = fresh[lost], max(p_ab, p_bl)
        lower = f / (1.0 - share[lost])
        lost_share = np.clip(q.p_abandon[lost] + q.blocking[lost], 0.0, 1.0)
        upper = np.maximum(f * (1.0 + p * lost_share / (1.0 - p)), lower)
        _, x[lost] = illinois(
            lambda y, i: excess(y, lost[i]), lower, upper * (1.0 + 1e-12), xtol=_XTOL * upper,
            ftol=_FTOL * f,
        )  # fmt: skip
    return x, queue_at(x, every)


def attempts_and_queue(fresh, aht, agents, interval, patience, trunks, redials):
    """The attempts per interval and the queue they meet, by ``redials.method`` (flat
    arrays): the fixed point, or the retrial chain of :mod:`erlang.retrial` sized from it."""
    x, queue = solve_attempts(fresh, aht, agents, interval, patience, trunks, redials)
    if redials.method != "chain":
        return x, queue
    from .retrial import chain_queue  # scipy.sparse on demand: keeps ``import erlang`` light

    return chain_queue(fresh, aht, agents, interval, patience, trunks, redials, x, queue)


class CallerView:
    """The metrics of a queue with redials per fresh caller: each caller counted once, with
    the outcome of their last attempt. Takes the place of the queue in :meth:`Targets.margin`.
    """

    def __init__(self, queue, attempts, fresh, redials):
        self.queue = queue
        self.load = queue.load
        self.idle = queue.idle
        self.p_ab, self.p_bl = redials.abandoned, redials.blocked
        with np.errstate(divide="ignore", invalid="ignore"):
            # Attempts per fresh caller; 1 where nobody calls (no attempts either).
            self.per_caller = np.where(fresh > 0.0, attempts / fresh, 1.0)
        self.blocking = self.per_caller * queue.blocking * (1.0 - self.p_bl)
        self.p_abandon = self.per_caller * queue.p_abandon * (1.0 - self.p_ab)
        self.served = self.per_caller * np.clip(1.0 - queue.blocking - queue.p_abandon, 0, 1)

    def _counted(self, short_abandon):
        """Callers counted, per fresh caller: less those whose last attempt was a short
        abandon (a misdial)."""
        if short_abandon is None:
            return 1.0, 0.0
        short = self.per_caller * self.queue.short_abandon(short_abandon) * (1.0 - self.p_ab)
        return np.maximum(1.0 - short, 0.0), short

    def service_level(self, threshold, short_abandon=None, over="offered"):
        """Callers answered within ``threshold`` over callers (less short abandons)."""
        within = self.per_caller * self.queue.answered_within(threshold)
        counted, _ = self._counted(short_abandon)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(counted > 0.0, np.clip(within / counted, 0.0, 1.0), 0.0)

    def abandon_rate(self, short_abandon=None, over="offered"):
        """Callers whose last attempt abandoned (not a short abandon) over callers counted."""
        counted, short = self._counted(short_abandon)
        count = np.maximum(self.p_abandon - short, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(counted > 0.0, np.clip(count / counted, 0.0, 1.0), 0.0)

    def mean_wait_answered(self):
        """Mean wait of the answering attempt (one per answered caller) [s]."""
        return self.queue.mean_wait_answered()

    def occupancy(self):
        """Occupancy, the same whichever way the callers are counted."""
        return self.queue.occupancy()


def _view(queue, attempts, fresh, redials):
    if redials.targets_on == "callers":
        return CallerView(queue, attempts, fresh, redials)
    return queue


def _validated(volume, aht, agents, interval, patience, trunks):
    arguments = {"volume": volume, "aht": aht, "agents": agents, "interval": interval}
    arguments["patience"] = np.inf if patience is None else patience
    if trunks is not None:
        arguments["trunks"] = trunks
    arrays, form = as_arrays(**arguments)
    check_finite("volume", arrays[0], low=0.0)
    check_finite("aht", arrays[1], low=0.0, low_inclusive=False)
    check_finite("agents", arrays[2], low=0.0)
    check_finite("interval", arrays[3], low=0.0, low_inclusive=False)
    check_finite("patience", arrays[4], low=0.0, low_inclusive=False, allow_inf=True)
    if trunks is not None:
        check_trunks(arrays[5], arrays[2])
    flat = [a.ravel() for a in arrays]
    return flat[:5], (flat[5] if trunks is not None else None), form


def kpis_with_redials(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    redials: Redials,
    interval: Numeric = 1800.0,
    threshold: Numeric = 20.0,
    patience: Numeric | None = None,
    cutoff: Numeric = 60.0,
    short_abandon: Numeric | None = None,
    trunks: Numeric | None = None,
    targets: Targets | None = None,
) -> pd.DataFrame:
    """:func:`erlang.kpis` with redials: the metrics on attempts and on fresh callers.

    Reached as ``erlang.kpis(..., redials=Redials(...))``; arguments as there, ``volume``
    being the fresh callers per interval (no redial counted). [contacts]

    Returns
    -------
    DataFrame
        The columns of :func:`erlang.kpis` computed on the attempts at the fixed point
        (``load``, ``service_level``, ``abandon_rate``, ``blocking``, ... are over attempts),
        with ``volume`` the fresh callers, and ``attempts`` (fresh calls and redials),
        ``redials`` [contacts per interval]; ``served_share``, the share of fresh callers
        finally served after all their attempts; and the caller view: ``caller_service_level``
        (callers answered within ``threshold`` on their last attempt, over callers),
        ``caller_answer_rate`` (the same within ``cutoff``), ``caller_abandon_rate`` (callers
        whose last attempt abandoned and who did not call again) and ``caller_blocking``
        (callers whose last attempt got busy tone and who did not call again). With
        ``short_abandon``, callers whose last attempt was a short abandon (misdials) leave the
        caller counts, as short abandons leave the attempt counts. ASA and occupancy are the
        same in both views (an answered caller has one answered attempt). With ``targets``,
        ``meets_targets`` reads the view of ``redials.targets_on``. With
        ``redials.method == 'chain'`` every metric is the exact chain's
        (:mod:`erlang.retrial`), and one more column, ``truncation``, gives the mass of the
        chain at and beyond the edges of the box it was solved on (below ``1e-10``; 0 where
        no orbit can form and the fixed point is exact).

    Notes
    -----
    With ``x`` attempts and ``λ`` fresh callers per interval, an attempt is answered within
    ``t`` with probability ``s(t)``, abandons with ``P_ab`` and is blocked with ``P_bl``; then
    per fresh caller, ``served = (x/λ)(1 - P_ab - P_bl)``, the caller service level is
    ``(x/λ) s(t)``, the caller abandonment ``(x/λ) P_ab (1 - p_ab)`` and the caller blocking
    ``(x/λ) P_bl (1 - p_bl)``; they add up to 1 with the unresolved share, 0 in steady state.
    """
    if not isinstance(redials, Redials):
        raise TypeError(f"redials={redials!r} must be an erlang.Redials")
    (fresh, aht_, agents_, interval_, patience_), trunks_, form = _validated(
        volume, aht, agents, interval, patience, trunks
    )
    x, queue = solve_attempts(fresh, aht_, agents_, interval_, patience_, trunks_, redials)
    frame = queue_kpis(
        x, aht_, agents_, interval=interval_, threshold=threshold, patience=patience_,
        cutoff=cutoff, short_abandon=short_abandon, trunks=trunks_, targets=targets,
    )  # fmt: skip
    chosen = Targets.resolve(
        targets, threshold=threshold, cutoff=cutoff, short_abandon=short_abandon
    )
    s = chosen["short_abandon"]
    s = None if s is None else np.ravel(np.broadcast_to(s, fresh.shape))
    if redials.method == "chain":
        # The fixed point above checked the inputs and sizes the chain's box.
        from .retrial import chain_queue

        x, queue = chain_queue(fresh, aht_, agents_, interval_, patience_, trunks_, redials, x,
                               queue)  # fmt: skip
        frame = kpis_frame(queue, _flat(chosen["threshold"], x), _flat(chosen["cutoff"], x), s,
                           targets, None)  # fmt: skip
    if form.index is not None:
        frame.index = form.index
    view = CallerView(queue, x, fresh, redials)
    callers = {
        "served_share": view.served,
        "caller_service_level": view.service_level(_flat(chosen["threshold"], x), s),
        "caller_answer_rate": view.service_level(_flat(chosen["cutoff"], x), s),
        "caller_abandon_rate": view.abandon_rate(s),
        "caller_blocking": view.blocking,
    }
    frame.insert(1, "attempts", x)
    frame.insert(2, "redials", x - fresh)
    frame["volume"] = fresh
    # Without callers the caller view is the attempt view (no attempts either).
    idle = {"served_share": 1.0, "caller_service_level": frame["service_level"].to_numpy(),
            "caller_answer_rate": frame["answer_rate"].to_numpy(), "caller_abandon_rate": 0.0,
            "caller_blocking": 0.0}  # fmt: skip
    for name, values in callers.items():
        frame[name] = np.where(fresh > 0.0, values, idle[name])
    if redials.method == "chain":
        frame["truncation"] = queue.truncation
    if targets is not None and redials.targets_on == "callers":
        shown = frame.rename(columns={f"caller_{k}": k for k in _CALLER_COLUMNS})
        shown = shown.loc[:, ~shown.columns.duplicated(keep="last")]
        frame["meets_targets"] = targets.met(shown).to_numpy()
    return frame


_CALLER_COLUMNS = ("service_level", "answer_rate", "abandon_rate", "blocking")


def _flat(value, like):
    return np.ravel(np.broadcast_to(np.asarray(value, dtype=float), like.shape))


def required_agents_with_redials(
    volume, aht, *, redials, trunks=None, fractional=False, **keywords
):
    """:func:`erlang.required_agents` with redials: the exact fewest agents per interval
    meeting every target, the load now depending on the agents through the redials.

    Reached as ``erlang.required_agents(..., redials=Redials(...))``; ``volume`` is the fresh
    callers. Each probe of the lattice search (:func:`erlang.search.lattice_minimum`) solves
    the fixed point at its count of agents and measures the targets on the attempts or on the
    callers (``redials.targets_on``). More agents lose fewer attempts, so fewer redials and a
    smaller load: every metric improves with the agents (tested), and the search ends on
    ``n`` feasible with ``n - 1`` infeasible. The start is the staffing without redials and
    without the trunk cap (only a start: the search corrects it either way).
    Under a trunk cap, the search assumes the targets improve with the agents, which holds
    when ``patience >= aht`` and without a ``short_abandon`` service level (see
    :func:`erlang.required_agents`); ``fractional`` staffing is not offered with redials.
    With ``redials.method == 'chain'`` each probe solves the exact chain
    (:mod:`erlang.retrial`), starting from the fixed point's minimum: its metrics improve with
    every agent too (tested, and checked against every count by brute force), so the search
    ends on the chain's exact minimum.
    """
    if not isinstance(redials, Redials):
        raise TypeError(f"redials={redials!r} must be an erlang.Redials")
    if fractional:
        raise ValueError("fractional staffing is not offered with redials (whole agents)")
    if keywords.pop("load", "stationary") != "stationary":
        raise ValueError("load='modified' is not offered with redials (stationary intervals)")
    names = ("service_level", "threshold", "asa", "max_abandon", "answer_rate", "cutoff",
             "max_occupancy", "max_blocking", "short_abandon")  # fmt: skip
    goals = Targets.resolve(keywords.pop("targets"), **{k: keywords.pop(k) for k in names})
    shrinkage = keywords.pop("shrinkage")
    volume, aht, interval, patience, min_agents, form, targets = common_arrays(
        volume, aht, keywords.pop("interval"), keywords.pop("patience"), shrinkage,
        keywords.pop("min_agents"), "volume", goals,
    )  # fmt: skip
    if keywords:
        raise TypeError(f"unexpected keywords {sorted(keywords)}")
    shape = volume.shape
    trunks = trunk_array(trunks, shape, goals["max_blocking"], form.index)
    fresh, aht, interval, patience = (a.ravel() for a in (volume, aht, interval, patience))
    productive = np.zeros(fresh.shape)
    busy = np.flatnonzero(fresh > 0.0)
    if busy.size:
        productive[busy] = _search(fresh, aht, interval, patience, trunks, targets, redials, busy)
    if trunks is not None:
        raise_if_too_few(productive, trunks, fresh, form)
    scheduled = ceil_scheduled(productive, shrinkage)
    scheduled = np.maximum(scheduled.reshape(shape), min_agents)
    return wrap(np.ceil(scheduled).astype(np.int64), form)


def _search(fresh, aht, interval, patience, trunks, targets, redials, rows):
    """Exact minimum over ``rows`` (busy intervals); ``nan`` where no count up to the trunks
    meets the targets."""
    f, h, length, p = fresh[rows], aht[rows], interval[rows], patience[rows]
    k = None if trunks is None else trunks[rows]
    tg = targets.take(rows)
    load = f * h / length
    # The start is the staffing without redials and without the cap: under a cap that search
    # costs as much as a few probes with redials, and lands the search no closer.
    start = productive_minimum(load, h, p, tg, False)
    if k is not None:
        start = np.minimum(start, k)
    if redials.method == "chain":
        # The fixed point's minimum, a few microseconds, is within an agent or two of the
        # chain's (it is optimistic), so the costly probes start next to the answer.
        start = _search(fresh, aht, interval, patience, trunks, targets,
                        replace(redials, method="fixed_point"), rows)  # fmt: skip
        if k is not None:
            start = np.where(np.isnan(start), k, start)

    def margin(agents, idx):
        cap = None if k is None else k[idx]
        n = agents if cap is None else np.minimum(agents, cap)
        x, queue = attempts_and_queue(f[idx], h[idx], n, length[idx], p[idx], cap, redials)
        out = tg.take(idx).margin(_view(queue, x, f[idx], redials))
        return out if cap is None else np.where(agents > cap, np.inf, out)

    agents = lattice_minimum(margin, np.maximum(start, 1.0), np.ones(rows.size))
    return agents if k is None else np.where(agents > k, np.nan, agents)
