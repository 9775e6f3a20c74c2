"""The front door: `import simulation as sim` offers what a notebook needs, and no more."""

import subprocess
import sys

import simulation as sim


def test_all_lists_the_public_names():
    assert sorted(sim.__all__) == sorted(
        [
            "Deterministic",
            "Distribution",
            "Empirical",
            "Exponential",
            "Gamma",
            "Lognormal",
            "Normal",
            "Result",
            "ScenarioError",
            "Uniform",
            "Weibull",
            "compare",
            "load",
            "loads",
            "optimise",
            "run",
            "sweep",
        ]
    )
    for name in sim.__all__:
        assert getattr(sim, name) is not None


def test_import_is_light():
    """`import simulation` does not pull in SimPy, scipy or matplotlib (engines and plots load them)."""
    heavy = "('simpy', 'scipy', 'matplotlib')"
    code = f"import sys, simulation; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_module_imports_on_its_own():
    """Each module of the package imports in a fresh state: no import cycles, no module
    that works only because another was imported first."""
    code = """
import importlib, pkgutil, sys
import simulation
names = sorted(m.name for m in pkgutil.walk_packages(simulation.__path__, "simulation."))
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "simulation" or m.startswith("simulation.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(names))
print("\\n".join(failed))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, *failed = out.strip().split("\n")
    assert int(count) >= 30 and failed == []
