"""Every notebook in notebooks/ runs top to bottom, and says what its figures show.

The code cells run in order in one namespace, from the notebook's folder, with a
non-interactive matplotlib backend; a cell's last expression is displayed as Jupyter
would (its ``_repr_html_`` when it has one, else ``repr``), so a broken display fails
too. No kernel is needed. The flagship notebook's claims (where the downtime comes
from, what the faster repair buys) are then checked on the figures it computed.
"""

import ast
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _run_cell(source: str, namespace: dict) -> str | None:
    """Run a cell; return what Jupyter would display for it (None when nothing)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is None:
        return None
    value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    if value is None:
        return None
    shown = getattr(value, "_repr_html_", None)
    return shown() if callable(shown) else repr(value)


def run_notebook(path: Path, monkeypatch) -> tuple[dict, list[str]]:
    """The namespace after the last cell, and the displayed output of each cell that shows one."""
    matplotlib.use("Agg")
    monkeypatch.chdir(path.parent)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    notebook = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    shown = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            out = _run_cell(cell.source, namespace)
            if out is not None:
                shown.append(out)
    import matplotlib.pyplot as plt

    plt.close("all")
    return namespace, shown


def test_every_notebook_is_checked_here():
    """A new notebook gets its own test of the figures it shows."""
    assert [p.name for p in NOTEBOOKS] == ["flagship-study.ipynb"]


@pytest.fixture(scope="module")
def flagship():
    path = next(p for p in NOTEBOOKS if p.name == "flagship-study.ipynb")
    with pytest.MonkeyPatch.context() as monkeypatch:
        return run_notebook(path, monkeypatch)


def test_flagship_shows_the_scenario_and_the_summary(flagship):
    namespace, shown = flagship
    result = namespace["result"]
    assert len(shown) == 5 and all(s.strip() for s in shown)  # scenario, summary, 2 tables, report
    scenario_text, summary_html = shown[0], shown[1]
    assert namespace["scenario"].name in scenario_text
    assert "P(breach)" in summary_html and f"{result.replications:,}" in summary_html


def test_flagship_downtime_is_almost_all_rack_power(flagship):
    """The notebook says: almost all counted downtime is the rack power feed, whose repair
    (median 2 h) is longer than the 43.8 minutes a month allows (0.1 % of 730 h)."""
    namespace, _ = flagship
    top = namespace["result"].attribution.iloc[0]
    assert top["instance"] == "rack-power"
    assert top["downtime_share"] > 0.95  # 0.980 in the notebook's run
    assert namespace["scenario"].components["rack-power"].repair.median == pytest.approx(2.0)
    assert (1 - namespace["scenario"].sla.target) * 8760 / 12 * 60 == pytest.approx(43.8)


def test_flagship_faster_repair_lowers_breaches(flagship):
    """With common random numbers, a shorter rack power repair shortens the same outages:
    no replication breaches more months, and P(breach per month) falls from 0.040 to 0.015
    in the notebook's run (4000 replications, seed 7)."""
    namespace, _ = flagship
    result, better = namespace["result"], namespace["better"]
    assert (result.replications, better.replications) == (4000, 4000)
    before = result.windows.groupby("replication").breach.sum().to_numpy()
    after = better.windows.groupby("replication").breach.sum().to_numpy()
    assert np.all(after <= before)
    fewer = before - after
    half_width = 1.96 * fewer.std(ddof=1) / np.sqrt(fewer.size)
    assert fewer.mean() - half_width > 0.25  # 0.303 +- 0.017 breached months a year fewer
    assert better.breach_probability < 0.5 * result.breach_probability
    assert better.expected_credit_percent < 0.5 * result.expected_credit_percent
    report = namespace["report"]
    assert report["sla"]["breach_probability"] == pytest.approx(better.breach_probability, abs=1e-6)
