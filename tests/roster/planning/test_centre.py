"""The multi-skill plan: forecasts per queue, staffing per group, rosters, simulated service."""

import numpy as np
import pytest

from erlang.skills import Centre
from roster.planning.centre import plan_centre
from roster.planning.centre_report import plot_group_coverage, plot_queue_service
from roster.planning.samples import CARRIER_CENTRE, carrier_sample


@pytest.fixture(scope="module")
def sample():
    return carrier_sample()


def test_carrier_sample_is_a_long_history_of_the_centre(sample):
    history, centre = sample
    assert isinstance(centre, Centre)
    assert set(history["unique_id"]) == {q["name"] for q in CARRIER_CENTRE["queues"]}
    assert list(history.columns) == ["unique_id", "ds", "y"]
    # the VIP line is the smallest and answered first by the senior group
    daily = history.groupby("unique_id")["y"].sum() / history["ds"].dt.normalize().nunique()
    assert daily.idxmin() == "vip"
    assert centre.routing()[3][centre.queue_names.index("vip")] == 1


@pytest.mark.slow
def test_two_days_plan_meets_every_queue_with_clean_rosters(sample):
    history, centre = sample
    plan = plan_centre(history, centre, month="2026-01", days=2, replications=5, seed=3)
    summary = plan.summary()
    assert summary["violations_hard"] == 0
    assert summary["agents"] == summary["agents_needed"] > 0
    # the rosters work the staffing's shifts; the staffing spread each shift's meal over its
    # intervals where the roster places it in one, so a few intervals dip below (the
    # simulation below judges the service)
    assert summary["shortfall_agent_h"] < 0.06 * summary["required_agent_h"]
    for group, counts in plan.schedules.items():
        worked = plan.roster[plan.roster["group"] == group].groupby(["date", "shift"]).size()
        wanted = counts.set_index(["date", "shift"])["agents"]
        assert worked.sum() == wanted.sum()
    groups = plan.groups()
    assert list(groups.index) == centre.group_names
    assert set(plan.roster["group"]) <= set(centre.group_names)
    counts = plan.totals["group"].value_counts()
    assert all(counts.get(g, 0) == n for g, n in groups["agents"].items())
    # every queue meets its service-level target in the simulation of the rosters as built
    queues = plan.queues()
    assert (
        queues["service_level"] + queues["service_level_hw"] >= queues["target_service_level"]
    ).all()
    # pooling saves against each queue on its own Erlang pool
    assert plan.staffing.saved > 0.0
    cov = plan.coverage
    assert set(cov["group"]) == set(centre.group_names)
    assert np.isclose(
        cov.groupby("group")["required"].sum().sort_index(),
        plan.requirement.sum().sort_index(),
    ).all()
    # the figures name each group with its skills and each queue with its target
    fig = plot_group_coverage(plan)
    titles = [ax.get_title() for ax in fig.axes]
    for group in centre.groups:
        agents = int(groups.loc[group.name, "agents"])
        assert f"{group.name} ({', '.join(group.skills)}): {agents} agents" in titles
    labels = plot_queue_service(plan).axes[0].get_legend_handles_labels()[1]
    for queue in centre.queues:
        assert f"{queue.name}, simulated" in labels
        assert f"{queue.name} target ({float(queue.targets.threshold):g} s)" in labels


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda h: h.assign(unique_id=h["unique_id"].replace("vip", "gold")),
            r"queues \['gold'\]",
        ),
        (lambda h: h.drop(columns="unique_id"), "long frame with columns unique_id, ds, y"),
        (lambda h: h[h["unique_id"] != "vip"], r"centre queues \['vip'\] have no history"),
    ],
)
def test_bad_history_is_named(sample, change, message):
    history, centre = sample
    with pytest.raises(ValueError, match=message):
        plan_centre(change(history), centre, days=1)


def test_unknown_group_in_agents_is_named(sample):
    history, centre = sample
    with pytest.raises(ValueError, match=r"agents names unknown groups \['vips'\]"):
        plan_centre(history, centre, days=1, agents={"vips": 3})
    with pytest.raises(TypeError, match=r"centre must be an erlang\.skills\.Centre"):
        plan_centre(history, {"queues": []}, days=1)
