"""Redials: the CPU cost per interval of the KPIs and of exact staffing with redials (the fixed
point of the attempts solved at every probe of the search) against Erlang A staffing without
them (and, with trunks, against trunk-capped staffing without them), on 10 000 half hours of
0.5 to 300 Erl (AHT 3 to 7 minutes, patience 120 s); and the agreement of the stationary fixed
point with the call-level simulation (``roster.simulate`` with redials) on a few stationary
cases, where the fixed point's own error shows; and, free of simulation noise, against the exact
Markov chain of the queue with an orbit of callers waiting to redial, as the mean delay falls
from 5 AHT to 0.2 AHT (where the fixed point, which takes redials as Poisson, is optimistic).
The exact chain itself (``Redials(method="chain")``, :mod:`erlang.retrial`) has its own rows:
milliseconds of CPU per interval for its KPIs and its exact staffing at 4, 20, 80 and 200 Erl,
and the agents it adds to the fixed point's staffing.

Run ``python -m benchmarks.erlang_redials`` (add ``--quick`` for fewer simulated cases).
"""

import sys
import time

import numpy as np
import pandas as pd

import erlang
import roster

INTERVAL = 1800.0
SIZE = 10_000


def _cpu(fn, repeats=3):
    """Result and the least CPU seconds over ``repeats`` runs (robust to a busy machine)."""
    best = np.inf
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return result, best


def _speed_rows():
    rng = np.random.default_rng(0)
    aht = rng.uniform(180.0, 420.0, SIZE)
    volume = rng.uniform(0.5, 300.0, SIZE) * INTERVAL / aht
    trunks = np.ceil(1.25 * volume * aht / INTERVAL + 10.0)
    erlang.required_agents(volume[:10], aht[:10], patience=120.0)  # warm the start tables
    base, t_base = _cpu(lambda: erlang.required_agents(volume, aht, patience=120.0))
    _, t_kpis = _cpu(lambda: erlang.kpis(volume, aht, base, patience=120.0))
    capped, t_capped = _cpu(
        lambda: erlang.required_agents(volume, aht, patience=120.0, trunks=trunks)
    )
    _, t_capped_kpis = _cpu(
        lambda: erlang.kpis(volume, aht, capped, patience=120.0, trunks=trunks)
    )
    rows = [
        {"case": "Erlang A, no redials", "staffing_us": t_base / SIZE * 1e6,
         "kpis_us": t_kpis / SIZE * 1e6, "staffing_vs_erlang_a": 1.0,
         "staffing_vs_no_redials": 1.0, "mean_extra_agents": 0.0},
        {"case": "Erlang A with trunks, no redials", "staffing_us": t_capped / SIZE * 1e6,
         "kpis_us": t_capped_kpis / SIZE * 1e6, "staffing_vs_erlang_a": t_capped / t_base,
         "staffing_vs_no_redials": 1.0, "mean_extra_agents": 0.0},
    ]  # fmt: skip
    cases = (
        ("p 0.5, targets on attempts", erlang.Redials(0.5), None),
        ("p 0.5, targets on callers", erlang.Redials(0.5, targets_on="callers"), None),
        ("p 0.8, targets on attempts", erlang.Redials(0.8), None),
        ("p 0.5, busy tone 0.9, trunks", erlang.Redials(0.5, blocked_probability=0.9), trunks),
    )
    for label, redials, cap in cases:
        agents, t_staff = _cpu(
            lambda r=redials, k=cap: erlang.required_agents(
                volume, aht, patience=120.0, trunks=k, redials=r
            )
        )
        _, t_k = _cpu(
            lambda r=redials, k=cap, n=agents: erlang.kpis(
                volume, aht, n, patience=120.0, trunks=k, redials=r
            )
        )
        rows.append(
            {"case": label, "staffing_us": t_staff / SIZE * 1e6, "kpis_us": t_k / SIZE * 1e6,
             "staffing_vs_erlang_a": t_staff / t_base,
             "staffing_vs_no_redials": t_staff / (t_base if cap is None else t_capped),
             "mean_extra_agents": float(np.mean(agents - (base if cap is None else capped)))}
        )  # fmt: skip
    return rows


CHAIN_LOADS = (4.0, 20.0, 80.0, 200.0)


def _chain_speed_rows(quick):
    """CPU per interval of the exact retrial chain (``Redials(method="chain")``): the KPIs at
    its staffing and the exact staffing itself, AHT 300 s, half hours, patience 120 s, 80% in
    20 s; five intervals a load (volumes within 3%), against the fixed point on the same."""
    rng = np.random.default_rng(1)
    kw = {"patience": 120.0}
    cases = [(0.5, 300.0), (0.7, 60.0), (0.7, 1500.0)]
    rows = []
    for p, delay in cases[:1] if quick else cases:
        for load in CHAIN_LOADS:
            volume = load * INTERVAL / 300.0 * rng.uniform(0.97, 1.03, 5)
            chain = erlang.Redials(p, delay=delay, method="chain")
            fixed = erlang.Redials(p, delay=delay)
            agents, t_staff = _cpu(
                lambda r=chain, v=volume: erlang.required_agents(v, 300.0, redials=r, **kw), 1
            )
            frame, t_kpis = _cpu(
                lambda r=chain, v=volume, n=agents: erlang.kpis(v, 300.0, n, redials=r, **kw), 1
            )
            base = erlang.required_agents(volume, 300.0, redials=fixed, **kw)
            # The fixed point per interval over a batch (on five alone, overhead dominates).
            many = np.tile(volume, 200)
            _, t_fixed = _cpu(
                lambda r=fixed, v=many: erlang.required_agents(v, 300.0, redials=r, **kw)
            )
            rows.append(
                {"case": f"chain p {p}, delay {delay:.0f} s, {load:.0f} Erl",
                 "chain_staffing_ms": t_staff / volume.size * 1e3,
                 "chain_kpis_ms": t_kpis / volume.size * 1e3,
                 "fixed_point_staffing_ms": t_fixed / many.size * 1e3,
                 "chain_extra_agents": float(np.mean(agents - base)),
                 "chain_truncation": float(frame["truncation"].max())}
            )  # fmt: skip
    return rows


def _agreement_rows(quick):
    cases = [(0.3, 600.0, 100, 60.0, 300.0), (0.7, 600.0, 100, 60.0, 300.0),
             (0.7, 600.0, 100, 60.0, 60.0), (0.7, 100.0, 20, 300.0, 300.0)]  # fmt: skip
    if quick:
        cases = cases[:2]
    rows = []
    for p, volume, agents, patience, delay in cases:
        r = erlang.Redials(p, delay=delay)
        result = roster.simulate(
            np.full(96, volume), 300.0, np.full(96, agents), interval=INTERVAL,
            patience=patience, seed=1, replications=10, warmup=3600.0, redials=r,
        )  # fmt: skip
        body = slice(4, -8)
        attempts, callers = result.summary(body), result.callers.summary(body)
        fp = erlang.kpis(volume, 300.0, agents, patience=patience, redials=r).iloc[0]
        rows.append(
            {
                "case": f"sim p {p}, {volume * 300 / INTERVAL:.0f} Erl, {agents} agents, "
                f"patience {patience:.0f} s, delay {delay:.0f} s",
                "attempts_per_caller_fixed_point": fp["attempts"] / volume,
                "attempts_per_caller_sim": attempts.loc["offered", "mean"]
                / callers.loc["fresh", "mean"],
                "service_level_fixed_point": fp["service_level"],
                "service_level_sim": attempts.loc["service_level", "mean"],
                "service_level_half_width": attempts.loc["service_level", "half_width"],
                "served_share_fixed_point": fp["served_share"],
                "served_share_sim": callers.loc["served_share", "mean"],
                "served_share_half_width": callers.loc["served_share", "half_width"],
            }
        )
    return rows


def _chain_rows(quick):
    """The fixed point against the exact retrial chain (exponential delays), 20 Erl, AHT 300 s,
    patience 60 s, staffed for 80% in 20 s without redials."""
    from tests.erlang.retrial_chain import retrial_chain

    aht, patience, rate = 300.0, 60.0, 20.0 / 300.0
    agents = int(erlang.required_agents(rate * INTERVAL, aht, patience=patience))
    trunks = agents + 60  # enough room that nobody is blocked (mass beyond below 1e-12)
    rows = []
    for p in (0.7,) if quick else (0.3, 0.7):
        r = erlang.Redials(p)
        fp = erlang.kpis(rate * INTERVAL, aht, agents, patience=patience, redials=r).iloc[0]
        for ratio in (0.2, 1.0, 5.0):
            orbit = int(40 + 2 * ratio * 30)
            exact = retrial_chain(rate, aht, agents, patience, p, p, ratio * aht, trunks, orbit)
            rows.append(
                {
                    "case": f"chain p {p}, 20 Erl, {agents} agents, patience 60 s, "
                    f"delay {ratio:g} AHT",
                    "attempts_per_caller_fixed_point": fp["attempts"] / (rate * INTERVAL),
                    "attempts_per_caller_chain": exact["attempts"] / rate,
                    "abandon_rate_fixed_point": fp["abandon_rate"],
                    "abandon_rate_chain": exact["abandon_rate"],
                    "served_share_fixed_point": fp["served_share"],
                    "served_share_chain": exact["served_share"],
                }
            )
    return rows


def run(quick: bool = False) -> pd.DataFrame:
    """Speed rows (µs of CPU per interval; ms for the exact chain), simulation and
    exact-chain agreement rows."""
    rows = _speed_rows() + _chain_speed_rows(quick) + _agreement_rows(quick)
    return pd.DataFrame(rows + _chain_rows(quick))


if __name__ == "__main__":
    table = run(quick="--quick" in sys.argv)
    print(table.T.to_string())
