"""Chat queues: the CPU cost per interval of chat KPIs and exact chat staffing against today's
Erlang A staffing, and the chain's agreement with the session-by-session simulation, under the
balanced routing it assumes and under least-loaded routing without hand-over.

Run ``python -m benchmarks.erlang_chat`` (add ``--quick`` for a smaller run).
"""

import sys
import time

import numpy as np
import pandas as pd

import erlang
from erlang.chat import simulate_chat

INTERVAL = 1800.0
CHAT = erlang.Chat(max_sessions=3, slowdown=0.2)
PATIENCE = 120.0


def _workload(size, seed=0):
    """Half-hour intervals of up to 300 Erl (of full chat agents), AHT 3 to 7 minutes."""
    rng = np.random.default_rng(seed)
    aht = rng.uniform(180.0, 420.0, size)
    load = rng.uniform(0.5, 300.0, size)
    return load * INTERVAL / aht, aht


def _cpu_us(fn, size):
    start = time.process_time()
    result = fn()
    return result, (time.process_time() - start) / size * 1e6


def _speed(size):
    volume, aht = _workload(size)
    # compile and warm the start tables outside the timing
    erlang.required_agents(volume[:50], aht[:50], patience=PATIENCE)
    erlang.required_agents(volume[:50], aht[:50], patience=PATIENCE, chat=CHAT)
    hotline = erlang.Targets.hotline()
    rows = []
    for label, patience, targets in (
        ("80/20, Erlang C patience", None, erlang.Targets()),
        ("80/20, patience 120 s", PATIENCE, erlang.Targets()),
        ("hotline targets, patience 120 s", PATIENCE, hotline),
    ):
        _, erlang_a = _cpu_us(
            lambda t=targets: erlang.required_agents(volume, aht, patience=PATIENCE, targets=t),
            size,
        )
        agents, staff = _cpu_us(
            lambda p=patience, t=targets: erlang.required_agents(
                volume, aht, patience=p, targets=t, chat=CHAT
            ),
            size,
        )
        kpis, kpis_us = _cpu_us(
            lambda p=patience, t=targets, n=agents: erlang.kpis(
                volume, aht, n, patience=p, targets=t, chat=CHAT
            ),
            size,
        )
        rows.append(
            {
                "case": f"speed: {label}",
                "intervals": size,
                "chat_staffing_us_per_interval": staff,
                "chat_kpis_us_per_interval": kpis_us,
                "erlang_a_staffing_us_per_interval": erlang_a,
                "staffing_over_erlang_a": staff / erlang_a,
                "all_meet_targets": float(kpis.meets_targets.all()),
                "mean_agents": float(np.mean(agents)),
            }
        )
    return rows


def _agreement(quick):
    hours, replications = (100.0, 10) if quick else (400.0, 20)
    rows = []
    for chat in (erlang.Chat(1), erlang.Chat(2, slowdown=0.3), CHAT):
        for rho in (0.8, 0.95):
            for patience in (None, PATIENCE):
                agents = 10
                volume = rho * agents * chat.full_rate * INTERVAL / 300.0
                chain = erlang.kpis(volume, 300.0, agents, chat=chat, patience=patience).iloc[0]
                row = {
                    "case": f"agreement: k={chat.max_sessions}, rates {chat.rates[1:].round(3)}, "
                    f"load {rho:.2f} of full, patience {patience}",
                    "chain_service_level": chain.service_level,
                    "chain_p_wait": chain.p_wait,
                    "chain_busy_agents": chain.busy_agents,
                }
                for routing in ("balanced", "least_loaded"):
                    sim = simulate_chat(
                        volume, 300.0, agents, chat=chat, patience=patience, routing=routing,
                        hours=hours, replications=replications, confidence=0.999,
                    )  # fmt: skip
                    worst = max(
                        abs(chain[m] - sim.loc[m, "mean"]) / sim.loc[m, "half_width"]
                        for m in ("p_wait", "service_level", "abandon_rate", "occupancy")
                        if sim.loc[m, "half_width"] > 0
                    )
                    row[f"{routing}_service_level"] = sim.loc["service_level", "mean"]
                    row[f"{routing}_service_level_hw"] = sim.loc["service_level", "half_width"]
                    row[f"{routing}_busy_agents"] = sim.loc["busy_agents", "mean"]
                    row[f"{routing}_worst_gap_over_hw"] = worst
                rows.append(row)
    return rows


def run(quick: bool = False) -> pd.DataFrame:
    """Speed on 10 000 intervals (2 000 with ``quick``) and agreement on 12 cases."""
    return pd.DataFrame(_speed(2_000 if quick else 10_000) + _agreement(quick))


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    print(run(quick="--quick" in sys.argv).T.to_string(), file=sys.stderr)
