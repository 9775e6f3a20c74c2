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
