"""The quadrature behind :mod:`erlang.risk`: the call-weighted expected service level over the
forecast's Gamma law of the rate, and the sign of the staffing margin read from as few nodes
as settle it.
"""

import numpy as np
from scipy import special

from .metrics import _answered_share
from .queue import Queue
from .search import log_odds
from .trunks import TrunkQueue

# The quadrature covers normal scores within this reach: the mass beyond is below 1e-17.
_Z_REACH = 8.5
# Nodes whose weight is below this share of an interval's total are left out: together they
# move the expected service level by less than the rounding of the sum itself.
NEGLIGIBLE = 1e-16
# The staffing search evaluates the nodes weighing at least these shares of their interval
# first, and the lighter ones only where the heavier leave the sign of the margin open.
SCREENS = (1e-2, 1e-3, 1e-5)


def size_biased_nodes(mean, dispersion, edge, kinked, nodes):
    """Quadrature over the call-weighted rate law: rates ``(2 nodes, N)``, weights, tail mass.

    Weighting by calls turns the Gamma law (shape ``k = 1/φ``, scale ``θ = φ m``) into the Gamma
    with shape ``a = k + 1``, ``x f_k(x) / m = f_a(x)``. The integral runs over a normal-like
    score ``z``, through the Wilson-Hilferty map ``x(z) = θ a (1 - 1/(9a) + z / (3 √a))³``,
    which makes ``z`` nearly standard normal for every shape, so the integrand
    ``s(x(z)) f_a(x(z)) x'(z)`` is smooth and concentrated; the change of variables is exact,
    the map only has to be smooth and increasing, and costs no quantile function. Gauss-Legendre
    runs in two pieces split at the score of ``edge``, the rate at which the load reaches the
    agents: there the service level falls steeply, and Legendre nodes crowd towards the ends
    of each piece. Scores run from where ``x = 0`` (or -8.5) to 8.5. Under Erlang C without a
    cap the service level is 0 beyond the edge, with a kink: the upper piece then gets weight
    0 and its mass is returned as ``tail``.
    """
    a = 1.0 / dispersion + 1.0
    theta = dispersion * mean
    centre, slope = 1.0 - 1.0 / (9.0 * a), 1.0 / (3.0 * np.sqrt(a))
    floor = np.maximum(-_Z_REACH, -centre / slope)
    with np.errstate(divide="ignore"):
        split = (np.cbrt(edge / (theta * a)) - centre) / slope
    split = np.clip(split, floor, _Z_REACH)
    x, v = special.roots_legendre(nodes)
    x, v = x[:, None], v[:, None]
    # ln f_a(x) x'(z) = (a - 1) ln(x/θ) - x/θ + 2 ln(base) + ln(3 a slope) - ln Γ(a), with
    # x/θ = a base³: one logarithm per node, the rest per interval.
    log_norm = np.log(3.0 * a * slope) - special.gammaln(a) + (a - 1.0) * np.log(a)
    rates, weights = [], []
    for lo, hi in ((floor, split), (split, _Z_REACH)):
        half = 0.5 * (hi - lo)
        base = np.maximum(centre + slope * (lo + half * (x + 1.0)), 0.0)
        scaled = a * (base * base * base)  # x / θ
        with np.errstate(divide="ignore"):
            log_density = (3.0 * a - 1.0) * np.log(base) - scaled + log_norm
        rates.append(theta * scaled)
        weights.append(v * half * np.exp(log_density))
    weights[1] = np.where(kinked, 0.0, weights[1])
    rates, weights = np.concatenate(rates), np.concatenate(weights)
    tail = np.where(kinked, special.gammaincc(a, edge / theta), 0.0)
    return rates, weights, tail


class RateNodes:
    """The quadrature of the expected shares for one probe per interval (flat arrays,
    ``dispersion > 0``, ``mean > 0``): the nodes kept, their weights and intervals.

    Nodes with a weight below ``negligible`` times their interval's total weight are left out
    of both sums (far out in the tails, or beyond the kink): the queue is evaluated at the
    others only.
    """

    def __init__(self, mean, aht, agents, interval, dispersion, patience, trunks, nodes,
                 negligible):  # fmt: skip
        uncapped = np.ones(mean.shape, dtype=bool) if trunks is None else np.isinf(trunks)
        edge = agents * interval / aht
        # Only uncapped Erlang C has nothing beyond the edge; elsewhere it is where to split.
        kinked = np.isinf(patience) & uncapped
        rates, weights, self.tail = size_biased_nodes(mean, dispersion, edge, kinked, nodes)
        self.kept = np.flatnonzero(weights >= negligible * np.sum(weights, axis=0))
        self.weights = weights.ravel()[self.kept]
        self.column = self.kept % mean.size  # the interval of each kept node
        self.size = mean.size
        self.rates = rates.ravel()[self.kept]
        self.arrays = (aht, agents, interval, patience, trunks)

    def sums(self, levels, definition, over, pick=None):
        """``(E[answered in time], E[counted])`` per interval for each level of ``levels``,
        over the kept nodes (or the part ``pick`` of them), without the tail."""
        at = self.kept if pick is None else self.kept[pick]
        weights = self.weights if pick is None else self.weights[pick]
        column = self.column if pick is None else self.column[pick]

        def grid(x):  # a value per interval (or one for all), at each node picked
            return None if x is None else np.broadcast_to(x, (self.size,))[column]

        aht, agents, interval, patience, trunks = self.arrays
        # The arguments were checked by the caller: the queue is built without checks again.
        rates = self.rates if pick is None else self.rates[pick]
        load = rates * grid(aht) / grid(interval)
        if trunks is None:
            queue = Queue(load, grid(agents), grid(aht), grid(patience), volume=rates)
        else:
            queue = TrunkQueue(
                load, grid(agents), grid(aht), grid(patience), volume=rates, trunks=grid(trunks)
            )
        out = []
        for threshold, short_abandon in levels:
            share = _answered_share(queue, grid(threshold), grid(short_abandon), definition, over)
            # Calls counted by the service level at each rate: offered less short abandons (and
            # less blocked calls under 'admitted'); the expectation is a ratio of expected counts.
            counted = np.ones(at.shape)
            if short_abandon is not None:
                counted = counted - queue.short_abandon(grid(short_abandon))
            if over == "admitted":
                counted = counted - queue.blocking
            counted = weights * np.clip(np.ravel(counted), 0.0, 1.0)
            within = np.bincount(column, counted * np.ravel(share), minlength=self.size)
            out.append((within, np.bincount(column, counted, minlength=self.size)))
        return out


def expected_shares(
    mean, aht, agents, interval, dispersion, patience, trunks, levels, definition, over, nodes,
    negligible=NEGLIGIBLE,
):  # fmt: skip
    """Call-weighted expected service levels on flat arrays (``dispersion > 0``, ``mean > 0``),
    one for each ``(threshold, short_abandon)`` of ``levels``, from one queue per rate."""
    grid = RateNodes(mean, aht, agents, interval, dispersion, patience, trunks, nodes, negligible)
    return [w / (c + grid.tail) for w, c in grid.sums(levels, definition, over)]


def _margin(sums, tail, targets):
    """The least margin over the levels, in log-odds, from their expected counts."""
    out = np.full(tail.shape, np.inf)
    for (within, counted), target in zip(sums, targets, strict=True):
        out = np.minimum(out, log_odds(within / (counted + tail)) - target)
    return out


def screened_margin(grid, levels, targets, screens):
    """The margin of :func:`_margin`, or one of the same sign where the heavier nodes decide it.

    The nodes are evaluated in stages, heaviest first: at stage ``i`` those weighing at least
    ``screens[i]`` of their interval's total. With ``W`` the weight of the nodes not yet
    evaluated, whose shares and counted calls are unknown in [0, 1], the expected share lies
    between ``N / (D + W + tail)`` and ``(N + W) / (D + W + tail)`` for the sums ``N`` and
    ``D`` so far; where the lower bound meets every target, or the upper bound misses one,
    the sign is settled and that bound is returned, and the interval's lighter nodes are never
    evaluated. The search reads the sign exactly and uses the values for its steps only.
    """
    total = np.bincount(grid.column, grid.weights, minlength=grid.size)
    with np.errstate(invalid="ignore"):  # no weight at all (overloaded Erlang C): no node
        share = grid.weights / total[grid.column]
    sums = [(np.zeros(grid.size), np.zeros(grid.size)) for _ in targets]
    out = np.zeros(grid.size)
    open_ = np.ones(grid.size, dtype=bool)
    done = np.zeros(share.shape, dtype=bool)
    for screen in (*screens, 0.0):
        stage = ~done & (share >= screen)
        pick = np.flatnonzero(stage & open_[grid.column])
        if pick.size:
            more = grid.sums(levels, "answered", "offered", pick)
            sums = [(w1 + w2, c1 + c2) for (w1, c1), (w2, c2) in zip(sums, more, strict=True)]
        done |= stage
        rest = np.bincount(grid.column[~done], grid.weights[~done], minlength=grid.size)
        low = _margin([(w, c + rest) for w, c in sums], grid.tail, targets)
        high = _margin([(w + rest, c + rest) for w, c in sums], grid.tail, targets)
        out = np.where(open_, np.where(low >= 0.0, low, high), out)
        open_ &= (low < 0.0) & (high >= 0.0)
        if not open_.any():
            break
    return out
