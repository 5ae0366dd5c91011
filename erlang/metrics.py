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
from .queue import Queue, erlang_c_from_log_b

_DEFINITIONS = ("answered", "virtual")
_CALLERS = ("answered", "all")


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


def queue_state(volume, aht, agents, *, interval=1800.0, patience=None):
    """Validate the common arguments and build the queue per interval.

    Returns the :class:`~erlang.queue.Queue` and the :class:`~erlang.inputs.Shape` to restore.
    """
    (volume, aht, agents, interval, patience), form = as_arrays(
        volume=volume,
        aht=aht,
        agents=agents,
        interval=interval,
        patience=np.inf if patience is None else patience,
    )
    check_finite("volume", volume, low=0.0)
    check_finite("aht", aht, low=0.0, low_inclusive=False)
    check_finite("agents", agents, low=0.0)
    check_finite("interval", interval, low=0.0, low_inclusive=False)
    check_finite("patience", patience, low=0.0, low_inclusive=False, allow_inf=True)
    return Queue(volume * aht / interval, agents, aht, patience, volume=volume), form


def _check_seconds(name, value):
    if value is not None:
        check_finite(name, np.asarray(value, dtype=float), low=0.0)


def _answered_share(queue, threshold, short_abandon, definition):
    if definition not in _DEFINITIONS:
        raise ValueError(f"definition must be one of {_DEFINITIONS}, got {definition!r}")
    if definition == "virtual":
        return 1.0 - queue.wait_tail(threshold)
    return queue.service_level(threshold, short_abandon)


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
    patience : numeric or None, default None
        Mean time callers wait before hanging up, exponentially distributed; None means callers
        never hang up (Erlang C), a value gives Erlang A (M/M/n+M). [s]
    short_abandon : numeric or None, default None
        If given, callers who hang up within this many seconds leave the denominator, as
        hotlines report it (short abandons are misdials, not lost service). [s]
    definition : {'answered', 'virtual'}, default 'answered'
        ``'answered'``: answered within the threshold divided by offered. ``'virtual'``: the
        probability that the virtual wait (the wait of a caller who never hangs up) is at most
        the threshold, ``P(V <= t)``. Both coincide under Erlang C.

    Returns
    -------
    numeric
        Service level in [0, 1]; 0 under Erlang C where the load reaches the agents.

    Notes
    -----
    Erlang C: ``SL = 1 - C exp(-(n - A) t / aht)``. Erlang A: ``SL = 1 - P(ab) - P(served, V > t)``
    with the waiting-time law in :mod:`erlang.queue`.

    References
    ----------
    O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient customers",
    M&SOM 4(3), 2002. A. Mandelbaum, S. Zeltyn, "The M/M/n+G queue: summary of performance
    measures", 2009.
    """
    queue, form = queue_state(volume, aht, agents, interval=interval, patience=patience)
    _check_seconds("threshold", threshold)
    _check_seconds("short_abandon", short_abandon)
    return wrap(_answered_share(queue, threshold, short_abandon, definition), form)


def answer_rate(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    patience: Numeric | None = None,
    cutoff: Numeric = 60.0,
    short_abandon: Numeric | None = None,
) -> Numeric:
    """Hotline answer rate: contacts answered within ``cutoff`` seconds divided by offered.

    A call still unanswered after ``cutoff`` seconds (60 s in the Chinese hotline standards)
    counts as unanswered even if an agent takes it later. Arguments as in
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
    )


def asa(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    patience: Numeric | None = None,
    callers: str = "answered",
) -> Numeric:
    """Average speed of answer: mean wait in queue. [s]

    Parameters
    ----------
    volume, aht, agents, interval, patience
        As in :func:`service_level`.
    callers : {'answered', 'all'}, default 'answered'
        ``'answered'``: mean wait of answered contacts (the hotline ASA). ``'all'``: mean time
        in queue over every caller, those who hang up included.

    Returns
    -------
    numeric
        Mean wait in seconds; ``inf`` where nothing is answered or (Erlang C) the load reaches
        the agents.

    Notes
    -----
    Erlang C: ``ASA = C aht / (n - A)``. Erlang A: mean wait over all callers is
    ``P(abandon) * patience`` (exact); the answered-caller mean follows from the derivative of
    the waiting-time Laplace transform, see :meth:`erlang.queue.Queue.mean_wait_answered`.
    """
    if callers not in _CALLERS:
        raise ValueError(f"callers must be one of {_CALLERS}, got {callers!r}")
    queue, form = queue_state(volume, aht, agents, interval=interval, patience=patience)
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
) -> Numeric:
    """Share of offered contacts that hang up before being answered.

    Zero under Erlang C (``patience=None``). With ``short_abandon`` (seconds), callers who hang
    up within that time are left out of both numerator and denominator, as hotlines report it.

    Returns
    -------
    numeric
        Abandonment rate in [0, 1].

    Notes
    -----
    Erlang A: ``P(ab) = P(W > 0) (1 - 1/ρ + 1/(ρ J))`` with ``ρ = λ / (nμ)`` and
    ``J = P(a, b) / pmf(a; b)`` (Garnett, Mandelbaum and Reiman, 2002).
    """
    queue, form = queue_state(volume, aht, agents, interval=interval, patience=patience)
    _check_seconds("short_abandon", short_abandon)
    return wrap(queue.abandon_rate(short_abandon), form)


def occupancy(
    volume: Numeric,
    aht: Numeric,
    agents: Numeric,
    *,
    interval: Numeric = 1800.0,
    patience: Numeric | None = None,
) -> Numeric:
    """Share of agent time spent handling contacts: carried load divided by agents.

    Returns
    -------
    numeric
        Occupancy in [0, 1]; 1 where contacts arrive and no agent is on.
    """
    queue, form = queue_state(volume, aht, agents, interval=interval, patience=patience)
    return wrap(queue.occupancy(), form)


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
) -> pd.DataFrame:
    """Every service metric per interval in one DataFrame.

    Arguments as in :func:`service_level`. Columns: ``volume``, ``aht``, ``agents``, ``load``
    [Erl], ``occupancy``, ``p_wait``, ``service_level``, ``asa`` [s, answered contacts],
    ``mean_wait`` [s, all contacts], ``abandon_rate``, ``short_abandon_rate``, ``answer_rate``.
    The index is the Series index of the input, else a RangeIndex.
    """
    queue, form = queue_state(volume, aht, agents, interval=interval, patience=patience)
    _check_seconds("threshold", threshold)
    _check_seconds("cutoff", cutoff)
    _check_seconds("short_abandon", short_abandon)
    short = np.zeros(queue.load.shape)
    if short_abandon is not None:
        short = queue.short_abandon(short_abandon)
    frame = pd.DataFrame(
        {
            "volume": np.ravel(queue.volume),
            "aht": np.ravel(queue.aht),
            "agents": np.ravel(queue.agents),
            "load": np.ravel(queue.load),
            "occupancy": np.ravel(queue.occupancy()),
            "p_wait": np.ravel(queue.p_wait),
            "service_level": np.ravel(queue.service_level(threshold, short_abandon)),
            "asa": np.ravel(queue.mean_wait_answered()),
            "mean_wait": np.ravel(queue.mean_wait_all()),
            "abandon_rate": np.ravel(queue.abandon_rate(short_abandon)),
            "short_abandon_rate": np.ravel(short),
            "answer_rate": np.ravel(queue.service_level(cutoff, short_abandon)),
        },
        index=form.index,
    )
    return frame
