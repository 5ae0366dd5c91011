"""Every Python example of the README runs on its own, as a reader would paste it."""

import re
from pathlib import Path

import matplotlib
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_example_runs_alone(number, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"readme_example_{number}"}
    exec(compile(BLOCKS[number], f"README.md example {number + 1}", "exec"), namespace)
    if "plan" in namespace and hasattr(namespace["plan"], "headcount"):
        # the roster example is staffed: the team is the one the month needs
        plan = namespace["plan"]
        assert len(plan.totals) == plan.headcount.needed
        assert plan.summary()["violations_hard"] == 0
