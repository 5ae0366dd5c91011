"""Service metrics of a chat queue per interval: what :func:`erlang.kpis` gives with ``chat=``."""

import numpy as np
import pandas as pd

from ..inputs import as_arrays, check_finite
from ..targets import Targets
from .chain import ChatQueue
from .model import Chat


def check_chat(chat, trunks):
    """The chat model is a :class:`Chat`, and no trunk cap comes with it."""
    if not isinstance(chat, Chat):
        raise TypeError(f"chat={chat!r} must be an erlang.Chat")
    if trunks is not None:
        raise ValueError(
            f"trunks={trunks!r} is not supported with chat=: chat sessions hold no trunk line"
        )


def check_whole(name, values):
    """Agents under chat are whole people: the chain spreads sessions over each of them."""
    bad = values != np.floor(values)
    if bad.any():
        raise ValueError(
            f"{name} must be whole numbers with chat=, got {float(values[bad].flat[0])!r}"
        )


def chat_state(volume, aht, agents, *, chat, interval=1800.0, patience=None, trunks=None):
    """Validate the arguments and build the chat chain per interval (flat arrays).

    Returns the :class:`~erlang.chat.chain.ChatQueue`, the volume, and the
    :class:`~erlang.inputs.Shape` to give results back in.
    """
    check_chat(chat, trunks)
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
    check_whole("agents", agents)
    check_finite("interval", interval, low=0.0, low_inclusive=False)
    check_finite("patience", patience, low=0.0, low_inclusive=False, allow_inf=True)
    volume, aht, agents, interval, patience = (
        x.ravel() for x in (volume, aht, agents, interval, patience)
    )
    load = volume * aht / interval
    return ChatQueue(load, agents, aht, patience, chat.rates), volume, form


def chat_kpis(
    volume,
    aht,
    agents,
    *,
    chat,
    interval=1800.0,
    threshold=20.0,
    patience=None,
    cutoff=60.0,
    short_abandon=None,
    trunks=None,
    targets=None,
) -> pd.DataFrame:
    """:func:`erlang.kpis` of a chat queue (``chat=`` given); arguments as there.

    ``aht`` is the handle time of a session served alone, ``agents`` whole agents. The columns
    are those of :func:`erlang.kpis`, with ``occupancy`` the share of the
    ``agents * max_sessions`` session slots in use, and one more, ``busy_agents``, the share of
    agents holding at least one session. ``blocking`` is 0: a trunk cap is not supported.
    """
    chosen = Targets.resolve(
        targets, threshold=threshold, cutoff=cutoff, short_abandon=short_abandon
    )
    threshold, cutoff, short_abandon = (
        chosen["threshold"], chosen["cutoff"], chosen["short_abandon"]
    )  # fmt: skip
    queue, volume, form = chat_state(
        volume, aht, agents, chat=chat, interval=interval, patience=patience, trunks=trunks
    )
    size = volume.size
    times = {"threshold": threshold, "cutoff": cutoff, "short_abandon": short_abandon}
    for name, value in times.items():
        if value is not None:
            check_finite(name, np.asarray(value, dtype=float), low=0.0)
            times[name] = np.broadcast_to(np.asarray(value, dtype=float), form.shape).ravel()
    short = np.zeros(size)
    if short_abandon is not None:
        short = queue.short_abandon(times["short_abandon"])
    frame = pd.DataFrame(
        {
            "volume": volume,
            "aht": queue.aht,
            "agents": queue.agents,
            "load": queue.load,
            "occupancy": queue.occupancy(),
            "busy_agents": queue.busy_agents(),
            "p_wait": queue.p_wait,
            "service_level": queue.service_level(times["threshold"], times["short_abandon"]),
            "asa": queue.mean_wait_answered(),
            "mean_wait": queue.mean_wait_all(),
            "abandon_rate": queue.abandon_rate(times["short_abandon"]),
            "short_abandon_rate": short,
            "answer_rate": queue.service_level(times["cutoff"], times["short_abandon"]),
            "blocking": queue.blocking,
        },
        index=form.index,
    )
    if targets is not None:
        frame["meets_targets"] = targets.met(frame)
    return frame
