"""Per-interval service metrics of a staffed queue: Erlang B, C and A in closed form.

All times are seconds. ``volume`` is contacts offered per interval of ``interval`` seconds,
``aht`` the average handle time, ``agents`` the productive agents on the phones (real values
allowed), ``patience`` the callers' mean patience (``None`` or ``inf`` for callers who never hang
up, which is Erlang C; a finite value gives Erlang A). Every function takes scalars, NumPy
arrays or pandas Series, broadcasts them, and returns the same shape; a Series in gives a Series
with the same index out.
"""

import numpy as np
import pandas as pd

from .gamma import log_erlang_b
from .inputs import Numeric, as_arrays, check_finite, wrap
from .patience.queue import erlang_a_options
from .queue import erlang_c_from_log_b
from .redials import kpis_with_redials
from .state import check_seconds, queue_kpis, queue_state
from .targets import Targets

_DEFINITIONS = ("answered", "virtual")
_CALLERS = ("answered", "all")
_OVER = ("offered", "admitted")


def erlang_b(load: Numeric, agents: Numeric) -> Numeric:
    """Blocking probability of the M/M/n/n loss system (Erlang B).

    Parameters
    ----------
    load : numeric
        Offered load, arrival rate times mean holding time. [Erl]
    agents : numeric
        Servers (trunks, agents); real values use the incomplete-gamma extension. [-]

    Returns
    -------
    numeric
        Probability that an arrival finds every server busy and is lost. [-]

    Notes
    -----
    ``B(A, n) = (A^n e^-A / Γ(n+1)) / Q(n+1, A)``, with ``Q`` the regularized upper incomplete
    gamma function; for integer ``n`` this is the textbook ``(A^n/n!) / Σ_k A^k/k!``. Evaluated
    in log space, accurate to about 1e-13 relative for loads and agents up to 1e5.

    References
    ----------
    A. K. Erlang, "Solution of some problems in the theory of probabilities of significance in
    automatic telephone exchanges", 1917. D. L. Jagerman, "Some properties of the Erlang loss
    function", Bell System Technical Journal 53(3), 1974.
    """
    (load, agents), form = as_arrays(load=load, agents=agents)
    check_finite("load", load, low=0.0)
    check_finite("agents", agents, low=0.0)
    return wrap(np.exp(log_erlang_b(load, agents)), form)


def erlang_c(load: Numeric, agents: Numeric) -> Numeric:
    """Probability of waiting in the M/M/n queue (Erlang C).

    Parameters
    ----------
    load : numeric
        Offered load. [Erl]
    agents : numeric
        Agents; real values allowed. [-]

    Returns
    -------
    numeric
        Probability that an arrival has to wait; 1 where ``load >= agents`` (no steady state).

    Notes
    -----
    ``C = n B / (n - A (1 - B)) = 1 / (ρ + (1 - ρ) / B)`` with ``ρ = A / n`` and ``B`` the Erlang
    B probability.

    References
    ----------
    A. K. Erlang, 1917; see e.g. G. Koole, "Call Center Optimization", MG books, 2013, ch. 5.
    """
    (load, agents), form = as_arrays(load=load, agents=agents)
    check_finite("load", load, low=0.0)
    check_finite("agents", agents, low=0.0)
    out = erlang_c_from_log_b(load, agents, log_erlang_b(load, agents))
    return wrap(np.where(load == 0.0, 0.0, out), form)


def _check_over(over):
    if over not in _OVER:
        raise ValueError(f"over must be one of {_OVER}, got {over!r}")


def _answered_share(queue, threshold, short_abandon, definition, over="offered"):
    if definition not in _DEFINITIONS:
        raise ValueError(f"definition must be one of {_DEFINITIONS}, got {definition!r}")
    _check_over(over)
    if definition == "virtual":
        within = 1.0 - queue.blocking - queue.wait_tail(threshold)
        return queue._share(np.clip(within, 0.0, 1.0), None, over)
    return queue.service_level(threshold, short_abandon, over)


def service_level(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    threshold: Numeric = 20.0,
    patience: Numeric | None = None,
    short_abandon: Numeric | None = None,
    definition: str = "answered",
    trunks: Numeric | None = None,
    over: str = "offered",
) -> Numeric:
    """Share of offered contacts answered within ``threshold`` seconds.

    Parameters
    ----------
    volume : numeric
        Contacts offered per interval. [contacts]
    aht : numeric
        Average handle time (talk, hold and after-call work). [s]
    agents : numeric
        Productive agents on the phones. [-]
    interval : numeric, default 1800
        Interval length. [s]
    threshold : numeric, default 20
        Answer-time threshold of the service level. [s]
    patience : numeric, patience law or None, default None
        Mean time callers wait before hanging up, exponentially distributed; None means callers
        never hang up (Erlang C), a value gives Erlang A (M/M/n+M). [s] A patience law
        (:class:`erlang.Weibull`, :class:`erlang.LogNormal`, :class:`erlang.Deterministic`,
        :class:`erlang.Empirical`, :class:`erlang.Exponential`) gives the M/M/n+G queue of
        :mod:`erlang.patience.queue`; not with ``trunks``.
    short_abandon : numeric or None, default None
        If given, callers who hang up within this many seconds leave the denominator, as
        hotlines report it (short abandons are misdials, not lost service). [s]
    definition : {'answered', 'virtual'}, default 'answered'
        ``'answered'``: answered within the threshold divided by offered. ``'virtual'``: the
        probability that the virtual wait (the wait of a caller who never hangs up) is at most
        the threshold, ``P(V <= t)``. Both coincide under Erlang C.
    trunks : numeric or None, default None
        Trunk lines, the most callers in the system at once (see :func:`blocking`). [-]
    over : {'offered', 'admitted'}, default 'offered'
        Denominator under a trunk cap. ``'offered'`` (the hotline convention): blocked calls
        count as offered and not answered within the threshold. ``'admitted'``: blocked calls
        are left out, the service level of the callers who got through. Equal without trunks.

    Returns
    -------
    numeric
        Service level in [0, 1]; 0 under Erlang C where the load reaches the agents (without
        a trunk cap).

    Notes
    -----
    Erlang C: ``SL = 1 - C exp(-(n - A) t / aht)``. Erlang A: ``SL = 1 - P(ab) - P(served, V > t)``
    with the waiting-time law in :mod:`erlang.queue`. Under a trunk cap,
    ``SL = 1 - P(blocked) - P(ab) - P(served, W > t)`` with the finite-room forms of
    :mod:`erlang.trunks`. More trunks can lower the service level: callers who would have been
    blocked are admitted and wait.

    References
    ----------
    O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient customers",
    M&SOM 4(3), 2002. A. Mandelbaum, S. Zeltyn, "The M/M/n+G queue: summary of performance
    measures", 2009. L. Kleinrock, "Queueing Systems, Volume 1", 1975, section 3.6.
    """
    queue, form = queue_state(
        volume, aht, agents, interval=interval, patience=patience, trunks=trunks
    )
    check_seconds("threshold", threshold)
    check_seconds("short_abandon", short_abandon)
    return wrap(_answered_share(queue, threshold, short_abandon, definition, over), form)


def answer_rate(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    patience: Numeric | None = None,
    cutoff: Numeric = 60.0,
    short_abandon: Numeric | None = None,
    trunks: Numeric | None = None,
    over: str = "offered",
) -> Numeric:
    """Hotline answer rate: contacts answered within ``cutoff`` seconds divided by offered.

    A call still unanswered after ``cutoff`` seconds (60 s in the Chinese hotline standards)
    counts as unanswered even if an agent takes it later; a blocked call (busy tone, with
    ``trunks``) counts as unanswered too unless ``over='admitted'``. Arguments as in
    :func:`service_level`; ``cutoff`` in seconds.

    Returns
    -------
    numeric
        Answer rate in [0, 1].
    """
    return service_level(
        volume,
        aht,
        agents,
        interval=interval,
        threshold=cutoff,
        patience=patience,
        short_abandon=short_abandon,
        trunks=trunks,
        over=over,
    )


def asa(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    patience: Numeric | None = None,
    callers: str = "answered",
    trunks: Numeric | None = None,
) -> Numeric:
    """Average speed of answer: mean wait in queue. [s]

    Parameters
    ----------
    volume, aht, agents, interval, patience, trunks
        As in :func:`service_level`.
    callers : {'answered', 'all'}, default 'answered'
        ``'answered'``: mean wait of answered contacts (the hotline ASA). ``'all'``: mean time
        in queue over every caller who got a line, those who hang up included; blocked callers
        never queue and are left out.

    Returns
    -------
    numeric
        Mean wait in seconds; ``inf`` where nothing is answered or (Erlang C without trunks)
        the load reaches the agents.

    Notes
    -----
    Erlang C: ``ASA = C aht / (n - A)``. Erlang A: mean wait over all callers is
    ``P(abandon) * patience`` (exact); the answered-caller mean follows from the derivative of
    the waiting-time Laplace transform, see :meth:`erlang.queue.Queue.mean_wait_answered`.
    Under a trunk cap both are sums over the admitted states, see :mod:`erlang.trunks`.
    """
    if callers not in _CALLERS:
        raise ValueError(f"callers must be one of {_CALLERS}, got {callers!r}")
    queue, form = queue_state(
        volume, aht, agents, interval=interval, patience=patience, trunks=trunks
    )
    out = queue.mean_wait_answered() if callers == "answered" else queue.mean_wait_all()
    return wrap(out, form)


def abandon_rate(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    patience: Numeric | None = None,
    short_abandon: Numeric | None = None,
    trunks: Numeric | None = None,
    over: str = "offered",
) -> Numeric:
    """Share of offered contacts that hang up before being answered.

    Zero under Erlang C (``patience=None``). With ``short_abandon`` (seconds), callers who hang
    up within that time are left out of both numerator and denominator, as hotlines report it.
    Blocked callers (with ``trunks``) are not abandons; they stay in the denominator unless
    ``over='admitted'``.

    Returns
    -------
    numeric
        Abandonment rate in [0, 1].

    Notes
    -----
    Erlang A: ``P(ab) = P(W > 0) (1 - 1/ρ + 1/(ρ J))`` with ``ρ = λ / (nμ)`` and
    ``J = P(a, b) / pmf(a; b)`` (Garnett, Mandelbaum and Reiman, 2002). Under a trunk cap,
    flow balance gives ``P(ab) = P(wait) - (P(wait) + P(blocked) - π_n) / ρ`` with ``π_n`` the
    probability of finding exactly ``n`` callers.
    """
    _check_over(over)
    queue, form = queue_state(
        volume, aht, agents, interval=interval, patience=patience, trunks=trunks
    )
    check_seconds("short_abandon", short_abandon)
    return wrap(queue.abandon_rate(short_abandon, over), form)


def occupancy(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    patience: Numeric | None = None,
    trunks: Numeric | None = None,
) -> Numeric:
    """Share of agent time spent handling contacts: carried load divided by agents.

    Carried load is the offered load less what abandons and, with ``trunks``, what is blocked.

    Returns
    -------
    numeric
        Occupancy in [0, 1]; 1 where contacts arrive and no agent is on.
    """
    queue, form = queue_state(
        volume, aht, agents, interval=interval, patience=patience, trunks=trunks
    )
    return wrap(queue.occupancy(), form)


def blocking(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    trunks: Numeric,
    patience: Numeric | None = None,
    interval: Numeric = 1800.0,
) -> Numeric:
    """Share of offered contacts that find every trunk line taken and get busy tone.

    Parameters
    ----------
    volume, aht, agents, interval, patience
        As in :func:`service_level`.
    trunks : numeric
        Trunk lines: the most callers in the system at once, in service and waiting; whole
        numbers ``>= agents`` (``inf`` for no cap). With ``trunks == agents`` nobody waits and
        this is Erlang B.

    Returns
    -------
    numeric
        Blocking probability in [0, 1] (the hotline 忙音率).

    Notes
    -----
    With ``m = trunks - agents`` waiting places and weights ``w_j`` of the states with ``j``
    callers waiting relative to all agents busy (``ρ^j`` under Erlang C, ``b^j / (a+1)_j``
    under Erlang A, ``a = n aht⁻¹ patience``, ``b = λ patience``), arrivals see state ``K``
    with probability ``w_m / ((1 - B)/B + Σ_{j<=m} w_j)`` (PASTA), ``B`` the Erlang B
    probability of the agents. Blocking falls as trunks are added. It falls as agents are added
    when ``patience >= aht`` (or None), and rises when ``patience < aht``: a caller in service
    then holds a trunk longer than one who would have hung up in the queue.

    References
    ----------
    L. Kleinrock, "Queueing Systems, Volume 1: Theory", 1975, section 3.6. O. Garnett,
    A. Mandelbaum, M. Reiman, M&SOM 4(3), 2002.
    """
    if trunks is None:
        raise ValueError("trunks must be given: without a cap nobody is blocked")
    queue, form = queue_state(
        volume, aht, agents, interval=interval, patience=patience, trunks=trunks
    )
    return wrap(queue.blocking, form)


def kpis(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    threshold: Numeric = 20.0,
    patience: Numeric | None = None,
    cutoff: Numeric = 60.0,
    short_abandon: Numeric | None = None,
    trunks: Numeric | None = None,
    targets: Targets | None = None,
    chat=None,
    redials=None,
) -> pd.DataFrame:
    """Every service metric per interval in one DataFrame.

    Arguments as in :func:`service_level`. Columns: ``volume``, ``aht``, ``agents``, ``load``
    [Erl], ``occupancy``, ``p_wait``, ``service_level``, ``asa`` [s, answered contacts],
    ``mean_wait`` [s, admitted contacts], ``abandon_rate``, ``short_abandon_rate``,
    ``answer_rate``, ``blocking`` (0 without ``trunks``). Rates are over offered contacts,
    blocked ones included. The index is the Series index of the input, else a RangeIndex.

    With ``targets`` (an :class:`erlang.Targets`), its ``threshold``, ``cutoff`` and
    ``short_abandon`` are used (the keywords must stay at their defaults) and a column
    ``meets_targets`` says whether each interval meets every target (:meth:`Targets.met`).

    With ``chat`` (an :class:`erlang.Chat`), agents serve several sessions at once: the chat
    queue of :mod:`erlang.chat` (see :func:`erlang.chat.metrics.chat_kpis`): ``occupancy`` is
    the share of session slots in use, and one more column, ``busy_agents``, the share of agents
    holding a session; ``trunks`` is not supported there.

    With ``redials`` (an :class:`erlang.Redials`), ``volume`` is the fresh callers and the
    metrics are taken at the attempts of the redial fixed point, with the fresh-caller view
    beside them (:func:`erlang.redials.kpis_with_redials`); with
    ``Redials(..., method="chain")`` the exact retrial chain gives them, with a ``truncation``
    column (:mod:`erlang.retrial`). Chat with redials is not supported.
    """
    patience = erlang_a_options(patience, trunks, chat, redials)
    if chat is not None:
        from .chat.metrics import chat_kpis  # its chain compiles with numba: load on demand

        return chat_kpis(
            volume, aht, agents, chat=chat, interval=interval, threshold=threshold,
            patience=patience, cutoff=cutoff, short_abandon=short_abandon, trunks=trunks,
            targets=targets,
        )  # fmt: skip
    if redials is not None:
        return kpis_with_redials(
            volume, aht, agents, redials=redials, interval=interval, threshold=threshold,
            patience=patience, cutoff=cutoff, short_abandon=short_abandon, trunks=trunks,
            targets=targets,
        )  # fmt: skip
    return queue_kpis(
        volume, aht, agents, interval=interval, threshold=threshold, patience=patience,
        cutoff=cutoff, short_abandon=short_abandon, trunks=trunks, targets=targets,
    )  # fmt: skip
