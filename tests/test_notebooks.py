"""Every notebook in notebooks/ runs top to bottom.

The code cells run in order in one namespace, from the notebook's folder, with a
non-interactive matplotlib backend; a cell's last expression is displayed as Jupyter
would (its ``_repr_html_`` when it has one, else ``repr``), so a broken display fails
too. No kernel is needed.
"""

import ast
import os
from pathlib import Path

import matplotlib
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _run_cell(source: str, namespace: dict) -> None:
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        shown = getattr(value, "_repr_html_", None)
        assert (shown() if callable(shown) else repr(value)) is not None


def test_there_is_a_notebook():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(path.parent)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    notebook = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            _run_cell(cell.source, namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
    assert os.getcwd() == str(path.parent)
