"""Column generation of the roster master: its stability centre and its bound."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import get_calendar
from roster.people.bound import aggregate_bound
from roster.people.groups import Ceiling, make_groups, roster_context
from roster.people.inputs import prepare
from roster.people.master import column_generation
from roster.people.seed import first_roster, initial_master
from tests.roster.people.four_shifts import TEMPLATES
from tests.roster.people.test_bound import (
    DATES,
    DAYS,
    RULES,
    compact_optimum,
    integrality_gap_requirement,
)


def _setup(req, n_agents):
    p = prepare(req, TEMPLATES, n_agents, RULES, None, None, None, get_calendar(None), None)
    ctx = roster_context(p, RULES, Ceiling(600.0))
    feasible = np.ones(p.A, dtype=bool)
    groups = make_groups(ctx, None)
    agg, y_agg, _ = aggregate_bound(p, RULES, ctx.shift_cov, feasible)
    first = first_roster(ctx, groups, feasible, deadline=ctx.ceiling.end, max_sweeps=2)
    master = initial_master(ctx, first.groups, feasible, first.grids, y_agg)
    return p, ctx, first.groups, master, agg, np.clip(y_agg, -p.over_pen, p.under_pen)


def _lagrangian(p, ctx, groups, y):
    """L(y) = y . required + sum_g n_g min_p (c_p - a_p . y), priced independently."""
    value = ctx.shift_value(y)
    return float(y @ p.required) + sum(g.size * g.price(value)[0][0] for g in groups)


def _requirement(seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        rng.integers(0, 3, (DAYS, 4)), index=DATES, columns=["E", "L", "N", "M"]
    ).astype(float)


def test_a_given_centre_keeps_its_lagrangian_value_as_the_bound():
    p, ctx, groups, master, _, y_agg = _setup(_requirement(4), 3)
    centre_value = _lagrangian(p, ctx, groups, y_agg)
    # no bound handed in: the first round's bound is at least the centre's own value,
    # which a first smoothed point could otherwise replace with a worse one
    gen = column_generation(
        master, groups, ctx.shift_value, max_rounds=1, bound=-np.inf, center=y_agg
    )
    assert gen.bound >= centre_value - 1e-6


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), rounds=st.integers(1, 8), alpha=st.floats(0.0, 0.95))
def test_the_bound_of_any_round_is_below_the_exact_optimum(seed, rounds, alpha):
    req = _requirement(seed)
    n_agents = 3
    _, ctx, groups, master, _, y_agg = _setup(req, n_agents)
    gen = column_generation(
        master,
        groups,
        ctx.shift_value,
        max_rounds=rounds,
        bound=-np.inf,
        center=y_agg,
        alpha=alpha,
    )
    best = compact_optimum(req, n_agents, RULES)
    assert gen.bound <= best + 1e-6
    # the restricted LP over generated patterns is never below the bound
    assert gen.lp >= gen.bound - 1e-6 * max(1.0, abs(gen.lp))


def test_a_bound_above_the_lp_neither_stops_generation_nor_proves_the_lp():
    # the integer optimum of this instance is a valid bound above the LP over all patterns
    req = integrality_gap_requirement()
    best = compact_optimum(req, 3, RULES)
    _, ctx, groups, master, _, y_agg = _setup(req, 3)
    full = column_generation(
        master, groups, ctx.shift_value, max_rounds=200, bound=-np.inf, center=y_agg
    )
    assert full.converged and not full.met_given_bound
    assert full.lp < best - 1e-6
    assert full.lagrangian == pytest.approx(full.lp, rel=2e-4)

    _, ctx, groups, master, _, y_agg = _setup(req, 3)
    gen = column_generation(
        master, groups, ctx.shift_value, max_rounds=200, bound=best, center=y_agg
    )
    # the LP falls below the bound handed in, which stays the bound, and generation goes
    # on to prove the LP optimal by its own Lagrangian bound
    assert gen.met_given_bound and gen.converged
    assert gen.bound == best
    assert gen.lp == pytest.approx(full.lp, rel=2e-4)
    assert gen.lagrangian == pytest.approx(gen.lp, rel=2e-4)

    # within fewer rounds than it needs, it does not call the LP optimal, even with a
    # bound handed in above every LP
    _, ctx, groups, master, _, y_agg = _setup(req, 3)
    short = column_generation(
        master, groups, ctx.shift_value, max_rounds=2, bound=1e9, center=y_agg
    )
    assert short.lagrangian < short.lp - 1.0
    assert short.met_given_bound and not short.converged
