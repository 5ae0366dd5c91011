"""The plan and the command line with the queue options beyond Erlang C/A: patience laws
(given or measured from call records), redials and chat."""

import numpy as np
import pandas as pd
import pytest

import erlang
import forecast
from roster.planning.cli import main
from roster.planning.pipeline import plan
from roster.planning.queue_model import QueueModel, parse_patience_law

WEIBULL = erlang.Weibull.from_mean(120.0, 0.7)


def call_records(n=3000, seed=0, law=WEIBULL):
    """Call records of a day whose callers' patience follows ``law``: waits exponential with
    mean 40 s, a caller abandons when their patience runs out first."""
    rng = np.random.default_rng(seed)
    arrival = pd.Timestamp("2026-02-02 08:00") + pd.to_timedelta(
        np.sort(rng.uniform(0, 12 * 3600, n)), "s"
    )
    wait = rng.exponential(40.0, n)
    patience = law.sample(rng, n)
    answered = wait <= patience
    handle = rng.exponential(300.0, n)
    answer = pd.Series(arrival + pd.to_timedelta(wait, "s")).where(answered)
    end = np.where(
        answered,
        arrival + pd.to_timedelta(wait + handle, "s"),
        arrival + pd.to_timedelta(patience, "s"),
    )
    return pd.DataFrame({"arrival": arrival, "answer": answer, "end": pd.to_datetime(end)})


# --- the queue model ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "law"),
    [
        ("weibull:shape=0.7,mean=120", WEIBULL),
        (" Weibull: mean=120 , shape=0.7 ", WEIBULL),
        ("lognormal:mean=90,cv=1.5", erlang.LogNormal.from_cv(90.0, 1.5)),
        ("deterministic:value=45", erlang.Deterministic(45.0)),
        ("exponential:mean=60", erlang.Exponential(60.0)),
    ],
)
def test_patience_law_spelling(text, law):
    assert parse_patience_law(text) == law


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gamma:mean=3", "unknown law 'gamma'"),
        ("weibull:shape=0.7", "weibull needs mean"),
        ("weibull:shape=x,mean=120", "shape='x' is not a number"),
        ("weibull:shape=0.7,mean=120,cv=1", "'cv=1' is not one of"),
        ("weibull:shape=-1,mean=120", "shape must be a finite number > 0"),
    ],
)
def test_patience_law_spelling_errors_name_where_and_what(text, message):
    with pytest.raises(ValueError, match="--patience-law") as err:
        parse_patience_law(text, where="--patience-law")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_queue_model_describes_itself():
    hotline = erlang.Targets.hotline()
    assert QueueModel(hotline, None, None).describe() == "Erlang C (nobody hangs up)"
    assert QueueModel(hotline, 60.0, 90).describe() == (
        "Erlang A (exponential patience, mean 60 s), 90 trunk lines"
    )
    assert QueueModel(hotline, WEIBULL, None).describe() == (
        "Weibull patience (shape 0.7, mean 120 s)"
    )
    redials = erlang.Redials(0.6, 300.0, blocked_probability=0.8, targets_on="callers")
    assert (
        QueueModel(hotline, 60.0, 90, redials=redials)
        .describe()
        .endswith("redials p=0.6 (busy tone 0.8) after 300 s, targets on callers")
    )
    chat = QueueModel(hotline, 120.0, None, chat=erlang.Chat(3, slowdown=0.25))
    assert chat.describe().endswith("chat up to 3 sessions per agent (slowdown 0.25)")
    fit = erlang.fit_patience(call_records())
    fitted = QueueModel(hotline, fit, None)
    assert fitted.patience == fit.law and fitted.fit is fit
    assert fitted.describe().startswith("patience measured: Kaplan-Meier restricted mean")
    assert f"from {fit.calls:,} calls ({fit.abandons:,} abandoned" in fitted.describe()
    assert QueueModel(hotline, 60.0, None).simulation_note is None
    assert "pool" in QueueModel(hotline, 60.0, None, redials=redials).simulation_note
    assert "simulate_chat" in chat.simulation_note


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"chat": erlang.Chat(2), "redials": erlang.Redials(0.5)}, "chat with redials"),
        ({"patience": WEIBULL, "trunks": 90}, "trunks with a non-exponential patience law"),
        ({"patience": WEIBULL, "redials": erlang.Redials(0.5)}, "redials with patience="),
        ({"patience": WEIBULL, "chat": erlang.Chat(2)}, "chat with patience="),
        ({"redials": 0.5}, "must be an erlang.Redials"),
    ],
)
def test_plan_refuses_options_that_do_not_combine_before_any_work(options, message):
    steps = []
    volume = pd.Series(100.0, index=pd.date_range("2026-02-02", periods=28 * 48, freq="30min"))
    with pytest.raises((TypeError, ValueError), match=message):
        plan(volume, aht=300.0, progress=lambda *a: steps.append(a), **options)
    assert steps == []  # refused before the history step started


def test_kpis_of_a_chat_roster_interpolate_between_whole_agents():
    queue = QueueModel(erlang.Targets.hotline(), 120.0, None, chat=erlang.Chat(3, slowdown=0.2))
    volume = pd.Series([300.0, 600.0])
    low = queue.kpis(volume, 300.0, np.array([20.0, 40.0]), interval=1800)
    high = queue.kpis(volume, 300.0, np.array([21.0, 41.0]), interval=1800)
    mid = queue.kpis(volume, 300.0, np.array([20.25, 40.25]), interval=1800)
    expected = 0.75 * low["service_level"] + 0.25 * high["service_level"]
    np.testing.assert_allclose(mid["service_level"], expected)
    assert (mid["agents"] == [20.25, 40.25]).all()


# --- plans with each option -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return forecast.synthetic_hotline(
        start="2026-02-02", end="2026-02-28", seed=1, daily_volume=800, outage=False
    )


def two_days(sample, **options):
    short = {"month": "2026-03", "days": 2, "agents": 30, "replications": 2, "time_limit": 5}
    return plan(sample.volume, aht=sample.aht, seed=1, **{**short, **options})


def check_requirement_and_kpis(result, **model):
    """Requirement and KPIs are the erlang functions with the plan's queue options."""
    req = result.requirement
    keywords = {"interval": 1800, "targets": result.targets, **model}
    expected = erlang.required_agents(req["volume"], req["aht"], **keywords)
    assert (req["productive"] == expected).all()
    on_phones = result.coverage["on_phones"]
    if model.get("chat") is None:
        kpis = erlang.kpis(req["volume"], req["aht"], on_phones, **keywords)
        pd.testing.assert_series_equal(result.kpis["service_level"], kpis["service_level"])


def test_plan_with_a_patience_law(sample):
    result = two_days(sample, patience=WEIBULL)
    check_requirement_and_kpis(result, patience=WEIBULL)
    assert result.patience == WEIBULL
    assert result.queue_model == "Weibull patience (shape 0.7, mean 120 s)"
    assert result.summary()["queue_model"] == result.queue_model
    assert result.notes == ()  # named agents on their shifts, callers drawn from the law
    assert result.simulation_result is not None and len(result.simulation) == 96
    # against Erlang A at the same mean, this heavy-headed law needs fewer agents at the peak
    # hours: more of its callers leave at once, and the rest are patient
    erlang_a = erlang.required_agents(
        result.requirement["volume"], result.requirement["aht"], targets=result.targets,
        patience=120.0,
    )  # fmt: skip
    assert result.requirement["productive"].sum() != erlang_a.sum()


@pytest.mark.slow
def test_plan_with_a_fitted_patience(sample):
    fit = erlang.fit_patience(call_records())
    result = two_days(sample, patience=fit, replications=0)
    check_requirement_and_kpis(result, patience=fit.law)
    assert result.patience == fit.law
    assert f"from {fit.calls:,} calls" in result.queue_model


@pytest.mark.slow
def test_plan_with_redials_simulates_the_agents_on_the_phones_as_a_pool(sample):
    redials = erlang.Redials(0.6, 300.0)
    result = two_days(sample, redials=redials)
    check_requirement_and_kpis(result, patience=60.0, redials=redials)
    assert "attempts" in result.kpis and "caller_service_level" in result.kpis
    assert result.redials == redials and "redials p=0.6" in result.queue_model
    assert len(result.notes) == 1 and "as one pool" in result.notes[0]
    assert result.summary()["note_1"] == result.notes[0]
    sim = result.simulation_result
    assert sim is not None and sim.callers is not None  # fresh callers counted once
    # the simulated attempts exceed the fresh callers by the redials
    assert result.simulation["offered"].sum() > 0.98 * result.forecast["mean"].sum()


@pytest.mark.slow
def test_plan_with_chat_simulates_each_interval_with_simulate_chat(sample):
    chat = erlang.Chat(3, slowdown=0.2)
    result = two_days(sample, chat=chat)
    check_requirement_and_kpis(result, patience=60.0, chat=chat)
    assert "busy_agents" in result.kpis
    assert "chat up to 3 sessions" in result.queue_model
    assert len(result.notes) == 1 and "simulate_chat" in result.notes[0]
    sim = result.simulation
    assert len(sim) == 96 and {"service_level", "answer_rate", "service_level_hw"} <= set(sim)
    busy = (result.coverage["on_phones"].round() >= 1) & (result.requirement["volume"] > 5)
    assert sim.loc[busy, "service_level"].notna().all()
    summary = result.summary()
    assert 0 < summary["service_level_simulated"] <= 1
    # over the horizon, simulation and the chat chain at the same whole agents agree
    req = result.requirement
    whole = np.round(result.coverage["on_phones"])
    chain = erlang.kpis(req["volume"], req["aht"], whole, patience=60.0, chat=chat)
    w = req["volume"][busy]
    simulated = np.average(sim.loc[busy, "service_level"], weights=w)
    assert abs(simulated - np.average(chain.loc[busy, "service_level"], weights=w)) < 0.03


@pytest.mark.slow
def test_plan_at_risk_with_a_patience_law_staffs_at_the_volume_quantile(sample):
    result = two_days(sample, patience=WEIBULL, risk=0.9, replications=0)
    req = result.requirement
    high = erlang.volume_quantile(req["volume"], result.forecast_details.dispersion, 0.9)
    expected = erlang.required_agents(
        high, req["aht"], interval=1800, targets=result.targets, patience=WEIBULL
    )
    assert (req["productive"] == expected).all()
    assert (req["required"] >= req["required_at_mean"]).all()


# --- the command line ---------------------------------------------------------------------


def test_staff_with_a_patience_law(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["staff", "--out", str(out), "--patience-law", "weibull:shape=0.7,mean=120"]) == 0
    assert "queue: Weibull patience (shape 0.7, mean 120 s)" in capsys.readouterr().out
    table = pd.read_csv(out / "requirement.csv", index_col=0, parse_dates=True)
    volume = table["volume"]
    expected = erlang.required_agents(
        volume, table["aht"], targets=erlang.Targets.hotline(), patience=WEIBULL
    )
    assert (table["agents"].to_numpy() == expected.to_numpy()).all()


def test_staff_with_patience_measured_from_call_records(tmp_path, capsys):
    records = call_records()
    path = tmp_path / "calls.csv"
    records.to_csv(path, index=False)
    out = tmp_path / "o"
    assert main(["staff", "--out", str(out), "--patience-from", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    fit = erlang.fit_patience(records)
    first = lines[0]
    assert first.startswith(f"patience from {path}: Kaplan-Meier")
    assert f"{fit.mean:,.0f} s ± {1.96 * fit.mean_std_error:,.0f} s (95%)" in first
    assert f"from {fit.calls:,} calls ({fit.abandons:,} abandoned" in first
    # waits end long before the patient callers give up: the mean is restricted to the
    # longest wait, and there it is the Weibull truth's, within the reported uncertainty
    assert fit.restricted and "restricted mean" in first
    truth = float(WEIBULL.integrated_survival(fit.horizon))
    assert abs(fit.mean - truth) < 3 * fit.mean_std_error
    assert any(line.startswith("queue: patience measured: Kaplan-Meier") for line in lines)
    table = pd.read_csv(out / "requirement.csv", index_col=0, parse_dates=True)
    expected = erlang.required_agents(
        table["volume"], table["aht"], targets=erlang.Targets.hotline(), patience=fit.law
    )
    assert (table["agents"].to_numpy() == expected.to_numpy()).all()


def test_staff_with_redials_by_the_exact_chain(tmp_path, capsys):
    out = tmp_path / "o"
    ds = pd.date_range("2026-03-02 08:00", periods=12, freq="30min")
    volume = pd.DataFrame({"ds": ds, "y": np.linspace(40.0, 400.0, 12)})
    volume.to_csv(tmp_path / "volume.csv", index=False)
    flags = ["--redial-prob", "0.7", "--redial-delay", "60", "--redial-method", "chain",
             "--volume", str(tmp_path / "volume.csv")]  # fmt: skip
    assert main(["staff", "--out", str(out), *flags]) == 0
    assert "redials p=0.7 after 60 s, targets on attempts, exact retrial chain" in (
        capsys.readouterr().out
    )
    table = pd.read_csv(out / "requirement.csv", index_col=0, parse_dates=True)
    assert (table["truncation"] < 1e-9).all()
    redials = erlang.Redials(0.7, 60.0, method="chain")
    expected = erlang.required_agents(
        table["volume"], table["aht"], targets=erlang.Targets.hotline(), patience=60.0,
        redials=redials,
    )  # fmt: skip
    assert (table["agents"].to_numpy() == expected.to_numpy()).all()
    fixed = erlang.required_agents(
        table["volume"], table["aht"], targets=erlang.Targets.hotline(), patience=60.0,
        redials=erlang.Redials(0.7, 60.0),
    )  # fmt: skip
    # The fixed point is optimistic on service, so it staffs fewer where service binds; where
    # the occupancy cap binds it may staff more (it counts more callers finally served).
    assert (expected > fixed).any()


def test_staff_with_redials_and_with_chat(tmp_path, capsys):
    out = tmp_path / "o"
    flags = ["--redial-prob", "0.6", "--redial-delay", "240", "--redial-targets-on", "callers"]
    assert main(["staff", "--out", str(out), *flags]) == 0
    assert "redials p=0.6 after 240 s, targets on callers" in capsys.readouterr().out
    table = pd.read_csv(out / "requirement.csv", index_col=0, parse_dates=True)
    assert "caller_service_level" in table
    redials = erlang.Redials(0.6, 240.0, targets_on="callers")
    expected = erlang.required_agents(
        table["volume"], table["aht"], targets=erlang.Targets.hotline(), patience=60.0,
        redials=redials,
    )  # fmt: skip
    assert (table["agents"].to_numpy() == expected.to_numpy()).all()
    chat = ["--chat-sessions", "3", "--chat-slowdown", "0.2"]
    assert main(["staff", "--out", str(out), *chat]) == 0
    assert "chat up to 3 sessions per agent (slowdown 0.2)" in capsys.readouterr().out
    table = pd.read_csv(out / "requirement.csv", index_col=0, parse_dates=True)
    assert "busy_agents" in table


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--patience-law", "weibull:shape=0.7"], "--patience-law 'weibull:shape=0.7': weibull"),
        (["--patience-law", "cauchy:mean=1"], "unknown law 'cauchy'"),
        (["--patience", "30", "--patience-law", "exponential:mean=30"], "give one of"),
        (["--redial-prob", "1.5"], "--redial-prob: probability must lie in [0, 1), got 1.5"),
        (["--redial-delay", "60"], "--redial-delay: give probability too (--redial-prob"),
        (["--redial-prob", "0.5", "--redial-targets-on", "x"], "targets_on must be one of"),
        (["--redial-prob", "0.5", "--redial-method", "exact"], "method must be one of"),
        (["--chat-sessions", "0"], "--chat-sessions: max_sessions must be a whole number"),
        (["--chat-slowdown", "0.2"], "give max_sessions too (--chat-sessions"),
        (["--redial-prob", "0.5", "--redial-delay", "-1"], "--redial-delay: delay must be"),
        (["--chat-sessions", "2", "--redial-prob", "0.5"], "chat with redials"),
        (["--patience-law", "weibull:shape=0.7,mean=99", "--trunks", "90"], "trunks with a"),
        (["--patience-from", "nope.csv"], "--patience-from nope.csv: no such file"),
    ],
)
def test_queue_flags_report_bad_values_in_one_line(tmp_path, capsys, flags, message):
    assert main(["staff", "--out", str(tmp_path / "o"), *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("seatplan staff: error:"), err
    assert message in err[0]


def test_patience_from_records_without_an_abandon_is_one_line(tmp_path, capsys):
    records = call_records(n=50, law=erlang.Deterministic(1e6))
    path = tmp_path / "calls.csv"
    records.to_csv(path, index=False)
    assert main(["staff", "--out", str(tmp_path / "o"), "--patience-from", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--patience-from {path}:" in err[0] and "abandon" in err[0]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[redials]\nprobability = 1.5\n", "[redials]: probability must lie in [0, 1)"),
        ("[redials]\nprobability = '0.5'\n", "[redials]: probability must be"),
        ("[redials]\nchance = 0.5\n", "[redials]: unknown keys ['chance']"),
        ("[chat]\nmax_sessions = 2\nspeed = 1\n", "[chat]: unknown keys ['speed']"),
        ("[chat]\nmax_sessions = 2.5\n", "[chat]: max_sessions must be a whole number"),
        ("[chat]\nslowdown = 0.5\n", "[chat]: give max_sessions too"),
        ("[plan]\npatience_law = 'weibull:mean=9'\n", "[plan] patience_law 'weibull:mean=9'"),
        ("[plan]\npatience = 60\npatience_law = 'exponential:mean=9'\n", "give one of"),
        ("[plan]\npatience_from = 'calls.csv'\n", "[plan] patience_from calls.csv: no such"),
    ],
)
def test_config_queue_keys_name_the_file_the_table_and_the_key(tmp_path, capsys, toml, message):
    config = tmp_path / "plan.toml"
    config.write_text(toml)
    steps = ["plan", "--config", str(config), "--out", str(tmp_path / "o"), "--quiet"]
    assert main(steps) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("seatplan plan: error:"), err
    assert str(config) in err[0] and message in err[0], err[0]


@pytest.mark.slow
def test_plan_command_with_a_config_of_queue_options(tmp_path, capsys):
    config = tmp_path / "plan.toml"
    config.write_text(
        "[plan]\nmonth = '2026-01'\ndays = 2\nagents = 60\nreplications = 2\ntime_limit = 3\n"
        "patience_law = 'weibull:shape=0.7,mean=120'\n"
        "[rules]\nmonthly_paid_tolerance = 216000\n"
    )
    out = tmp_path / "report"
    assert main(["plan", "--config", str(config), "--out", str(out), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "queue: Weibull patience (shape 0.7, mean 120 s)" in lines
    summary = pd.read_csv(out / "summary.csv", index_col=0)["value"]
    assert summary["queue_model"] == "Weibull patience (shape 0.7, mean 120 s)"
    # flags over the config: chat instead of the law (a law does not combine with chat)
    flags = ["--patience", "120", "--chat-sessions", "2"]
    assert main(["plan", "--config", str(config), "--out", str(out), "--quiet", *flags]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("simulation: chat is simulated per interval") for line in lines)
    assert "queue: Erlang A (exponential patience, mean 120 s), chat up to 2" in "\n".join(lines)
