"""One plain queue per interval (Erlang C, Erlang A, M/M/n+G or a trunk cap; no redials or
chat): the queue object its arguments call for (:func:`queue_state`) and every metric of it in
one frame (:func:`queue_kpis`). The options of :func:`erlang.kpis` build on these."""

import numpy as np
import pandas as pd

from .inputs import as_arrays, check_finite
from .patience.queue import PatienceQueue, split_patience
from .queue import Queue
from .targets import Targets
from .trunks import TrunkQueue, check_trunks


def queue_state(volume, aht, agents, *, interval=1800.0, patience=None, trunks=None):
    """Validate the common arguments and build the queue per interval.

    Returns the :class:`~erlang.queue.Queue` (a :class:`~erlang.trunks.TrunkQueue` with
    ``trunks``) and the :class:`~erlang.inputs.Shape` to restore. A patience law other than
    the exponential gives a :class:`~erlang.patience.queue.PatienceQueue` (M/M/n+G).
    """
    patience, law = split_patience(patience, trunks)
    arguments = {
        "volume": volume,
        "aht": aht,
        "agents": agents,
        "interval": interval,
        "patience": np.inf if patience is None else patience,
    }
    if trunks is not None:
        arguments["trunks"] = trunks
    arrays, form = as_arrays(**arguments)
    volume, aht, agents, interval, patience = arrays[:5]
    check_finite("volume", volume, low=0.0)
    check_finite("aht", aht, low=0.0, low_inclusive=False)
    check_finite("agents", agents, low=0.0)
    check_finite("interval", interval, low=0.0, low_inclusive=False)
    check_finite("patience", patience, low=0.0, low_inclusive=False, allow_inf=True)
    load = volume * aht / interval
    if law is not None:
        return PatienceQueue(load, agents, aht, law, volume=volume), form
    if trunks is None:
        return Queue(load, agents, aht, patience, volume=volume), form
    check_trunks(arrays[5], agents)
    return TrunkQueue(load, agents, aht, patience, volume=volume, trunks=arrays[5]), form


def check_seconds(name, value):
    if value is not None:
        check_finite(name, np.asarray(value, dtype=float), low=0.0)


def queue_kpis(
    volume, aht, agents, *, interval=1800.0, threshold=20.0, patience=None, cutoff=60.0,
    short_abandon=None, trunks=None, targets=None,
) -> pd.DataFrame:  # fmt: skip
    """:func:`erlang.kpis` of the plain queue: the same arguments without ``chat`` and
    ``redials``, the same columns; ``patience`` as :func:`erlang.patience.queue.erlang_a_options`
    has checked it."""
    chosen = Targets.resolve(
        targets, threshold=threshold, cutoff=cutoff, short_abandon=short_abandon
    )
    threshold, cutoff, short_abandon = (
        chosen["threshold"], chosen["cutoff"], chosen["short_abandon"]
    )  # fmt: skip
    queue, form = queue_state(
        volume, aht, agents, interval=interval, patience=patience, trunks=trunks
    )
    check_seconds("threshold", threshold)
    check_seconds("cutoff", cutoff)
    check_seconds("short_abandon", short_abandon)
    if isinstance(queue, PatienceQueue):  # every answer-time tail in one pass
        queue.prepare(threshold, cutoff, short_abandon)
    return kpis_frame(queue, threshold, cutoff, short_abandon, targets, form.index)


def kpis_frame(queue, threshold, cutoff, short_abandon, targets, index):
    """The frame of :func:`queue_kpis` from any queue object with the metric methods of
    :class:`~erlang.queue.Queue` (the retrial chain's :class:`~erlang.retrial.ChainQueue`
    too); times checked by the caller."""
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
            "blocking": np.ravel(queue.blocking),
        },
        index=index,
    )
    if targets is not None:
        frame["meets_targets"] = targets.met(frame)
    return frame
