"""A HiGHS run survives a scheduler another instance started at another thread count."""

from concurrent.futures import ThreadPoolExecutor

import highspy
import numpy as np

from roster.highs import run


def small_mip(threads: int) -> highspy.Highs:
    """max x + 2 y s.t. x + 1.5 y <= 4, 0 <= x, y <= 5 integer (optimum 5 at x = 2, y = 1)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    idx = np.arange(2, dtype=np.int32)
    h.addVars(2, np.zeros(2), np.full(2, 5.0))
    h.changeColsCost(2, idx, np.array([-1.0, -2.0]))
    h.changeColsIntegrality(2, idx, np.full(2, highspy.HighsVarType.kInteger))
    h.addRow(-np.inf, 4.0, 2, idx, np.array([1.0, 1.5]))
    return h


def in_fresh_thread(f):
    """``f()`` in a new thread: HiGHS keeps one scheduler per calling thread."""
    with ThreadPoolExecutor(max_workers=1) as one:
        return one.submit(f).result()


def test_a_single_thread_model_solves_after_a_two_thread_one():
    def both():
        first = small_mip(2)
        assert run(first) == highspy.HighsStatus.kOk
        h = small_mip(1)
        status = run(h)
        return status, h.getModelStatus(), h.getInfo().objective_function_value

    status, model_status, objective = in_fresh_thread(both)
    assert status == highspy.HighsStatus.kOk
    assert model_status == highspy.HighsModelStatus.kOptimal
    assert objective == -5.0


def test_the_solver_banner_never_reaches_stdout():
    import subprocess
    import sys

    code = (
        "import highspy, roster.highs\n"
        "h = highspy.Highs()\n"
        "h.setOptionValue('output_flag', False)\n"
        "h.addVar(0.0, 1.0)\n"
        "h.run()\n"
        "print('result')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout == "result\n"
    assert "HiGHS" in done.stderr
