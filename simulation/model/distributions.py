"""Probability distributions of durations (hours).

Each distribution is an immutable object with a vectorised ``sample(n, rng)`` (the
fast engine draws arrays), ``mean``, ``variance``, ``cdf`` and ``sf``, and a repr
that is the constructor call (``eval(repr(d)) == d``). Field data is usually reported as a mean and a
coefficient of variation, or a median and a 95th percentile; the ``from_*``
constructors take those.

Examples
--------
>>> import numpy as np
>>> d = Lognormal.from_median_p95(0.5, 4.0)
>>> round(d.median, 3)
0.5
>>> Exponential.from_mean(4.0)
Exponential(rate=0.25)
>>> Weibull.from_mean(shape=1.3, mean=9000.0).mean
9000.0...
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields

import numpy as np

#: An `Empirical` with more samples than this has a summary for its repr, not a call.
REPR_SAMPLES = 20
#: z value of the 95th percentile of the standard normal distribution.
Z95 = 1.6448536269514722


def duration_text(hours: float) -> str:
    """A duration in the unit a reader expects: ``30 s``, ``12 min``, ``3 h``, ``4.5 d``, ``2 y``
    (three significant digits; a year is 8760 h)."""
    h = float(hours)
    for unit, size, above in (
        ("y", 8760.0, 8760.0),
        ("d", 24.0, 72.0),
        ("h", 1.0, 1.0),
        ("min", 1 / 60, 1 / 60),
    ):
        if h >= above:
            return f"{h / size:.3g} {unit}"
    return f"{h * 3600:.3g} s"


def _fmt(x: float) -> str:
    """The shortest text that reads back as the same number, so a repr is a valid call."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


class Distribution(ABC):
    """A non-negative random duration in hours."""

    @abstractmethod
    def sample(self, n: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Draw `n` independent values (an array of that shape), hours."""

    @property
    @abstractmethod
    def mean(self) -> float:
        """Expected value, hours."""

    @property
    @abstractmethod
    def variance(self) -> float:
        """Variance, hours squared."""

    @abstractmethod
    def cdf(self, t):
        """P(X <= t)."""

    @abstractmethod
    def ppf(self, q):
        """Inverse cdf: the duration below which a fraction `q` falls (vectorised).

        The engines draw by inverse transform, ``ppf(u)`` of uniforms from
        `simulation.engine.streams`, so every draw has a fixed place in its stream.
        """

    @abstractmethod
    def scaled(self, factor: float) -> Distribution:
        """The same family with every value multiplied by `factor` (> 0): the
        distribution of ``factor * X`` (a repair twice as fast is ``scaled(0.5)``)."""

    def sf(self, t):
        """P(X > t)."""
        return 1.0 - self.cdf(t)

    @property
    def std(self) -> float:
        return math.sqrt(self.variance)

    @property
    def is_exponential(self) -> bool:
        return False

    def describe(self) -> str:
        """A short description in the terms field data uses, for messages and reports:
        ``exponential (mean 4 h)``, ``lognormal (median 3 h, sigma 0.84)``. Not a call:
        `repr` is the exact constructor call."""
        return f"{type(self).__name__.lower()} (mean {duration_text(self.mean)})"

    def __repr__(self) -> str:
        """The constructor call that makes this distribution: ``Weibull(shape=1.3, scale=9745.1)``."""
        args = ", ".join(f"{f.name}={_fmt(getattr(self, f.name))}" for f in fields(self))
        return f"{type(self).__name__}({args})"


@dataclass(frozen=True, repr=False)
class Exponential(Distribution):
    """Memoryless duration with `rate` per hour."""

    rate: float

    def __post_init__(self):
        _positive("rate", self.rate)

    @classmethod
    def from_mean(cls, mean: float) -> Exponential:
        _positive("mean", mean)
        return cls(1.0 / mean)

    def sample(self, n, rng):
        return rng.exponential(1.0 / self.rate, n)

    @property
    def mean(self):
        return 1.0 / self.rate

    @property
    def variance(self):
        return 1.0 / self.rate**2

    def scaled(self, factor):
        return Exponential(self.rate / factor)

    def ppf(self, q):
        return -np.log1p(-np.asarray(q, dtype=float)) / self.rate

    def cdf(self, t):
        return -np.expm1(-self.rate * np.maximum(t, 0.0))

    @property
    def is_exponential(self):
        return True


@dataclass(frozen=True, repr=False)
class Weibull(Distribution):
    """Weibull with `shape` k and `scale` (hours); k < 1 is a decreasing hazard."""

    shape: float
    scale: float

    def __post_init__(self):
        _positive("shape", self.shape)
        _positive("scale", self.scale)

    @classmethod
    def from_mean(cls, shape: float, mean: float) -> Weibull:
        _positive("shape", shape)
        _positive("mean", mean)
        return cls(shape, mean / math.gamma(1.0 + 1.0 / shape))

    def sample(self, n, rng):
        return self.scale * rng.weibull(self.shape, n)

    @property
    def mean(self):
        return self.scale * math.gamma(1.0 + 1.0 / self.shape)

    @property
    def variance(self):
        g1 = math.gamma(1.0 + 1.0 / self.shape)
        g2 = math.gamma(1.0 + 2.0 / self.shape)
        return self.scale**2 * (g2 - g1 * g1)

    def scaled(self, factor):
        return Weibull(self.shape, self.scale * factor)

    def ppf(self, q):
        return self.scale * (-np.log1p(-np.asarray(q, dtype=float))) ** (1.0 / self.shape)

    def cdf(self, t):
        return -np.expm1(-((np.maximum(t, 0.0) / self.scale) ** self.shape))

    @property
    def is_exponential(self):
        return self.shape == 1.0

    def describe(self) -> str:
        return f"weibull (mean {duration_text(self.mean)}, shape {self.shape:.3g})"


@dataclass(frozen=True, repr=False)
class Lognormal(Distribution):
    """exp(N(mu, sigma^2)), hours."""

    mu: float
    sigma: float

    def __post_init__(self):
        _positive("sigma", self.sigma)

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> Lognormal:
        _positive("mean", mean)
        _positive("cv", cv)
        s2 = math.log1p(cv * cv)
        return cls(math.log(mean) - s2 / 2.0, math.sqrt(s2))

    @classmethod
    def from_median_p95(cls, median: float, p95: float) -> Lognormal:
        _positive("median", median)
        if not p95 > median:
            raise ValueError(f"p95 ({p95}) must be greater than the median ({median})")
        return cls(math.log(median), math.log(p95 / median) / Z95)

    @classmethod
    def from_median_sigma(cls, median: float, sigma: float) -> Lognormal:
        _positive("median", median)
        return cls(math.log(median), sigma)

    def sample(self, n, rng):
        return rng.lognormal(self.mu, self.sigma, n)

    @property
    def median(self):
        return math.exp(self.mu)

    @property
    def mean(self):
        return math.exp(self.mu + self.sigma**2 / 2.0)

    @property
    def variance(self):
        s2 = self.sigma**2
        return math.expm1(s2) * math.exp(2.0 * self.mu + s2)

    def scaled(self, factor):
        return Lognormal(self.mu + math.log(factor), self.sigma)

    def ppf(self, q):
        from scipy.special import ndtri

        return np.exp(self.mu + self.sigma * ndtri(q))

    def cdf(self, t):
        t = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(t, 0.0)) - self.mu) / (self.sigma * math.sqrt(2.0))
        return 0.5 * (1.0 + _erf(z))

    def describe(self) -> str:
        return f"lognormal (median {duration_text(self.median)}, sigma {self.sigma:.2g})"


@dataclass(frozen=True, repr=False)
class Gamma(Distribution):
    """Gamma with `shape` and `scale` (hours)."""

    shape: float
    scale: float

    def __post_init__(self):
        _positive("shape", self.shape)
        _positive("scale", self.scale)

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> Gamma:
        _positive("mean", mean)
        _positive("cv", cv)
        return cls(1.0 / (cv * cv), mean * cv * cv)

    def sample(self, n, rng):
        return rng.gamma(self.shape, self.scale, n)

    @property
    def mean(self):
        return self.shape * self.scale

    @property
    def variance(self):
        return self.shape * self.scale**2

    def scaled(self, factor):
        return Gamma(self.shape, self.scale * factor)

    def ppf(self, q):
        from scipy.special import gammaincinv

        return self.scale * gammaincinv(self.shape, q)

    def cdf(self, t):
        from scipy.special import gammainc  # only plots and tests need it

        return gammainc(self.shape, np.maximum(t, 0.0) / self.scale)

    @property
    def is_exponential(self):
        return self.shape == 1.0

    def describe(self) -> str:
        return f"gamma (mean {duration_text(self.mean)}, cv {1 / math.sqrt(self.shape):.2g})"


@dataclass(frozen=True, repr=False)
class Normal(Distribution):
    """A normal distribution with mean `loc` and standard deviation `sd` (hours),
    truncated at 0.

    The truncated mean and variance are returned by the properties `mean` and
    `variance` (they equal `loc` and ``sd**2`` when 0 is far in the left tail).
    """

    loc: float
    sd: float

    def __post_init__(self):
        _positive("sd", self.sd)

    def sample(self, n, rng):
        out = rng.normal(self.loc, self.sd, n)
        bad = out < 0.0
        while bad.any():  # rejection keeps exact truncation; P(reject) = Phi(-loc/sd)
            out[bad] = rng.normal(self.loc, self.sd, int(bad.sum()))
            bad = out < 0.0
        return out

    def _alpha_terms(self):
        a = -self.loc / self.sd
        phi = math.exp(-a * a / 2.0) / math.sqrt(2.0 * math.pi)
        z = 1.0 - 0.5 * (1.0 + math.erf(a / math.sqrt(2.0)))  # P(N > 0)
        return a, phi, z

    @property
    def mean(self):
        _, phi, z = self._alpha_terms()
        return self.loc + self.sd * phi / z

    @property
    def variance(self):
        a, phi, z = self._alpha_terms()
        lam = phi / z
        return self.sd**2 * (1.0 + a * lam - lam * lam)

    def scaled(self, factor):
        return Normal(self.loc * factor, self.sd * factor)

    def ppf(self, q):
        from scipy.special import ndtr, ndtri

        below = ndtr(-self.loc / self.sd)  # P(N < 0), the mass cut off
        return np.maximum(self.loc + self.sd * ndtri(below + np.asarray(q, dtype=float) * (1.0 - below)), 0.0)

    def cdf(self, t):
        t = np.maximum(np.asarray(t, dtype=float), 0.0)
        _, _, z = self._alpha_terms()
        f = lambda x: 0.5 * (1.0 + _erf((x - self.loc) / (self.sd * math.sqrt(2.0))))  # noqa: E731
        return (f(t) - f(0.0)) / z

    def describe(self) -> str:
        return f"normal truncated at 0 (loc {duration_text(self.loc)}, sd {duration_text(self.sd)})"


@dataclass(frozen=True, repr=False)
class Deterministic(Distribution):
    """Always `value` hours."""

    value: float

    def __post_init__(self):
        if not self.value >= 0:
            raise ValueError(f"value must be >= 0, got {self.value}")

    def sample(self, n, rng):
        return np.full(n, float(self.value))

    @property
    def mean(self):
        return float(self.value)

    @property
    def variance(self):
        return 0.0

    def scaled(self, factor):
        return Deterministic(self.value * factor)

    def ppf(self, q):
        return np.full(np.shape(q), float(self.value))

    def cdf(self, t):
        return (np.asarray(t, dtype=float) >= self.value).astype(float)

    def describe(self) -> str:
        return f"fixed {duration_text(self.value)}"


@dataclass(frozen=True, repr=False)
class Uniform(Distribution):
    """Uniform on [`low`, `high`] hours."""

    low: float
    high: float

    def __post_init__(self):
        if not 0 <= self.low < self.high:
            raise ValueError(f"need 0 <= low < high, got low={self.low}, high={self.high}")

    def sample(self, n, rng):
        return rng.uniform(self.low, self.high, n)

    @property
    def mean(self):
        return (self.low + self.high) / 2.0

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12.0

    def scaled(self, factor):
        return Uniform(self.low * factor, self.high * factor)

    def ppf(self, q):
        return self.low + np.asarray(q, dtype=float) * (self.high - self.low)

    def cdf(self, t):
        return np.clip((np.asarray(t, dtype=float) - self.low) / (self.high - self.low), 0.0, 1.0)

    def describe(self) -> str:
        return f"uniform ({duration_text(self.low)} .. {duration_text(self.high)})"


@dataclass(frozen=True, repr=False, eq=False)
class Empirical(Distribution):
    """Resampling (with replacement) of observed durations, hours."""

    samples: tuple[float, ...]

    def __post_init__(self):
        values = np.asarray(self.samples, dtype=float)
        if values.size == 0 or not np.all(values >= 0) or not np.all(np.isfinite(values)):
            raise ValueError("samples must be a non-empty list of non-negative durations")
        object.__setattr__(self, "_values", np.sort(values))

    def sample(self, n, rng):
        return rng.choice(self._values, n)

    @property
    def mean(self):
        return float(self._values.mean())

    @property
    def variance(self):
        return float(self._values.var())

    def scaled(self, factor):
        return Empirical(tuple(self._values * factor))

    def ppf(self, q):
        n = self._values.size
        return self._values[np.minimum((np.asarray(q, dtype=float) * n).astype(np.int64), n - 1)]

    def cdf(self, t):
        return np.searchsorted(self._values, t, side="right") / self._values.size

    def __eq__(self, other):
        return isinstance(other, Empirical) and np.array_equal(self._values, other._values)

    def __hash__(self):
        return hash(self._values.tobytes())

    def __repr__(self):
        """``Empirical(samples=(0.5, 1.0, 2.0))`` (sorted, as resampled); a long sample
        is summarised in angle brackets, since printing every value helps no one."""
        if self._values.size > REPR_SAMPLES:
            return f"<Empirical: {self._values.size} samples, mean {self.mean:.6g} h>"
        values = ", ".join(_fmt(v) for v in self._values) + ("," if self._values.size == 1 else "")
        return f"Empirical(samples=({values}))"

    def describe(self) -> str:
        return f"empirical ({self._values.size} samples, mean {duration_text(self.mean)})"


def _positive(name: str, value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a positive number, got {value}")


def _erf(z):
    z = np.asarray(z, dtype=float)
    return np.vectorize(math.erf, otypes=[float])(z) if z.ndim else math.erf(float(z))
