"""Compiled forward pass and backtrack of the pattern-pricing dynamic programme.

State arrays are ``V[last, run, w, e, r]``: the last day's shift (0 = off, else shift + 1),
the run of working days, working days so far, extra paid units so far, and the counted
resources flattened into one mixed-radix index ``r``. Working shift ``s`` on day ``d`` moves
``r`` through ``maps[sig[d, s], r]`` (``-1`` when a cap would be passed). On a Sunday, the
off predecessor moves the weekend digit up by one (``sun_src`` gives the source index).
See :mod:`roster.people.pricing` for the model.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_INF = np.inf


@njit(cache=True, nogil=True)
def forward(store, arg, klass, cost, okd, order, kpre, prefix, compat, extra, sig, maps,
            sun_src, sunday, run_pen, pm, w_need, crossl, lost_up):  # fmt: skip
    """Fill ``store[d + 1]`` from ``store[d]`` for every day; ``store[0]`` holds the start.

    After ``d`` days only ``w <= d`` is reachable, and ``w < w_need - (D - d)`` can no longer
    reach the working days the paid band needs: those states are skipped. So are states no
    path reaches: the off state with a run (``last == 0`` has ``run == 0``), a shift
    without one, and runs longer than the days worked. Only the slice of working days a
    day can reach is reset and written; the backtrack reads no other (its working days
    stay on the path), and the last day is reset whole for the choice of end state."""
    D, S = cost.shape
    L, C1, W1, E, R = store.shape[1:]
    C = C1 - 1
    for d in range(D):
        vp = store[d]
        vn = store[d + 1]
        w_lo = max(0, w_need - (D - d))
        w_hi = min(d + 1, W1)
        if d == D - 1:
            vn[:] = _INF
        else:
            vn[:, :, w_lo : min(w_hi + 1, W1)] = _INF
        off = vn[0, 0]
        for last in range(L):
            lost = crossl[last]
            r_lo, r_hi = (0, 1) if last == 0 else (1, C1)
            for run in range(r_lo, r_hi):
                for w in range(max(w_lo, run), w_hi):
                    for e in range(E):
                        for r in range(R):
                            v = vp[last, run, w, e, r]
                            r2 = lost_up[r] if lost else r
                            if r2 >= 0 and v < off[w, e, r2]:
                                off[w, e, r2] = v
        any_ok = False
        for s in range(S):
            if okd[d, s]:
                any_ok = True
        if not any_ok:
            continue
        sun = sunday[d]
        if prefix:
            # running minimum of the predecessors in an order where allowed sets are prefixes
            for j in range(L):
                last = order[j]
                for run in range(C):
                    for w in range(max(w_lo, run), w_hi):
                        for e in range(E):
                            for r in range(R):
                                if last == 0:
                                    if run > 0:
                                        v = _INF
                                    elif sun:
                                        src = sun_src[r]
                                        v = vp[0, 0, w, e, src] if src >= 0 else _INF
                                    else:
                                        v = vp[0, 0, w, e, r]
                                elif run == 0:
                                    v = _INF
                                else:
                                    v = vp[last, run, w, e, r]
                                if j > 0 and pm[j - 1, run, w, e, r] < v:
                                    v = pm[j - 1, run, w, e, r]
                                pm[j, run, w, e, r] = v
        an = arg[d + 1]
        for s in range(S):
            if not okd[d, s]:
                continue
            cl = klass[s]
            c = cost[d, s]
            ex = extra[s]
            mp = maps[sig[d, s]]
            kk = kpre[s] - 1
            for run in range(C):
                pen = run_pen[run + 1]
                for w in range(max(w_lo, run), min(w_hi, W1 - 1)):
                    for e in range(E - ex):
                        for r in range(R):
                            r2 = mp[r]
                            if r2 < 0:
                                continue
                            if prefix:
                                v = pm[kk, run, w, e, r]
                            else:
                                v = _INF
                                for last in range(L):
                                    if not compat[last, s]:
                                        continue
                                    if last == 0 and sun:
                                        src = sun_src[r]
                                        u = vp[0, run, w, e, src] if src >= 0 else _INF
                                    else:
                                        u = vp[last, run, w, e, r]
                                    if u < v:
                                        v = u
                            if v < _INF:
                                v += c + pen
                                if v < vn[cl, run + 1, w + 1, e + ex, r2]:
                                    vn[cl, run + 1, w + 1, e + ex, r2] = v
                                    an[cl, run + 1, w + 1, e + ex, r2] = s


@njit(cache=True, nogil=True)
def backtrack(store, arg, state, compat, extra, sig, inv_maps, sun_src, sunday, crossl,
              lost_src):  # fmt: skip
    """Pattern (-1 off) of a path into end ``state`` = (last, run, w, e, r)."""
    D = store.shape[0] - 1
    L, C1 = store.shape[1], store.shape[2]
    last, run, w, e, r = state[0], state[1], state[2], state[3], state[4]
    pattern = np.full(D, -1, dtype=np.int64)
    for d in range(D - 1, -1, -1):
        vp = store[d]
        if last == 0:
            best = _INF
            bl, br, bs = 0, 0, r
            for lp in range(L):
                src = lost_src[r] if crossl[lp] else r
                if src < 0:
                    continue
                for rp in range(C1):
                    v = vp[lp, rp, w, e, src]
                    if v < best:
                        best, bl, br, bs = v, lp, rp, src
            last, run, r = bl, br, bs
            continue
        s = arg[d + 1, last, run, w, e, r]
        pattern[d] = s
        run -= 1
        w -= 1
        e -= extra[s]
        r = inv_maps[sig[d, s], r]
        best = _INF
        bl = 0
        for lp in range(L):
            if not compat[lp, s]:
                continue
            if lp == 0 and sunday[d]:
                src = sun_src[r]
                v = vp[0, run, w, e, src] if src >= 0 else _INF
            else:
                v = vp[lp, run, w, e, r]
            if v < best:
                best, bl = v, lp
        if bl == 0 and sunday[d]:
            r = sun_src[r]
        last = bl
    return pattern
