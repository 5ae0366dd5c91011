"""Independent reference for redials: the exact Markov chain of a queue with an orbit.

The state is ``(i, j)``: ``i`` callers in the system (in service and waiting, at most the
trunks) and ``j`` callers between a lost attempt and their redial (the orbit, truncated at
``orbit``). Fresh callers arrive at ``rate``; each caller in the orbit redials at rate
``1/delay`` (exponential delays, as the simulation draws them); a caller served leaves at rate
``1/aht``, a waiting caller hangs up at rate ``1/patience`` and joins the orbit with
``p_ab``; a caller who finds every trunk taken joins the orbit with ``p_bl``. Nothing here
uses the fixed point under test: the stationary law is a sparse linear solve.
"""

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve


def retrial_chain(rate, aht, agents, patience, p_ab, p_bl, delay, trunks, orbit):
    """Stationary rates of the chain, per second and per fresh caller.

    Returns a dict with ``attempts`` (fresh calls and redials per second), ``served_share``
    (callers served per fresh caller), ``abandon_rate`` and ``blocking`` (per attempt) and
    ``orbit_tail`` (the mass in the last five orbit levels, to check the truncation).
    """
    k, n = int(trunks), int(agents)
    mu, theta, nu = 1.0 / aht, 1.0 / patience, 1.0 / delay
    width = orbit + 1
    rows, cols, vals = [], [], []

    def add(i, j, i2, j2, r):
        if r > 0.0:
            rows.append(i * width + j)
            cols.append(i2 * width + j2)
            vals.append(r)

    for i in range(k + 1):
        for j in range(orbit + 1):
            if i < k:
                add(i, j, i + 1, j, rate)
                if j > 0:
                    add(i, j, i + 1, j - 1, j * nu)
            else:
                if j < orbit:
                    add(i, j, i, j + 1, rate * p_bl)
                if j > 0:
                    add(i, j, i, j - 1, j * nu * (1.0 - p_bl))
            if i > 0:
                add(i, j, i - 1, j, min(i, n) * mu)
            if i > n:
                hang_up = (i - n) * theta
                back = p_ab if j < orbit else 0.0
                add(i, j, i - 1, min(j + 1, orbit), hang_up * back)
                add(i, j, i - 1, j, hang_up * (1.0 - back))
    size = (k + 1) * width
    q = sparse.csr_matrix((vals, (rows, cols)), shape=(size, size))
    q = q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())
    a = q.T.tolil()
    a[0, :] = 1.0  # one balance equation replaced by the normalization
    b = np.zeros(size)
    b[0] = 1.0
    pi = spsolve(a.tocsr(), b).reshape(k + 1, width)
    i = np.arange(k + 1)[:, None]
    j = np.arange(width)[None, :]
    attempts = rate + float(np.sum(pi * j)) * nu
    served = float(np.sum(pi * np.minimum(i, n))) * mu
    abandoned = float(np.sum(pi * np.maximum(i - n, 0))) * theta
    return {
        "attempts": attempts,
        "served_share": served / rate,
        "abandon_rate": abandoned / attempts,
        # Per attempt: fresh calls see the time average (PASTA), redials do not.
        "blocking": (rate * float(pi[k].sum()) + nu * float(np.sum(pi[k] * j[0]))) / attempts,
        "orbit_tail": float(pi[:, -5:].sum()),
    }
