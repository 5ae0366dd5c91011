"""A mixed-integer program handed to HiGHS (``highspy``), the solver every roster stage uses,
and a run that restarts HiGHS's thread scheduler when another model sized it otherwise.

HiGHS prints its banner on the C-level standard output when a process makes its first model;
importing this module makes that first model with the output sent to standard error, where
logs belong, so that stdout carries only results.
"""

from __future__ import annotations

import ctypes
import os
import sys

import highspy
import numpy as np
from scipy import sparse


def _banner_to_stderr() -> None:
    """Make the process's first HiGHS model with file descriptor 1 pointing at stderr."""
    try:
        out, err = sys.__stdout__.fileno(), sys.__stderr__.fileno()
    except (AttributeError, OSError, ValueError):  # no real descriptors (embedded interpreter)
        highspy.Highs()
        return
    try:
        libc = ctypes.CDLL(None)
    except OSError:  # no C library to flush through
        highspy.Highs()
        return
    sys.__stdout__.flush()
    libc.fflush(None)
    saved = os.dup(out)
    try:
        os.dup2(err, out)
        highspy.Highs()
        libc.fflush(None)  # the banner leaves the C buffer while it still points at stderr
    finally:
        os.dup2(saved, out)
        os.close(saved)


_banner_to_stderr()


def highs_model(
    c,
    A,
    row_lower,
    row_upper,
    col_lower,
    col_upper,
    integrality=None,
    *,
    options: dict | None = None,
    start=None,
) -> highspy.Highs:
    """A quiet HiGHS instance holding ``min c x`` s.t. ``row_lower <= A x <= row_upper``.

    Parameters
    ----------
    c, row_lower, row_upper, col_lower, col_upper : array-like
        Costs and bounds; infinite bounds are given as ``±numpy.inf``.
    A : scipy.sparse array
        Constraint matrix, rows by columns.
    integrality : array-like, optional
        Nonzero where a column is integer; None solves the linear relaxation.
    options : dict, optional
        HiGHS options (``time_limit``, ``mip_rel_gap``, ``threads``...).
    start : array-like, optional
        A feasible point HiGHS takes as its first incumbent.

    Returns
    -------
    highspy.Highs
        Ready to ``run()``.
    """
    A = sparse.csc_array(A)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data.astype(float)
    if integrality is not None:
        kind = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kind[bool(v)] for v in integrality]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    return h


def run(h: highspy.Highs) -> highspy.HighsStatus:
    """``h.run()``, again on a fresh scheduler when HiGHS refuses the one in place.

    HiGHS solves on a scheduler of worker threads kept per calling thread and sized by the
    first run in that thread; a later run whose ``threads`` option asks for another size is
    refused (an error, nothing solved). A model left at ``threads=0`` sizes it automatically
    (half the cores up to highspy 1.15, more from 1.16), so a caller's model, a
    stage-1 schedule or a check solved earlier in the same thread would stop every
    single-thread solve of a roster. Such a run releases the scheduler
    (``Highs.resetGlobalScheduler``) and starts it again at its own size.

    Returns
    -------
    highspy.HighsStatus
        Of the last run.
    """
    status = h.run()
    if (
        status == highspy.HighsStatus.kError
        and h.getModelStatus() == highspy.HighsModelStatus.kNotset
    ):
        highspy.Highs.resetGlobalScheduler(True)
        status = h.run()
    return status
