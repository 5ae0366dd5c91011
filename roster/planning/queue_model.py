"""The queue a plan staffs, checks and simulates: targets, patience, trunks, redials and chat.

One :class:`QueueModel` carries what :func:`erlang.required_agents`, :func:`erlang.kpis` and
the simulations need beyond the volume and the handle time, says in one line which model it
is (:meth:`QueueModel.describe`), and, where the simulation of named agents cannot take an
option (redials, chat), simulates the roster's agents on the phones per interval as a pool and
says so (:attr:`QueueModel.simulation_note`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

import erlang
from erlang.patience import Deterministic, Empirical, Exponential, LogNormal, Weibull
from erlang.patience.distributions import Patience

__all__ = ["QueueModel", "describe_fit", "parse_patience_law"]

#: Patience laws by name: the keys each takes and how it is made from them.
_LAWS = {
    "exponential": ({"mean"}, lambda v: Exponential(v["mean"])),
    "weibull": ({"shape", "mean"}, lambda v: Weibull.from_mean(v["mean"], v["shape"])),
    "lognormal": ({"mean", "cv"}, lambda v: LogNormal.from_cv(v["mean"], v["cv"])),
    "deterministic": ({"value"}, lambda v: Deterministic(v["value"])),
}


def parse_patience_law(text: str, *, where: str = "patience_law") -> Patience:
    """A patience law from its spelling on the command line or in a config file.

    Parameters
    ----------
    text : str
        ``name:key=value,key=value``: ``weibull:shape=0.7,mean=120``,
        ``lognormal:mean=120,cv=1.0``, ``deterministic:value=90`` or ``exponential:mean=60``.
        Times in seconds.
    where : str
        Names the flag or the file, table and key in errors.

    Returns
    -------
    erlang.patience.Patience

    Raises
    ------
    ValueError
        One line naming ``where``, the text and what is wrong with it.
    """
    if not isinstance(text, str):
        example = "weibull:shape=0.7,mean=120"
        raise ValueError(f"{where}: {text!r} must be a string such as {example!r}")
    name, _, rest = text.strip().partition(":")
    name = name.strip().lower()
    if name not in _LAWS:
        raise ValueError(
            f"{where} {text!r}: unknown law {name!r}; known: {', '.join(_LAWS)} "
            "(e.g. weibull:shape=0.7,mean=120)"
        )
    keys, make = _LAWS[name]
    values = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in keys:
            raise ValueError(f"{where} {text!r}: {item!r} is not one of {sorted(keys)} = number")
        try:
            values[key] = float(value)
        except ValueError:
            number = value.strip()
            raise ValueError(f"{where} {text!r}: {key}={number!r} is not a number") from None
    missing = sorted(keys - set(values))
    if missing:
        raise ValueError(f"{where} {text!r}: {name} needs {', '.join(missing)}")
    try:
        return make(values)
    except ValueError as exc:
        raise ValueError(f"{where} {text!r}: {exc}") from None


def _seconds(value: float) -> str:
    return f"{value:,.0f} s" if np.isfinite(value) else "unbounded"


def describe_fit(fit: erlang.PatienceFit) -> str:
    """A Kaplan-Meier fit in one line: its mean with the half-width of its confidence
    interval (at the fit's level) and the counts it rests on."""
    z = float(stats.norm.ppf(0.5 + fit.confidence / 2.0))
    mean = "restricted mean" if fit.restricted else "mean"
    return (
        f"Kaplan-Meier {mean} {fit.mean:,.0f} s ± {z * fit.mean_std_error:,.0f} s "
        f"({fit.confidence:.0%}), from {fit.calls:,} calls ({fit.abandons:,} abandoned, "
        f"{fit.censored:,} answered)"
    )


def _describe_patience(patience, fit) -> str:
    if fit is not None:
        return f"patience measured: {describe_fit(fit)}"
    if patience is None:
        return "Erlang C (nobody hangs up)"
    if isinstance(patience, Exponential):
        patience = patience.mean
    if not isinstance(patience, Patience):
        return f"Erlang A (exponential patience, mean {_seconds(float(patience))})"
    if isinstance(patience, Weibull):
        return f"Weibull patience (shape {patience.shape:g}, mean {_seconds(patience.mean)})"
    if isinstance(patience, LogNormal):
        return f"log-normal patience (mean {_seconds(patience.mean)}, sigma {patience.sigma:g})"
    if isinstance(patience, Deterministic):
        return f"deterministic patience ({_seconds(patience.value)})"
    if isinstance(patience, Empirical) and patience.tail > 0:
        return f"empirical patience ({patience.tail:.0%} never hang up)"
    return f"{type(patience).__name__} patience (mean {_seconds(patience.mean)})"


@dataclass(frozen=True)
class QueueModel:
    """The targets with the queue they are met in.

    Parameters
    ----------
    targets : erlang.Targets
        Service targets.
    patience : float, patience law, erlang.PatienceFit or None
        Mean caller patience for Erlang A [s], a patience law (M/M/n+G), a Kaplan-Meier fit
        (its law is used and its counts are quoted by :meth:`describe`), or None for Erlang C.
    trunks : int or None
        Trunk lines, None for no cap.
    redials : erlang.Redials, optional
        Callers who call again; the volume is then the fresh callers.
    chat : erlang.Chat, optional
        Agents holding several sessions at once.

    Raises
    ------
    TypeError
        ``redials`` or ``chat`` of the wrong type.
    ValueError
        Options that do not combine (chat with redials, a non-exponential law with trunks,
        redials or chat), with the one-line errors of :func:`erlang.required_agents`, before
        any work is done.
    """

    targets: erlang.Targets
    patience: float | Patience | None
    trunks: int | None
    redials: erlang.Redials | None = None
    chat: erlang.Chat | None = None
    fit: erlang.PatienceFit | None = None

    def __post_init__(self):
        if isinstance(self.patience, erlang.PatienceFit):
            object.__setattr__(self, "fit", self.patience)
            object.__setattr__(self, "patience", self.patience.law)
        if self.redials is not None and not isinstance(self.redials, erlang.Redials):
            raise TypeError(f"redials={self.redials!r} must be an erlang.Redials")
        if self.chat is not None and not isinstance(self.chat, erlang.Chat):
            raise TypeError(f"chat={self.chat!r} must be an erlang.Chat")
        # the staffing search names a bad or unsupported option before any work is done
        erlang.required_agents(0.0, 1.0, interval=1.0, **self.model, targets=self.targets)

    @property
    def model(self) -> dict:
        """The keywords of the queue for :func:`erlang.required_agents` and :func:`erlang.kpis`."""
        return {
            "patience": self.patience,
            "trunks": self.trunks,
            "redials": self.redials,
            "chat": self.chat,
        }

    @property
    def law(self) -> Patience | None:
        """The patience law when it is not exponential (M/M/n+G), else None."""
        if isinstance(self.patience, Patience) and not isinstance(self.patience, Exponential):
            return self.patience
        return None

    @property
    def mean_patience(self) -> float | None:
        """Mean patience [s]; None for Erlang C."""
        if self.patience is None:
            return None
        if isinstance(self.patience, Patience):
            return float(self.patience.mean)
        return float(self.patience)

    def describe(self) -> str:
        """The queue model in one line, e.g. ``Weibull patience (shape 0.7, mean 118 s),
        redials p=0.6 after 300 s``."""
        parts = [_describe_patience(self.patience, self.fit)]
        if self.trunks is not None:
            parts.append(f"{self.trunks} trunk lines")
        if self.redials is not None:
            r = self.redials
            text = f"redials p={r.abandoned:g}"
            if r.blocked_probability is not None:
                text += f" (busy tone {r.blocked:g})"
            text += f" after {r.delay:g} s, targets on {r.targets_on}"
            if r.method == "chain":
                text += ", exact retrial chain"
            parts.append(text)
        if self.chat is not None:
            c = self.chat
            text = f"chat up to {c.max_sessions} sessions per agent"
            if c.slowdown is not None:
                text += f" (slowdown {c.slowdown:g})"
            elif c.throughput is not None:
                text += f" (throughput {', '.join(f'{x:g}' for x in c.throughput)})"
            parts.append(text)
        return ", ".join(parts)

    @property
    def simulation_note(self) -> str | None:
        """How the plan's simulation departs from named agents on their shifts; None when it
        does not."""
        if self.chat is not None:
            return (
                "chat is simulated per interval as a stationary pool of the roster's agents on "
                "the chats (net of breaks and shrinkage, rounded to whole agents) at the "
                "forecast mean (erlang.chat.simulate_chat), not as named agents on their shifts"
            )
        if self.redials is not None:
            return (
                "redials are simulated with the roster's agents on the phones per interval "
                "(net of breaks and shrinkage, rounded to whole agents) as one pool, not as "
                "named agents on their shifts"
            )
        return None

    def agents(self, volume, aht, *, interval: int, shrinkage: float = 0.0):
        """Agents per interval meeting every target (``shrinkage`` grosses them up)."""
        return erlang.required_agents(
            volume, aht, interval=interval, shrinkage=shrinkage, targets=self.targets, **self.model
        )

    def agents_at_risk(self, volume, aht, *, dispersion, probability, interval, shrinkage=0.0):
        """Agents meeting every target with ``probability`` over the forecast's volume law:
        the staffing at the rate's ``probability``-quantile, as
        :func:`erlang.required_agents_at_risk` does in its quantile mode, for every queue."""
        high = erlang.volume_quantile(volume, dispersion, probability)
        return self.agents(high, aht, interval=interval, shrinkage=shrinkage)

    def kpis(self, volume, aht, agents, *, interval: int) -> pd.DataFrame:
        """:func:`erlang.kpis` of ``agents`` on the phones, with ``meets_targets``."""
        if self.trunks is None and self.chat is None:
            return erlang.kpis(
                volume, aht, agents, interval=interval, targets=self.targets, **self.model
            )
        # Under a trunk cap the queue is a finite chain in whole agents, and a chat queue is one
        # too: a roster's agents on the phones (averaged over the interval, net of shrinkage)
        # are fractional, so the metrics are interpolated between the whole numbers around them.
        agents = np.asarray(agents, dtype=float)
        if self.trunks is not None:
            agents = np.minimum(agents, self.trunks)
        low = np.floor(agents + 1e-9)
        share = np.clip(agents - low, 0.0, 1.0)
        high = low + 1 if self.trunks is None else np.minimum(low + 1, self.trunks)
        below, above = (
            erlang.kpis(volume, aht, n, interval=interval, targets=self.targets, **self.model)
            for n in (low, high)
        )
        out = below.copy()
        for column in out.columns:
            if column != "meets_targets":
                out[column] = below[column] * (1 - share) + above[column] * share
        out["agents"] = agents
        out["meets_targets"] = self.targets.met(out)
        return out

    def simulate_chat(self, volume, aht, agents, *, interval, replications, seed):
        """Each interval's stationary chat queue with the roster's whole agents on the chats.

        Parameters
        ----------
        volume, aht, agents : pandas.Series
            Sessions offered [sessions], handle time of a session served alone [s] and agents
            on the chats per interval (rounded to whole agents here).
        interval : int
            Interval length. [s]
        replications : int
            Replications per interval.
        seed : int
            Seed of the first interval; interval ``i`` uses ``seed + 1000 i``.

        Returns
        -------
        pandas.DataFrame
            Per interval, the columns of :attr:`roster.Plan.simulation`: ``offered``
            (expected), ``service_level``, ``asa`` [s], ``answer_rate``, ``abandon_rate``,
            ``blocking_rate`` (0), ``occupancy`` (session slots in use) and their ``_hw``
            half-widths; NaN where no agent is on.

        Notes
        -----
        Each interval is run from an empty centre for a 30-minute warm-up and then observed
        for the interval's length, at its own volume and agents (pointwise stationary): the
        lag of a queue behind a steep rise is not in it. The answer rate is taken from a
        second run with the cutoff as threshold on the same random numbers.
        """
        from erlang.chat import simulate_chat
        from roster.simulation.engine import METRICS

        n = len(volume)
        mean = {m: np.full(n, np.nan) for m in METRICS}
        half = {m: np.full(n, np.nan) for m in METRICS}
        whole = np.round(np.asarray(agents, dtype=float)).astype(int)
        volume_a = np.asarray(volume, dtype=float)
        aht_a = np.broadcast_to(np.asarray(aht, dtype=float), volume_a.shape)
        base = 0 if seed is None else int(seed)
        for i in range(n):
            if whole[i] < 1 or volume_a[i] <= 0:
                continue
            common = {
                "chat": self.chat, "interval": float(interval), "patience": self.mean_patience,
                "hours": interval / 3600.0, "warmup": 1800.0,
                "replications": max(int(replications), 2), "seed": base + 1000 * i,
            }  # fmt: skip
            run = simulate_chat(
                volume_a[i], aht_a[i], whole[i], threshold=float(self.targets.threshold), **common
            )
            within = simulate_chat(
                volume_a[i], aht_a[i], whole[i], threshold=float(self.targets.cutoff), **common
            )
            rows = {
                "service_level": run.loc["service_level"],
                "asa": run.loc["asa"],
                "answer_rate": within.loc["service_level"],
                "abandon_rate": run.loc["abandon_rate"],
                "blocking_rate": pd.Series({"mean": 0.0, "half_width": 0.0}),
                "occupancy": run.loc["occupancy"],
            }
            for name, value in rows.items():
                mean[name][i], half[name][i] = value["mean"], value["half_width"]
        columns = {"offered": volume_a, **mean, **{f"{m}_hw": half[m] for m in METRICS}}
        return pd.DataFrame(columns, index=volume.index)
