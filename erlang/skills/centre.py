"""A multi-skill centre described once: its queues, its agent groups and how calls are routed.

Routing follows the skill-based routing of the trade (and of Cezik & L'Ecuyer, 2008): a call
arriving at a queue goes to an idle agent of the groups that take it at once, the group with
the best (lowest) ``rank`` for the queue preferred; a group that takes the queue only *by
overflow* may answer the call once it has waited ``overflow`` seconds. An agent who becomes
free takes, among the queues of its group whose oldest waiting call it may answer, the one its
group ranks best; between queues ranked alike, the queue of higher ``priority``, then the
longest wait. Within a queue calls are answered in arrival order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..patience import Patience
from ..targets import Targets

__all__ = ["AgentGroup", "Centre", "Queue"]


def _positive(name: str, value, *, allow_none=False, allow_zero=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name}={value!r} must be a finite number")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name}={value!r} must be {'>= 0' if allow_zero else 'positive'}")


@dataclass(frozen=True)
class Queue:
    """One queue (skill) of the centre.

    Parameters
    ----------
    name : str
    aht : float
        Mean handle time of the queue's calls for an agent of AHT factor 1. [s]
    patience : float, patience law or None
        Mean patience of its callers (exponential); None for callers who never hang up. [s]
        A patience law (e.g. :class:`erlang.Weibull`) is drawn from in the simulation.
    priority : int
        Higher is answered first by an agent who ranks two queues alike; 0.
    targets : erlang.Targets
        What its service must meet; the hotline figures of :meth:`Targets.hotline` by default.
    """

    name: str
    aht: float
    patience: float | Patience | None = None
    priority: int = 0
    targets: Targets = field(default_factory=Targets.hotline)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Queue.name={self.name!r} must be a non-empty str")
        _positive(f"queue {self.name!r}: aht", self.aht)
        if not isinstance(self.patience, Patience):
            _positive(f"queue {self.name!r}: patience", self.patience, allow_none=True)
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise ValueError(f"queue {self.name!r}: priority={self.priority!r} must be an int")
        if not isinstance(self.targets, Targets):
            raise TypeError(f"queue {self.name!r}: targets must be an erlang.Targets")


@dataclass(frozen=True)
class AgentGroup:
    """Agents who share skills and speed (a tier).

    Parameters
    ----------
    name : str
    skills : sequence of str
        Queues the group takes.
    aht_factor : float or mapping of str to float
        Handle time of the group on a queue over the queue's ``aht``: 1.2 for a tier 20%
        slower, or one factor per queue; 1.
    overflow : mapping of str to float
        Queues the group takes only after the call has waited this long [s]; the queue must be
        among ``skills``. Queues not named here are taken at once.
    rank : mapping of str to int
        The group's preference among its queues (lower first, as the skill levels of an ACD);
        queues not named rank 0. Between queues ranked alike, queue ``priority`` decides.
    """

    name: str
    skills: Sequence[str]
    aht_factor: float | Mapping[str, float] = 1.0
    overflow: Mapping[str, float] = field(default_factory=dict)
    rank: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"AgentGroup.name={self.name!r} must be a non-empty str")
        if isinstance(self.skills, str):
            raise TypeError(f"group {self.name!r}: skills must be a list of queue names")
        skills = tuple(self.skills)
        object.__setattr__(self, "skills", skills)
        if not skills:
            raise ValueError(f"group {self.name!r}: skills is empty")
        if len(set(skills)) < len(skills):
            raise ValueError(f"group {self.name!r}: a queue appears twice in skills {skills}")
        factors = self.aht_factor
        if isinstance(factors, Mapping):
            extra = sorted(set(factors) - set(skills))
            if extra:
                raise ValueError(
                    f"group {self.name!r}: aht_factor names queues {extra} not in skills"
                )
            for q, f in factors.items():
                _positive(f"group {self.name!r}: aht_factor[{q!r}]", f)
        else:
            _positive(f"group {self.name!r}: aht_factor", factors)
        extra = sorted(set(self.overflow) - set(skills))
        if extra:
            raise ValueError(f"group {self.name!r}: overflow names queues {extra} not in skills")
        for q, wait in self.overflow.items():
            _positive(f"group {self.name!r}: overflow[{q!r}]", wait, allow_zero=True)
        extra = sorted(set(self.rank) - set(skills))
        if extra:
            raise ValueError(f"group {self.name!r}: rank names queues {extra} not in skills")
        for q, r in self.rank.items():
            if isinstance(r, bool) or not isinstance(r, int) or r < 0:
                raise ValueError(f"group {self.name!r}: rank[{q!r}]={r!r} must be an int >= 0")

    def factor(self, queue: str) -> float:
        """AHT factor of the group on ``queue``."""
        if isinstance(self.aht_factor, Mapping):
            return float(self.aht_factor.get(queue, 1.0))
        return float(self.aht_factor)


@dataclass(frozen=True)
class Centre:
    """Queues, agent groups and routing of a multi-skill centre.

    Parameters
    ----------
    queues : sequence of Queue
    groups : sequence of AgentGroup

    Raises
    ------
    ValueError
        A group names an unknown queue, a queue no group serves, or names repeat.
    """

    queues: Sequence[Queue]
    groups: Sequence[AgentGroup]

    def __post_init__(self):
        queues, groups = tuple(self.queues), tuple(self.groups)
        object.__setattr__(self, "queues", queues)
        object.__setattr__(self, "groups", groups)
        if not queues:
            raise ValueError("centre has no queues")
        if not groups:
            raise ValueError("centre has no agent groups")
        for kind, items in (("queue", queues), ("group", groups)):
            names = [x.name for x in items]
            if len(set(names)) < len(names):
                dup = sorted({n for n in names if names.count(n) > 1})
                raise ValueError(f"{kind} names repeat: {dup}")
        known = {q.name for q in queues}
        for g in groups:
            unknown = sorted(set(g.skills) - known)
            if unknown:
                raise ValueError(
                    f"group {g.name!r} names unknown queues {unknown}; queues: {sorted(known)}"
                )
        served = {q for g in groups for q in g.skills}
        orphans = [q.name for q in queues if q.name not in served]
        if orphans:
            raise ValueError(f"no agent group serves queues {orphans}")

    @property
    def queue_names(self) -> list[str]:
        return [q.name for q in self.queues]

    @property
    def group_names(self) -> list[str]:
        return [g.name for g in self.groups]

    def routing(self):
        """The routing as arrays for the simulation kernel.

        Returns
        -------
        delay : ndarray (groups, queues)
            Wait after which a group may answer a queue's call: 0 at once, the overflow wait,
            ``inf`` when the group lacks the skill. [s]
        rank : ndarray of int (groups, queues)
            The group's rank of the queue (above every rank when it lacks the skill).
        factor : ndarray (groups, queues)
            AHT factor of the group on the queue.
        priority : ndarray of int (queues,)
        """
        Q, G = len(self.queues), len(self.groups)
        index = {q.name: k for k, q in enumerate(self.queues)}
        delay = np.full((G, Q), np.inf)
        top = max([r for g in self.groups for r in g.rank.values()], default=0)
        rank = np.full((G, Q), top + 1, dtype=np.int64)
        factor = np.ones((G, Q))
        for g, group in enumerate(self.groups):
            for name in group.skills:
                k = index[name]
                delay[g, k] = float(group.overflow.get(name, 0.0))
                rank[g, k] = int(group.rank.get(name, 0))
                factor[g, k] = group.factor(name)
        priority = np.array([q.priority for q in self.queues], dtype=np.int64)
        return delay, rank, factor, priority

    @classmethod
    def from_dict(cls, values: Mapping, *, source: str = "centre") -> Centre:
        """A centre from a TOML-style table: ``[[queues]]`` and ``[[groups]]`` arrays of tables.

        Queue tables take ``name``, ``aht``, ``patience``, ``priority`` and a ``targets``
        table (as :meth:`Targets.from_dict`, over the hotline figures); group tables take
        ``name``, ``skills``, ``aht_factor`` (a number or a table by queue), ``overflow`` and
        ``rank`` (tables by queue). Errors name ``source`` and the offending entry.
        """
        unknown = sorted(set(values) - {"queues", "groups"})
        if unknown:
            raise ValueError(f"{source}: unknown keys {unknown}; use queues and groups")
        queue_keys = {"name", "aht", "patience", "priority", "targets"}
        group_keys = {"name", "skills", "aht_factor", "overflow", "rank"}
        queues, groups = [], []
        for k, table in enumerate(values.get("queues", [])):
            bad = sorted(set(table) - queue_keys)
            if bad:
                raise ValueError(f"{source} queues[{k}]: unknown keys {bad}")
            table = dict(table)
            if "targets" in table:
                table["targets"] = Targets.from_dict(
                    table["targets"],
                    source=f"{source} queues[{k}].targets",
                    base=Targets.hotline(),
                )
            queues.append(Queue(**table))
        for k, table in enumerate(values.get("groups", [])):
            bad = sorted(set(table) - group_keys)
            if bad:
                raise ValueError(f"{source} groups[{k}]: unknown keys {bad}")
            groups.append(AgentGroup(**table))
        return cls(queues, groups)
