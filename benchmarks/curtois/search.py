"""Search for good rosters of a Curtois & Qu instance: construction, branch-and-cut, column
generation with diving, and large-neighbourhood search with HiGHS as the repair operator.

1. *Construction.* Employees take, one at a time, their best month given those placed before
   (the exact one-employee labelling of :mod:`benchmarks.curtois.pricing`), then best responses
   are swept until none improves (:mod:`benchmarks.curtois.moves`; with two workers, two
   employees labelled side by side). Every hard constraint is per
   employee and cover is soft, so this is feasible at once.
2. *Branch-and-cut* on the whole compact programme of :mod:`benchmarks.curtois.model` from that
   roster, for a share of the time, on its own thread (small instances only). There it often
   proves optimality; it gives a lower bound.
3. *Column generation* over whole months (:mod:`benchmarks.curtois.columns`): its Lagrangian
   bound is far stronger than the compact programme's, and diving on its master with
   re-pricing fixes the employees. The dive's last steps are its dearest and its worst
   guesses. Small instances, where a step is cheap, dive again and again until
   ``_DIVES_IN_VAIN`` dives in a row find no better roster (two at a time when both threads
   are free), and keep the best roster. Each of
   these dives first fixes every employee's total time to one the LP gives it, and the
   capped types the LP works to the cap to their cap, then the months; every dive after
   the first draws all of these among the best candidates. Large instances dive once,
   fixing in bulk first, and leave the rest of the time to the search below; should the
   deadline stop the dive early, the employees it left take best responses and then the
   compact programme over them, the rest held, is solved by HiGHS in parts of about
   ``_RESIDUAL_CELLS`` shift cells (two seeds, or two parts, side by side). Rosters are
   polished by best responses and by re-choosing each day's shift types inside the
   employees' classes of interchangeable types (an exact assignment per day).
4. *Large-neighbourhood search* (ruin and recreate; Shaw 1998, Pisinger and Ropke 2010):
   a block of (employee, day) cells is freed and re-optimised exactly by HiGHS, the rest of
   the roster held fixed by column bounds on one persistent model. Blocks are a few whole
   employees, a few employees over a window of days, or, around a badly covered day, the
   employees who may work it. Kinds are drawn by weights that follow their recent success
   (adaptive LNS); the block grows while HiGHS closes its subproblems and shrinks when it
   does not. With two workers, each round solves two blocks of disjoint employees in
   parallel; since every hard constraint is per employee, the two repairs combine into a
   feasible roster, and the best of the three is kept. A new best is polished by best
   responses when polishing has its share of the time: the repairs and the polish share
   it by what each gained per second lately, the polish at least ``_MOVE_FLOOR`` of it
   (a polish labels the whole staff, seconds on a long horizon, where a repair takes a
   fraction of one).

Every roster accepted as a new best is re-scored by :func:`benchmarks.curtois.curtois_objective`
(the solver-independent evaluator), and so is the one returned.

*Time.* Every loop checks the clock, and every phase ends by the deadline, which keeps back
1% of the limit and three times the evaluator's time on the constructed roster for the final
check. The construction alone places every employee whatever the time: its exact labellings
take shares of ``_CONSTRUCT_SHARE`` of the limit, and once its pace would miss that, each
employee left takes its cheapest month of one class of types, a fraction of the work. Exact
labellings elsewhere are sized to the time left too and give way to the heuristic one when
they run over, which may spend only the time left (its buckets grow with the horizon and the
minute units: on a year of shifts of several lengths one heuristic labelling can take
seconds); one that finds nothing in time leaves the employee's month as it was. Instances
of more than ``_MODEL_CELLS`` (employee, day, type) cells skip phases 2 to 4, whose compact
programme and pricing rounds do not fit a limit of minutes there. They improve the roster
by four moves, the time shared among them by what each gains per second (adaptive LNS,
Ropke and Pisinger 2006): best responses; best responses held outside two windows far
apart, sized by the labellings' work (a fraction of a labelling over a long horizon, and
still able to move work across it); ruin and recreate of a few employees; and blocks of
a few employees over a window of days solved exactly on a programme of their own
employees over the window's weeks alone.

References
----------
.. [1] P. Shaw, "Using constraint programming and local search methods to solve vehicle
   routing problems", CP 1998, LNCS 1520, pp. 417-431.
.. [2] D. Pisinger and S. Ropke, "Large neighborhood search", in Handbook of Metaheuristics,
   2nd ed., Springer, 2010, pp. 399-419.
.. [3] T. Curtois and R. Qu, "Computational results on new staff scheduling benchmark
   instances", Technical report, ASAP group, University of Nottingham, 2014.
.. [4] S. Ropke and D. Pisinger, "An adaptive large neighborhood search heuristic for the
   pickup and delivery problem with time windows", Transportation Science 40(4), 2006.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from benchmarks.curtois.columns import dive, generate
from benchmarks.curtois.highs_solve import repair, solve_block, solve_model
from benchmarks.curtois.instance import CurtoisInstance, curtois_objective
from benchmarks.curtois.model import build_model, shift_codes, shift_grid
from benchmarks.curtois.moves import EmployeeMoves
from benchmarks.curtois.neighbourhoods import (
    CoverState,
    Neighbourhoods,
    draw_block,
    draw_windows_apart,
)
from benchmarks.curtois.pricing import EmployeeRules

#: A neighbourhood may take this share of the time limit, and at least _SUB_MIN seconds;
#: rounds that find nothing raise it by _SUB_STEP each, up to _SUB_MAX_SHARE of the limit,
#: and a round that improves brings it back.
_SUB_SHARE, _SUB_MIN, _SUB_STEP, _SUB_MAX_SHARE = 0.015, 0.5, 1.25, 0.1
#: Simplex iterations of a neighbourhood HiGHS closes easily (about a second); a block grows
#: while its kind stays below this and shrinks otherwise.
_SUB_WORK = 3000
#: Column generation runs until this share of the time limit, diving until the next one,
#: and the compact programme over any employees the dive left until the third.
_CG_SHARE, _DIVE_SHARE, _RESIDUAL_SHARE = 0.45, 0.72, 0.95
#: Small instances dive again and again until this many dives in a row find no better
#: roster.
_DIVES_IN_VAIN = 20
#: The compact programme over employees a dive left takes them in parts of about this many
#: (employee, day, type) cells, and a sixth of the staff at most.
_RESIDUAL_CELLS = 2800
#: Above this many (employee, day, type) cells the dive starts by fixing in bulk.
_BULK_CELLS = 10000
#: Above this many (employee, day, type) cells neither the compact programme (its rows grow
#: with the cells times the block lengths) nor column generation (a pricing round labels
#: every employee over the whole horizon) pays within a time limit of a minute: the roster
#: is improved by best responses, ruin and recreate, and blocks solved on a programme of
#: their own employees. Measured in 60 s on stretched instances: over four weeks, at 67,200
#: to 100,800 cells, the whole programme's path gave rosters 13-25% cheaper than the
#: blocks; over 8 to 52 weeks, at 100,800 to 218,400 cells, the two came within 3%.
_MODEL_CELLS = 120000
#: Free (employee, day, type) cells of a block of the large instances' search at first; it
#: grows while HiGHS closes its blocks and shrinks when it does not.
_BLOCK_CELLS = 2000
#: Labelling work (label extensions and dominance tests) of a best response held outside two
#: windows, which the windows' length follows: they grow while a labelling takes less and
#: shrink while it takes more, between a week and a quarter of the horizon. Measured over
#: 15 s from rosters of two year-long instances of 150 employees, the gain peaked about
#: there on both: with 10 types, windows of 14, 28, 42 and 63 days took 8e3, 3.5e4, 9.3e4
#: and 4.5e5 units and gained 32,817, 54,315, 58,071 and 58,235; with 30 types in
#: 15-minute units, windows of 5, 7 and 10 days took 3.3e4, 8.2e4 and 4.7e5 units and
#: gained 168,046, 166,878 and 123,139. One window of 28 days alone gained a tenth of two.
_WINDOW_WORK = 100_000
#: Least share of the time each of two moves sharing it by their gains gets (the large
#: instances' two moves; the repairs and the polish).
_MOVE_FLOOR = 0.1
#: The construction may take this share of the time limit for its exact labellings and
#: its descent; whatever it takes beyond, it places every employee anyway.
_CONSTRUCT_SHARE = 0.3
#: Time kept back at the end for the final check and the shutdown: this share of the time
#: limit, plus three times what the check of the constructed roster took.
_RESERVE_SHARE = 0.01


@dataclass(frozen=True)
class SearchResult:
    """Best roster found and what was proven.

    Attributes
    ----------
    grid : numpy.ndarray
        Employees x days object array of shift ids ('' off).
    objective : int
        Exact objective (by :func:`benchmarks.curtois.curtois_objective`).
    bound : float
        Best lower bound proven, by branch-and-cut or column generation (``-inf`` if
        neither ran).
    optimal : bool
        Whether ``objective`` meets the bound.
    column_bound : float
        Lagrangian bound of column generation (``-inf`` when it did not run).
    columns : int
        Columns generated.
    construction_objective : int
        Objective of the constructed start.
    rounds : int
        LNS rounds (each solves one block per worker), or, where the instance is too large
        for the compact programme, steps of its four moves (see ``_block_search``).
    improvements : int
        Rounds that lowered the objective.
    limit_reached : bool
        Whether the time limit stopped the search (rather than a proof of optimality or
        ``max_rounds``).
    """

    grid: np.ndarray
    objective: int
    bound: float
    optimal: bool
    column_bound: float
    columns: int
    construction_objective: int
    rounds: int
    improvements: int
    limit_reached: bool = False


class _TimeShares:
    """Time shared among moves by the objective drop per second each gained lately, each
    at least ``_MOVE_FLOOR`` of it (adaptive LNS, Ropke and Pisinger [4])."""

    def __init__(self, moves: int):
        self.rate = np.ones(moves)  # smoothed objective drop per second
        self.spent = np.full(moves, 1e-9)  # seconds

    def _share(self) -> np.ndarray:
        rate = self.rate
        share = np.clip(rate / rate.sum() if rate.sum() > 0 else 1 / len(rate), _MOVE_FLOOR, None)
        return share / share.sum()

    def lagging(self, allowed=None) -> int:
        """The move furthest below its share of the time spent, among ``allowed`` (a mask;
        all by default)."""
        behind = self.spent / self.spent.sum() - self._share()
        if allowed is not None:
            behind = np.where(allowed, behind, np.inf)
        return int(np.argmin(behind))

    def due(self, move: int) -> bool:
        """Whether ``move`` has spent no more than its share."""
        return bool(self.spent[move] / self.spent.sum() <= self._share()[move])

    def learn(self, move: int, drop: float, took: float):
        """Count ``took`` seconds [s] and an objective drop of ``drop`` for ``move``."""
        self.spent[move] += took
        self.rate[move] = 0.7 * self.rate[move] + 0.3 * drop / max(took, 1e-3)


def _dive_until(sub, draw, end):
    """Dive on the master ``sub`` until ``end``, drawing with ``draw``, pricing on this thread."""
    return dive(sub, deadline=end, rng=draw, pool=None)


class _Search:
    """One run of the search: the clock, the incumbent, the bounds and the thread pool.

    The phases are methods, called in order by :func:`search`: :meth:`construct`,
    :meth:`start_branch_and_cut`, :meth:`generate_and_dive` (optional),
    :meth:`neighbourhood_search` and :meth:`result`.

    Parameters
    ----------
    instance : CurtoisInstance
    time_limit : float
        Seconds for the whole run, counted from the creation of this object.
    node_limit : int
        Branch-and-bound nodes allowed per neighbourhood.
    workers : {1, 2}
        Threads.
    seed : int
        Seed of every random draw and of HiGHS.

    Attributes
    ----------
    grid : numpy.ndarray
        The incumbent, employees x days of shift ids ('' off).
    best : int
        Its objective.
    z_best : numpy.ndarray
        Its columns of the compact programme ``model``, from which blocks are repaired.
    bound : float
        Best lower bound proven so far.
    proved : bool
        Whether branch-and-cut proved its roster optimal.
    mip : concurrent.futures.Future or None
        Branch-and-cut running on the pool, until its result is taken.
    lns_workers : int
        Threads left to the neighbourhood search (one fewer while branch-and-cut runs).
    """

    def __init__(
        self,
        instance: CurtoisInstance,
        *,
        time_limit: float,
        node_limit: int,
        workers: int,
        seed: int,
    ):
        self.t0 = time.perf_counter()
        self.time_limit = time_limit
        # the phases stop at `deadline`, which leaves time for the final check before `end`
        self.end = self.t0 + time_limit
        self.deadline = self.end - _RESERVE_SHARE * time_limit
        self.limit_reached = False
        self.model = None
        # the construction's descent labels two employees at a time on it, branch-and-cut
        # and the phases after run on it
        self.pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
        self.rng = np.random.default_rng(seed)
        self.instance = instance
        self.node_limit, self.workers, self.seed = node_limit, workers, seed
        self.E, self.H, self.T = len(instance.employees), instance.horizon, len(instance.shift_ids)
        self.rules = EmployeeRules.of(instance)
        self.bound = -np.inf
        self.proved = False
        self.mip = None
        self.mip_handles: list = []
        self.lns_workers = workers
        self.column_bound, self.n_columns = -np.inf, 0
        self.rounds = self.improvements = 0
        # the longest a block's programme took to build [s]
        self.block_build = 0.0
        # the time of the neighbourhood search shared between its repairs (0) and the
        # polish of their new bests (1)
        self.shares = _TimeShares(2)
        # seconds a neighbourhood may take at first and at most, and now
        self.sub_first = max(_SUB_MIN, _SUB_SHARE * time_limit)
        self.sub_top = max(_SUB_MIN, _SUB_MAX_SHARE * time_limit)
        self.sub_limit = self.sub_first

    # -- phases -------------------------------------------------------------------------

    def construct(self):
        """Build the start roster greedily and the compact programme around it.

        Raises
        ------
        RuntimeError
            If the constructed roster breaks a hard rule.
        """
        instance, E, H, T = self.instance, self.E, self.H, self.T
        until = min(self.deadline, self.t0 + _CONSTRUCT_SHARE * self.time_limit)
        # the large instances' search has best responses among its moves, sharing the
        # time by their gains: the construction leaves the descent to it
        moves = EmployeeMoves.greedy(
            instance,
            self.rng,
            self.rules,
            deadline=until,
            pool=self.pool,
            descend=E * H * T <= _MODEL_CELLS,
        )
        self.grid = shift_grid(self.instance, moves.codes)
        tick = time.perf_counter()
        built = curtois_objective(instance, self.grid)
        # the final check costs as much, and so may the last offer of a new best
        self.deadline -= 3.0 * (time.perf_counter() - tick)
        if not built.feasible:
            raise RuntimeError(
                f"{instance.name}: construction broke hard rules: {built.violations}"
            )
        self.best = self.construction_objective = built.objective
        if E * H * T > _MODEL_CELLS or time.perf_counter() > self.deadline:
            return
        self.model = build_model(instance, range(E))
        self.z_best = self.model.encode(instance, self.grid, np.zeros(len(instance.cover)))
        # the columns of each (employee, day, type) cell and of each (employee, weekend)
        self.x_cells = np.arange(self.model.nx).reshape(E, H, T)
        self.k_cells = self.model.nx + np.arange(self.model.nk).reshape(E, H // 7)

    def start_branch_and_cut(self, mip_share: float):
        """Run branch-and-cut for ``mip_share`` of the time left.

        With one worker it runs here, to its end; with two it runs on the pool beside the
        rest, and :meth:`settled` takes its result once done.
        """
        mip_time = mip_share * (self.deadline - time.perf_counter())
        if mip_time <= 0.5 or self.model is None:
            return
        options = {"time_limit": mip_time, "node_limit": 10**9, "seed": self.seed}
        if self.pool is None:
            self._absorb_mip(solve_model(self.model, self.z_best, **options))
        else:
            # branch-and-cut on one core, the search on the other
            self.mip = self.pool.submit(
                solve_model, self.model, self.z_best, handles=self.mip_handles, **options
            )
            self.lns_workers = self.workers - 1

    def generate_and_dive(self):
        """Generate columns, take their bound, dive on the master and solve what it left.

        What the dive left are the employees its deadline stopped it short of; the compact
        programme takes them, the rest held. Nothing runs without the compact programme (too
        large an instance) or without the time for it.
        """
        if self.model is None or time.perf_counter() > self.t0 + _CG_SHARE * self.time_limit:
            return
        # pricing on every thread branch-and-cut leaves free
        pricing = self.pool if self.mip is None else None
        master, self.column_bound, _, _, _ = generate(
            self.instance,
            self.rules,
            shift_codes(self.instance, self.grid),
            deadline=self.t0 + _CG_SHARE * self.time_limit,
            pool=pricing,
        )
        # the objective is integral
        self.bound = max(self.bound, float(np.ceil(self.column_bound - 1e-6)))
        if self.E * self.H * self.T > _BULK_CELLS:
            free_e = self._dive_once_in_bulk(master, pricing)
        else:
            free_e = np.zeros(0, dtype=np.int64)
            self._dive_repeatedly(master, pricing)
        self.n_columns += sum(len(m) for m in master.by_employee)
        self._solve_residual(free_e, pricing)

    def neighbourhood_search(self, max_rounds: int | None):
        """Repair neighbourhoods of the incumbent round after round.

        Stops once the incumbent is proved optimal, after ``max_rounds`` rounds, or when
        the time is up.
        """
        if self.model is None:
            self._block_search(max_rounds)
            return
        hoods = Neighbourhoods(self.instance, self.rng)
        while not self.settled():
            if max_rounds is not None and self.rounds >= max_rounds:
                break
            left = self.deadline - time.perf_counter()
            if left < 0.2:
                self.limit_reached = True
                break
            self._neighbourhood_round(hoods, left)

    def _block_search(self, max_rounds: int | None):
        """Improve the incumbent of an instance too large for the whole compact programme by
        four moves until the deadline or ``max_rounds`` steps:

        * *best responses* of a pair of employees per worker, through the staff in a random
          order; left out once a pass over the whole staff improved none, until another
          move changes the roster;
        * *best responses held outside two windows* of equal length, for a tenth of the
          staff: one shared, mostly around a badly covered day and its employees off that
          day first, and one of each employee's own elsewhere (:func:`draw_windows_apart`).
          On a long horizon a labelling over the whole of it takes seconds where the
          windows' takes milliseconds; and the second window lets a month move what it
          spends of its limits over the horizon (weekends, minutes) to where the cover is
          short. The windows grow from a week while a labelling takes less than
          ``_WINDOW_WORK`` and shrink while it takes more;
        * *ruin and recreate*: a few employees taken off and put back by best responses;
          cheap, and strong where the horizon is short;
        * *blocks*: a few employees over a window of days re-optimised exactly by HiGHS, on
          a programme of their own over the window's weeks (:func:`solve_block`, the rest
          of the staff a constant cover). A block over several weeks moves shifts and days
          off between employees together, which single best responses cannot. Most blocks
          are drawn around a badly covered day, its employees off that day first. With two
          workers, each round solves two blocks of disjoint employees side by side, and the
          second is kept only if it still lowers the objective after the first.

        The time goes to each move in proportion to what it gained per second lately (each
        at least ``_MOVE_FLOOR`` of it), as in adaptive LNS (Ropke and Pisinger [4]); a
        step of any move may take twice a neighbourhood's first time limit, so that one
        labelling of seconds costs its own move, not the others.
        """
        moves = EmployeeMoves(self.instance, shift_codes(self.instance, self.grid), self.rules)
        size = float(_BLOCK_CELLS)
        few = int(np.clip(round(0.05 * self.E), 2, 8)) if self.E > 1 else 1
        # best responses go through the staff in a random order, a pair per worker at a
        # time (one can take seconds on a long horizon), and again from the start
        pair = 2 * self.workers
        order, cursor, still = self.rng.permutation(self.E), 0, 0
        # the length of the windows outside which best responses are held [days]
        part = 7.0
        # best responses, best responses held outside two windows, ruin and recreate, blocks
        shares = _TimeShares(4)
        while max_rounds is None or self.rounds < max_rounds:
            left = self.deadline - time.perf_counter()
            if left < 0.2:
                self.limit_reached = True
                break
            allowed = [
                # at a best-response optimum nothing is left for them until another moves
                still < self.E,
                # windows of a week at least, two of them a half of the horizon at most
                self.H // 4 >= 7,
                True,
                # the time to build a block's programme and solve it
                left >= 2.0 * self.block_build + 0.2,
            ]
            move = shares.lagging(allowed)
            before, tick = moves.objective, time.perf_counter()
            # a step of a move may take this long: a labelling over a long horizon of many
            # types can take seconds, which the move then misses rather than the others
            step = min(self.deadline, tick + 2.0 * self.sub_first)
            if move == 0:
                group = order[cursor : cursor + pair]
                improved = moves.responses(group, step, self.pool)
                still = 0 if improved else still + len(group)
                cursor += pair
                if cursor >= self.E:
                    order, cursor = self.rng.permutation(self.E), 0
            elif move == 1:
                members, windows = draw_windows_apart(
                    moves, round(part), max(pair, self.E // 10), self.rng
                )
                done, work = moves.labellings, moves.labelling_work
                moves.responses(members, step, self.pool, windows=windows)
                if moves.labellings > done:
                    mean = (moves.labelling_work - work) / (moves.labellings - done)
                    grow = 1.25 if mean < _WINDOW_WORK else 0.8
                    part = float(np.clip(part * grow, 7, self.H // 4))
            elif move == 2:
                members = self.rng.choice(self.E, size=min(few, self.E), replace=False)
                moves.ruin_recreate(members, self.rng, deadline=step)
            else:
                size = self._block_round(moves, size, left)
            gained = moves.objective < before - 1e-9
            if move and gained:
                still = 0
            shares.learn(move, before - moves.objective, time.perf_counter() - tick)
            self.rounds += 1
            self.improvements += gained
        # offered once: each offer of a new best is checked by the independent evaluator
        self._offer(shift_grid(self.instance, moves.codes))

    def _block_round(self, moves: EmployeeMoves, size: float, left: float) -> float:
        """Solve a block per worker (disjoint employees) and keep what lowers the objective;
        returns the next block size, larger where HiGHS closed its blocks."""
        sub_limit = min(left, self.sub_first)
        taken = np.zeros(self.E, dtype=bool)
        blocks = []
        for _ in range(self.lns_workers):
            if taken.all():
                break
            members, days = draw_block(moves, size, taken, self.rng)
            taken[members] = True
            blocks.append((members, days))
        seeds = [self.seed + self.rounds * self.workers + j for j in range(len(blocks))]
        start = moves.codes.copy()  # every block starts from the same roster

        def solve(job):
            (members, days), seed = job
            out, closed, build = solve_block(
                self.instance,
                start,
                members,
                days,
                time_limit=sub_limit,
                deadline=self.deadline,
                node_limit=self.node_limit,
                seed=seed,
            )
            # building the programme takes part of a block's time
            self.block_build = max(self.block_build, build)
            return out, closed

        jobs = list(zip(blocks, seeds, strict=True))
        if len(jobs) > 1 and self.pool is not None:
            results = list(self.pool.map(solve, jobs))
        else:
            results = [solve(job) for job in jobs]
        for (members, _), (codes, closed) in zip(blocks, results, strict=True):
            size = float(np.clip(size * (1.1 if closed else 0.8), self.H, 20 * _BLOCK_CELLS))
            if codes is None:
                continue
            saved, before = moves.codes[members].copy(), moves.objective
            moves.replace_months(members, codes)
            if not moves.objective < before - 1e-9:
                moves.replace_months(members, saved)
        return size

    def result(self) -> SearchResult:
        """Take branch-and-cut's last word, close the pool and return the checked incumbent.

        Raises
        ------
        RuntimeError
            If the incumbent fails :func:`benchmarks.curtois.curtois_objective`.
        """
        if self.mip is not None:
            self._stop_branch_and_cut()
        if self.pool is not None:
            self.pool.shutdown()
        self.limit_reached |= time.perf_counter() > self.deadline
        final = curtois_objective(self.instance, self.grid)
        if not final.feasible or final.objective != self.best:
            raise RuntimeError(f"{self.instance.name}: best roster fails the independent check")
        return SearchResult(
            grid=self.grid,
            objective=int(self.best),
            bound=float(self.bound),
            optimal=bool(self.proved or self.best <= self.bound + 1e-6),
            column_bound=float(self.column_bound),
            columns=self.n_columns,
            construction_objective=int(self.construction_objective),
            rounds=self.rounds,
            improvements=self.improvements,
            limit_reached=bool(self.limit_reached),
        )

    # -- the incumbent ------------------------------------------------------------------

    def _value_of(self, trial: np.ndarray):
        """``(objective, z)`` of the roster ``trial`` by the compact programme (``z`` None
        without one, the objective then by best-response bookkeeping)."""
        if self.model is None:
            moves = EmployeeMoves(self.instance, shift_codes(self.instance, trial), self.rules)
            return round(moves.objective), None
        z = self.model.encode(self.instance, trial, np.zeros(len(self.instance.cover)))
        return round(float(self.model.c @ z + self.model.const)), z

    def _offer(self, trial: np.ndarray) -> bool:
        """Make ``trial`` the incumbent if no worse; True if strictly better."""
        value, z = self._value_of(trial)
        if value > self.best:
            return False
        if value < self.best:
            # a new best must pass the independent evaluator too
            ev = curtois_objective(self.instance, trial)
            if not ev.feasible or ev.objective != value:
                return False
        improved = value < self.best
        self.grid, self.best, self.z_best = trial, value, z
        return improved

    def _accept_best(self, trials: list, polish: bool = True) -> bool:
        """Offer the best of ``trials``; when it is a new best, polish it (if ``polish``)
        and return True."""
        if not trials or not self._offer(min(trials, key=lambda g: self._value_of(g)[0])):
            return False
        if polish:
            self._polish(shift_codes(self.instance, self.grid))
        return True

    def _polish(self, codes: np.ndarray) -> bool:
        """Improve ``codes`` locally and offer the result; True if a new best.

        Best responses and type reassignments alternate until neither improves.
        """
        moves = EmployeeMoves(self.instance, codes, self.rules)
        # pairs of employees labelled side by side while branch-and-cut leaves both threads
        pool = self.pool if self.mip is None else None
        moves.descent(self.rng, deadline=self.deadline, pool=pool)
        while moves.reassign_types(self.deadline) > 1e-9 and moves.descent(
            self.rng, deadline=self.deadline, pool=pool
        ):
            pass
        return self._offer(shift_grid(self.instance, moves.codes))

    def _complete(self, codes: np.ndarray, fixed: np.ndarray) -> bool:
        """Finish a dive's roster by local moves and offer it; True if a new best.

        The employees the dive left unfixed take best responses to the rest; the roster is
        then polished.
        """
        # the unfixed start from their months in the incumbent: taken off and put back,
        # they end in the same months as from days off, except that one whose labelling
        # finds nothing in the time left keeps a month that keeps its rules
        codes = np.where(fixed[:, None], codes, shift_codes(self.instance, self.grid))
        moves = EmployeeMoves(self.instance, codes, self.rules)
        moves.ruin_recreate(
            np.flatnonzero(~fixed), self.rng, accept=np.inf, deadline=self.deadline
        )
        return self._polish(moves.codes)

    # -- branch-and-cut -----------------------------------------------------------------

    def _absorb_mip(self, result):
        """Take branch-and-cut's bound, proof and roster (offered as the incumbent)."""
        z, self.proved, dual, _ = result
        self.bound = max(self.bound, dual + self.model.const)
        if z is not None:
            self._offer(self.model.decode(z, self.instance.shift_ids))

    def settled(self) -> bool:
        """Take branch-and-cut's result if done; True once the incumbent is proved optimal."""
        if self.mip is not None and self.mip.done():
            self._absorb_mip(self.mip.result())
            # its thread goes back to the neighbourhood search
            self.mip, self.lns_workers = None, self.workers
        return self.proved or self.best <= self.bound + 1e-6

    def _stop_branch_and_cut(self):
        """Wait for branch-and-cut to end and take its result.

        It is cancelled first if the incumbent is already proved optimal.
        """
        # the search ended first: on proven optimality branch-and-cut has nothing left to
        # do; on time, wait for its bound
        if self.best <= self.bound + 1e-6:
            # HiGHS can only be cancelled once the thread has handed over its object
            while not self.mip_handles and not self.mip.done():
                time.sleep(0.01)
            if self.mip_handles:
                self.mip_handles[0].cancelSolve()
        self._absorb_mip(self.mip.result())

    # -- dives --------------------------------------------------------------------------

    def _dive_once_in_bulk(self, master, pricing) -> np.ndarray:
        """Dive once on ``master``, fixing in bulk first, and finish its roster.

        Returns
        -------
        numpy.ndarray
            The employees the dive left unfixed.
        """
        # a large instance dives once, in bulk first: its re-solves cost too much to
        # repeat it, and its end (diving to the last employee, not stopping short for
        # the compact programme) is the better start for the search below
        dive_end = self.t0 + _DIVE_SHARE * self.time_limit
        codes, fixed = dive(master, deadline=dive_end, bulk=True, look=1, pool=pricing)
        free_e = np.flatnonzero(~fixed)
        self._complete(codes, fixed)
        return free_e

    def _dive_repeatedly(self, master, pricing):
        """Dive on counted copies of ``master`` until ``_DIVES_IN_VAIN`` dives in a row find
        no better roster (or time runs out), completing each roster."""
        # a small instance dives again and again and keeps its best roster: a dive's last
        # steps are its worst guesses, and whether they go well varies from dive to dive
        # far more than the guesses of its first steps. Each dive first fixes every
        # employee's total time and full types, then the months; after the first, all are
        # drawn among the best candidates. With two threads free, two dives run side by
        # side, each pricing on its own. The dives stop by their count, not the clock, so
        # that equal runs dive equally; the clock only caps them.
        dive_end = self.t0 + _DIVE_SHARE * self.time_limit
        width = 1 if pricing is None else 2
        dives, last, in_vain = 0, 0.0, 0
        while not self.settled() and in_vain < _DIVES_IN_VAIN:
            now = time.perf_counter()
            left = dive_end - now
            # stop when the next dive would not fit, given how long the last one took
            if dives and (left < 0.5 or left < 0.7 * last):
                self.limit_reached = True
                break
            # a dive paces its steps and re-pricing to its budget: generous, so that only a
            # far slower machine than the last dive's makes the budget bind
            budget = left / 2 if not dives else min(left, 4.0 * last + 1.0)
            draws = [
                np.random.default_rng(self.rng.integers(2**63)) if dives + j else None
                for j in range(width)
            ]
            subs = [master.counted(draw) for draw in draws]
            carried = sum(len(sub.pool.owner) for sub in subs)
            ends = [now + budget] * width
            found = list((map if pricing is None else pricing.map)(_dive_until, subs, draws, ends))
            last = time.perf_counter() - now
            dives += width
            gained = [self._complete(codes, fixed) for codes, fixed in found]
            in_vain = 0 if any(gained) else in_vain + width
            self.n_columns += sum(len(m) for sub in subs for m in sub.by_employee) - carried

    def _solve_residual(self, free_e: np.ndarray, pricing):
        """Solve the compact programme over the employees ``free_e``, the rest held."""
        # in parts of at most `keep` employees (two side by side), or with two seeds if one
        # part
        keep = max(1, min(_RESIDUAL_CELLS // (self.H * self.T), self.E // 6))
        free_e = self.rng.permutation(free_e)
        parts = np.array_split(free_e, -(-len(free_e) // keep)) if len(free_e) else []
        if len(parts) == 1 and pricing is not None:
            parts = parts * 2
        width = 1 if pricing is None else 2
        for a in range(0, len(parts), width):
            # the time to the residual deadline, shared among the groups of parts left
            left = self.t0 + _RESIDUAL_SHARE * self.time_limit - time.perf_counter()
            left /= -(-(len(parts) - a) // width)
            if left < 0.5:
                break
            masks = []
            for part in parts[a : a + width]:
                mask = np.zeros((self.E, self.H), dtype=bool)
                mask[part] = True
                masks.append(mask)
            if pricing is None:
                seeds = [self.seed]
            else:
                seeds = [self.seed + a + j for j in range(len(masks))]
            found = self._repair_blocks(masks, left, seeds, 10**9, pricing)
            _, trials = self._repaired(masks, [z for z, _, _ in found])
            self._accept_best(trials)

    # -- neighbourhoods -----------------------------------------------------------------

    def _neighbourhood_round(self, hoods: Neighbourhoods, left: float):
        """Draw a block per worker, repair them side by side and keep the best roster."""
        state = CoverState.of(self.instance, self.grid)
        blocks = self._draw_blocks(hoods, state)
        sub_limit = min(left, self.sub_limit)
        seeds = [self.seed + self.rounds * self.workers + j for j in range(len(blocks))]
        masks = [mask for _, mask in blocks]
        executor = None if len(blocks) == 1 else self.pool
        before, tick = self.best, time.perf_counter()
        results = self._repair_blocks(masks, sub_limit, seeds, self.node_limit, executor)
        self.rounds += 1
        each, trials = self._repaired(masks, [z for z, _, _ in results])
        for (kind, _), (_, closed, work), trial in zip(blocks, results, each, strict=True):
            hoods.adapt(kind, closed and work <= _SUB_WORK)
            hoods.reward(kind, trial is not None and self._value_of(trial)[0] < self.best)
        if not self._accept_best(trials, polish=False):
            self.shares.learn(0, 0.0, time.perf_counter() - tick)
            # the last steps to an optimum can need blocks HiGHS closes only in seconds
            self.sub_limit = min(self.sub_top, self.sub_limit * _SUB_STEP)
            return
        self.improvements += 1
        self.sub_limit = self.sub_first
        self.shares.learn(0, before - self.best, time.perf_counter() - tick)
        # polishing a new best takes a sweep of labellings over the whole staff: as long
        # as the repairs gain more per second, it runs only for its least share of the time
        if self.shares.due(1):
            before, tick = self.best, time.perf_counter()
            self._polish(shift_codes(self.instance, self.grid))
            self.shares.learn(1, before - self.best, time.perf_counter() - tick)

    def _draw_blocks(self, hoods: Neighbourhoods, state: CoverState) -> list:
        """``(kind, mask)`` for up to one block per worker, of disjoint employees."""
        taken = np.zeros(self.E, dtype=bool)
        blocks = []
        for j in range(self.lns_workers):
            if taken.all():
                break
            kind, mask = hoods.draw(state, taken, self.lns_workers - j)
            taken |= mask.any(axis=1)
            blocks.append((kind, mask))
        return blocks

    def _repair_block(self, mask: np.ndarray, time_limit: float, seed: int, nodes: int):
        """Re-optimise the (employee, day) cells ``mask`` of the incumbent by HiGHS.

        Returns
        -------
        tuple
            ``(z or None, closed, simplex_iterations)`` as :func:`repair`.
        """
        # a weekend's column is freed with either of its days
        free = np.concatenate(
            [self.x_cells[mask].ravel(), self.k_cells[mask[:, 5::7] | mask[:, 6::7]]]
        )
        free = free[self.model.ub[free] > 0]
        return repair(
            self.model, self.z_best, free, time_limit=time_limit, node_limit=nodes, seed=seed
        )

    def _repair_blocks(self, masks: list, time_limit: float, seeds: list, nodes: int, executor):
        """Repair each block in ``masks`` from the incumbent.

        The blocks are solved one after another, or side by side on ``executor`` when given.
        """
        if executor is None:
            return [
                self._repair_block(mask, time_limit, s, nodes)
                for mask, s in zip(masks, seeds, strict=True)
            ]
        futures = [
            executor.submit(self._repair_block, mask, time_limit, s, nodes)
            for mask, s in zip(masks, seeds, strict=True)
        ]
        return [f.result() for f in futures]

    def _repaired(self, masks: list, zs: list):
        """Each block's repaired roster, and the list of those found.

        Returns
        -------
        each : list
            Per block, the incumbent with the block's employees taken from its repair
            (None where HiGHS found none).
        found : list
            The rosters of ``each`` that exist, and the roster taking every repair when the
            blocks hold distinct employees (every hard rule is per employee, so that one is
            feasible too).
        """
        each, merged = [], self.grid.copy()
        for mask, z in zip(masks, zs, strict=True):
            if z is None:
                each.append(None)
                continue
            rows = mask.any(axis=1)
            trial = self.grid.copy()
            trial[rows] = self.model.decode(z, self.instance.shift_ids)[rows]
            merged[rows] = trial[rows]
            each.append(trial)
        found = [t for t in each if t is not None]
        rows = [m.any(axis=1) for m in masks]
        if len(found) > 1 and np.sum(rows) == np.any(rows, axis=0).sum():
            found.append(merged)
        return each, found


def search(
    instance: CurtoisInstance,
    *,
    time_limit: float,
    mip_share: float,
    max_rounds: int | None,
    node_limit: int,
    workers: int,
    seed: int,
    columns: bool = True,
) -> SearchResult:
    """Construction, branch-and-cut for ``mip_share`` of the time, column generation and
    diving (when ``columns``), and LNS (see module)."""
    state = _Search(
        instance, time_limit=time_limit, node_limit=node_limit, workers=workers, seed=seed
    )
    state.construct()
    state.start_branch_and_cut(mip_share)
    if columns:
        state.generate_and_dive()
    state.neighbourhood_search(max_rounds)
    return state.result()
