"""The bundled multi-queue sample: a carrier line of three queues and four agent groups."""

from __future__ import annotations

import pandas as pd

import forecast as fc
from erlang.skills import Centre

__all__ = ["CARRIER_CENTRE", "CARRIER_DAILY_VOLUME", "carrier_sample"]

#: The carrier line's centre as a TOML-style table (:meth:`erlang.skills.Centre.from_dict`):
#: pre-sales and after-sales at 80/20, a VIP line at 90/15 answered first; dedicated sales and
#: service groups, a senior tier 15% faster taking every queue (the VIP line first) and a
#: junior tier 25% slower taking both ordinary queues.
CARRIER_CENTRE = {
    "queues": [
        {"name": "presales", "aht": 240.0, "patience": 90.0},
        {"name": "aftersales", "aht": 360.0, "patience": 120.0},
        {
            "name": "vip",
            "aht": 300.0,
            "patience": 60.0,
            "priority": 1,
            "targets": {"service_level": 0.9, "threshold": 15.0},
        },
    ],
    "groups": [
        {"name": "sales", "skills": ["presales"]},
        {"name": "service", "skills": ["aftersales"]},
        {
            "name": "senior",
            "skills": ["vip", "aftersales", "presales"],
            "aht_factor": 0.85,
            "rank": {"aftersales": 1, "presales": 1},
        },
        {"name": "junior", "skills": ["presales", "aftersales"], "aht_factor": 1.25},
    ],
}

#: Expected contacts per queue on an ordinary Wednesday of the carrier sample.
CARRIER_DAILY_VOLUME = {"presales": 1800.0, "aftersales": 1400.0, "vip": 300.0}


def carrier_sample(seed: int = 0) -> tuple[pd.DataFrame, Centre]:
    """Two years (2024-2025) of 30-minute history of a carrier line, and its centre.

    Returns
    -------
    history : pandas.DataFrame
        Long frame ``unique_id`` (the queue), ``ds``, ``y``: each queue a synthetic hotline
        (:func:`forecast.synthetic_hotline`) of its own volume and seed.
    centre : erlang.skills.Centre
        :data:`CARRIER_CENTRE`.
    """
    frames = []
    for k, (queue, daily) in enumerate(CARRIER_DAILY_VOLUME.items()):
        sample = fc.synthetic_hotline(
            start="2024-01-01", end="2025-12-31", seed=seed + k, daily_volume=daily, outage=False
        )
        y = sample.volume.rename("y").rename_axis("ds").reset_index()
        frames.append(y.assign(unique_id=queue)[["unique_id", "ds", "y"]])
    history = pd.concat(frames, ignore_index=True)
    return history, Centre.from_dict(CARRIER_CENTRE, source="carrier sample")
