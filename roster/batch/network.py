"""A network of synthetic hotlines: many queues of different sizes, patterns and holidays.

Each queue is a :func:`forecast.synthetic_hotline` of its own volume, growth, heating-season
swell, day-level noise, handle time and calendar (most follow the mainland Chinese calendar,
some the Hong Kong or Macau one), and some centres close at night. It is the test bed of
:func:`roster.plan_many`: a provincial 12345 platform with one line per city, or a carrier with
several queues per provincial centre.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SyntheticNetwork", "queue_seed", "synthetic_network"]

#: Calendars of the network's queues and the share of queues following each.
CALENDAR_SHARES = {"CN": 0.8, "HK": 0.1, "MO": 0.1}
#: Opening hours of the queues that close at night. [s after midnight]
DAY_HOURS = (8 * 3600, 20 * 3600)


def queue_seed(seed: int, unique_id) -> int:
    """A seed for one queue, from the batch's seed and the queue's id.

    The id is hashed with BLAKE2b (stable across processes and machines, unlike Python's
    ``hash``) and mixed with ``seed`` by :class:`numpy.random.SeedSequence`, so that a queue
    draws the same numbers whichever worker runs it and whatever other queues are in the
    batch.

    Parameters
    ----------
    seed : int
        Seed of the batch, >= 0.
    unique_id : object
        The queue's id; its ``str`` is hashed.

    Returns
    -------
    int
        A 63-bit seed.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    digest = hashlib.blake2b(str(unique_id).encode("utf-8"), digest_size=8).digest()
    words = np.random.SeedSequence([int(seed), int.from_bytes(digest, "little")])
    return int(words.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


@dataclass(frozen=True, eq=False)
class SyntheticNetwork:
    """A generated network of hotlines.

    Attributes
    ----------
    history : pandas.DataFrame
        Long frame ``unique_id``, ``ds`` (interval start), ``y`` (contacts, float) and ``aht``
        (mean handle time of the interval [s]); night intervals absent for queues that close.
    settings : pandas.DataFrame
        One row per queue: ``unique_id``, ``calendar`` (code), ``service_level``,
        ``threshold`` [s], ``patience`` [s], and the generator's parameters
        ``daily_volume`` [contacts/day], ``growth``, ``winter_swell``, ``day_noise``,
        ``aht_mean`` [s], ``night_closed``.
    """

    history: pd.DataFrame
    settings: pd.DataFrame


def synthetic_network(
    n_queues: int,
    start="2025-01-01",
    end="2025-12-31",
    freq="30min",
    seed: int = 0,
    *,
    min_volume: float = 200.0,
    max_volume: float = 20000.0,
) -> SyntheticNetwork:
    """Generate ``n_queues`` hotline histories of different sizes, patterns and holidays.

    Parameters
    ----------
    n_queues : int
        Number of queues, >= 1; their ids are ``q0000``, ``q0001`` ...
    start, end : str or Timestamp
        First and last day of every history (inclusive).
    freq : int, str or Timedelta, default ``"30min"``
        Interval length (int: seconds).
    seed : int, default 0
        Seed of the network: each queue draws from :func:`queue_seed` of it and its id.
    min_volume, max_volume : float
        Range of the queues' contacts on an ordinary Wednesday, drawn log-uniformly.
        [contacts/day]

    Returns
    -------
    SyntheticNetwork

    Notes
    -----
    Per queue, from its own generator: the daily volume log-uniform in
    [``min_volume``, ``max_volume``], yearly growth uniform in [-5%, 15%], heating-season swell
    in [0, 25%], day noise in [2%, 10%], mean AHT uniform in [200, 480] s, the calendar by
    :data:`CALENDAR_SHARES`, one queue in five closed outside :data:`DAY_HOURS`, one in three
    with the outage of :func:`forecast.synthetic_hotline`; the service level 0.8 or, for one
    queue in ten (a VIP line), 0.9 within 15 s instead of 20 s; patience uniform in [40, 120] s.
    """
    from forecast.synthetic import synthetic_hotline

    if isinstance(n_queues, bool) or not isinstance(n_queues, int | np.integer) or n_queues < 1:
        raise ValueError(f"n_queues must be a whole number >= 1, got {n_queues!r}")
    if not 0 < min_volume <= max_volume:
        raise ValueError(
            f"min_volume, max_volume must satisfy 0 < min <= max, got {min_volume!r}, "
            f"{max_volume!r}"
        )
    codes, shares = list(CALENDAR_SHARES), list(CALENDAR_SHARES.values())
    frames, rows = [], []
    for number in range(int(n_queues)):
        uid = f"q{number:04d}"
        rng = np.random.default_rng(queue_seed(seed, uid))
        p = {
            "daily_volume": float(np.exp(rng.uniform(np.log(min_volume), np.log(max_volume)))),
            "growth": float(rng.uniform(-0.05, 0.15)),
            "winter_swell": float(rng.uniform(0.0, 0.25)),
            "day_noise": float(rng.uniform(0.02, 0.10)),
            "aht_mean": float(rng.uniform(200.0, 480.0)),
        }
        calendar = str(rng.choice(codes, p=shares))
        night_closed = bool(rng.random() < 0.2)
        outage = bool(rng.random() < 1 / 3)
        vip = bool(rng.random() < 0.1)
        patience = float(np.round(rng.uniform(40.0, 120.0)))
        line = synthetic_hotline(
            start,
            end,
            freq,
            seed=int(rng.integers(2**32)),
            calendar=calendar,
            outage=outage,
            **p,
        )
        volume, aht = line.volume, line.aht
        if night_closed:
            tod = ((volume.index - volume.index.normalize()) / pd.Timedelta(seconds=1)).to_numpy()
            keep = (tod >= DAY_HOURS[0]) & (tod < DAY_HOURS[1])
            volume, aht = volume[keep], aht[keep]
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": volume.index.to_numpy(),
                    "y": volume.to_numpy(dtype=float),
                    "aht": aht.to_numpy(dtype=float),
                }
            )
        )
        rows.append(
            {
                "unique_id": uid,
                "calendar": calendar,
                "service_level": 0.9 if vip else 0.8,
                "threshold": 15.0 if vip else 20.0,
                "patience": patience,
                **p,
                "night_closed": night_closed,
            }
        )
    history = pd.concat(frames, ignore_index=True)
    return SyntheticNetwork(history=history, settings=pd.DataFrame(rows))
