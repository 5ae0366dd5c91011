"""Staffing many queues at once from a long frame, in one vectorized pass over every queue's
intervals."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pandas as pd

from .staffing import required_agents
from .targets import Targets

__all__ = ["required_agents_by_queue"]

_TARGET_FIELDS = tuple(f.name for f in fields(Targets))


def required_agents_by_queue(
    frame: pd.DataFrame,
    settings: pd.DataFrame | None = None,
    *,
    volume: str = "y",
    aht="aht",
    interval: float = 1800.0,
    targets: Targets | None = None,
    patience: float | None = None,
    shrinkage: float = 0.0,
) -> pd.Series:
    """Fewest agents per interval meeting every target, for every queue of a long frame.

    Each queue's targets and patience (its row of ``settings``) are laid on its intervals and
    :func:`erlang.required_agents` runs once over all rows: the result equals a loop over the
    queues, in one vectorized call.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame with ``unique_id``, the ``volume`` column [contacts per interval] and, if
        ``aht`` names a column, the handle time per row. [s]
    settings : pandas.DataFrame, optional
        One row per queue: ``unique_id`` and any of the fields of :class:`erlang.Targets`
        (``service_level``, ``threshold`` [s], ``asa`` [s] ...) and ``patience`` [s]; a NaN or
        absent value takes the default of ``targets`` / ``patience``.
    volume : str, default ``"y"``
        Column of contacts per interval.
    aht : str or float, default ``"aht"``
        Column of handle times, or one handle time for every row. [s]
    interval : float, default 1800
        Interval length. [s]
    targets : erlang.Targets, optional
        Default targets (``erlang.Targets()``: 80% within 20 s).
    patience : float or None
        Default mean patience for Erlang A; None for Erlang C. [s]
    shrinkage : float, default 0
        Share of scheduled time not on the phones (see :func:`erlang.required_agents`).

    Returns
    -------
    pandas.Series
        Agents per row of ``frame``, on its index. [agents]

    Raises
    ------
    ValueError
        Missing columns, a settings row for a queue twice, a target missing for some queues
        without a default, or patience given for some queues but not all under Erlang C.

    Notes
    -----
    The targets are the same staffing problem per interval as in
    :func:`erlang.required_agents` (exact minimum: ``n`` agents meet every target, ``n - 1``
    do not); here each target is an array over the rows.
    """
    targets = Targets() if targets is None else targets
    need = {"unique_id", volume} | ({aht} if isinstance(aht, str) else set())
    lacking = need - set(frame.columns)
    if lacking:
        raise ValueError(f"frame: lacks columns {sorted(lacking)}")
    per_row = {}
    chosen_patience = patience
    if settings is not None and len(settings):
        if "unique_id" not in settings.columns:
            raise ValueError("settings: needs a unique_id column")
        if settings["unique_id"].duplicated().any():
            uid = settings["unique_id"][settings["unique_id"].duplicated()].iloc[0]
            raise ValueError(f"settings: unique_id={uid!r} has several rows")
        table = settings.set_index("unique_id")
        for name in (*_TARGET_FIELDS, "patience"):
            if name not in table.columns:
                continue
            default = patience if name == "patience" else getattr(targets, name)
            values = frame["unique_id"].map(table[name]).to_numpy(dtype=float)
            missing = np.isnan(values)
            if missing.any():
                if default is None:
                    uid = frame["unique_id"].to_numpy()[missing][0]
                    raise ValueError(
                        f"settings: {name} is missing for unique_id={uid!r} and has no default"
                    )
                values = np.where(missing, float(default), values)
            per_row[name] = values
        chosen_patience = per_row.pop("patience", patience)
    row_targets = replace(targets, **per_row) if per_row else targets
    handle = frame[aht].to_numpy(dtype=float) if isinstance(aht, str) else aht
    agents = required_agents(
        frame[volume].to_numpy(dtype=float),
        handle,
        interval=interval,
        patience=chosen_patience,
        shrinkage=shrinkage,
        targets=row_targets,
    )
    return pd.Series(np.asarray(agents), index=frame.index, name="agents")
