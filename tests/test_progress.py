"""The progress bar: no `TqdmWarning: IProgress not found` in Jupyter without ipywidgets."""

import importlib.util
import sys
import types
import warnings

import tqdm.std

from simulation.study.runner import progress_bar_class


class ZMQInteractiveShell:
    """What `get_ipython()` returns in a Jupyter kernel (tqdm looks at the class name)."""


def test_text_bar_in_jupyter_without_ipywidgets_and_no_warning(monkeypatch):
    """tqdm.auto warns in a Jupyter kernel without ipywidgets; we ask for the text bar."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ipywidgets" else real(name, *a)
    )
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("ipykernel.zmqshell"))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=ZMQInteractiveShell))
    for name in ("tqdm.auto", "tqdm.autonotebook"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cls = progress_bar_class()
        cls(total=1, disable=True).close()
    assert [str(w.message) for w in caught] == []
    assert cls is tqdm.std.tqdm
