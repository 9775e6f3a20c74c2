"""The results store of a study: one SQLite file that a sweep writes as variants finish.

Each finished variant is one row, written in one transaction: the study, the variant's
name and changes, its fingerprint, seed, replications, the slasim version, its figures
(the JSON report) and the per-replication figures that paired comparisons need. A study
run again with the same store skips the variants already stored and runs the rest, so a
sweep stopped by Ctrl-C or a kill resumes where it stopped. SQLite's transactions (the
default rollback journal, so the store stays one file) mean a row is there whole or not
at all: nothing half-written is ever read.

A store holds studies by name (by default the scenario file's name without its folder
and suffix). A study is fixed by its fingerprint: a SHA-256 of the scenario's file data
(canonical JSON), the slasim version, the engine asked for, the seed, the replications
and the horizon. Running a study whose name is stored with another fingerprint is
refused with a message naming what changed (rows of another seed or scenario are never
mixed in); give the run another study name (``--study``) to keep both in one file, or
another file. `read_study` gives a stored study's table without running anything.

Tables (``PRAGMA user_version = 1``)::

    studies(study PK, fingerprint, scenario, source, data, seed, replications,
            horizon_hours, engine, slasim_version, created)
    variants(study, variant, PK(study, variant), changes, fingerprint, seed,
             replications, slasim_version, figures, per_replication, finished)

`figures` is the JSON report (`slasim.report/1`) of the variant, `changes` a JSON object
of key path -> value, `per_replication` a JSON object of lists (one value per
replication: availability, breach_probability, expected_credit_percent).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from simulation.scenario.errors import InputError, UsageError

STORE_VERSION = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS studies (
    study TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    scenario TEXT NOT NULL,
    source TEXT,
    data TEXT NOT NULL,
    seed INTEGER NOT NULL,
    replications INTEGER NOT NULL,
    horizon_hours REAL,
    engine TEXT NOT NULL,
    slasim_version TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS variants (
    study TEXT NOT NULL REFERENCES studies(study),
    variant TEXT NOT NULL,
    changes TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    seed INTEGER NOT NULL,
    replications INTEGER NOT NULL,
    slasim_version TEXT NOT NULL,
    figures TEXT NOT NULL,
    per_replication TEXT NOT NULL,
    finished TEXT NOT NULL,
    PRIMARY KEY (study, variant)
);
"""


class StoreError(InputError):
    """A store that does not fit the study being run (or is not a slasim store)."""


@dataclass(frozen=True)
class StoredVariant:
    """A finished variant as read back from the store."""

    variant: str
    changes: dict
    fingerprint: str
    figures: dict
    per_replication: dict


@dataclass(frozen=True)
class StudyHeader:
    """What fixes a study: its results are only comparable under the same header."""

    study: str
    fingerprint: str
    scenario: str
    source: str | None
    data: str
    seed: int
    replications: int
    horizon_hours: float | None
    engine: str
    slasim_version: str


class ResultsStore:
    """One SQLite file of studies (module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        Created when absent.

    Raises
    ------
    StoreError
        When the file exists but is not a slasim results store.
    """

    def __init__(self, path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # autocommit mode; writes take explicit transactions. timeout: wait for another
        # process's transaction rather than fail.
        self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a slasim results store ({exc})") from None
        if version not in (0, STORE_VERSION) or (version == 0 and tables):
            self._db.close()
            raise StoreError(
                f"{self.path}: not a slasim results store (an SQLite file with other tables "
                f"or version {version}); give another file"
            )
        if version == 0:
            with self._transaction():
                for statement in filter(str.strip, _TABLES.split(";")):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {STORE_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _transaction(self):
        return _Transaction(self._db)

    # ------------------------------------------------------------------ studies
    def open_study(self, header: StudyHeader) -> dict[str, StoredVariant]:
        """Register `header`'s study (or check it against the stored one) and return its
        stored variants by name.

        Raises
        ------
        StoreError
            When the study is stored with another fingerprint, naming what changed.
        """
        with self._transaction():
            row = self._db.execute(
                "SELECT fingerprint, data, seed, replications, horizon_hours, engine, slasim_version "
                "FROM studies WHERE study = ?",
                (header.study,),
            ).fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO studies VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        header.study,
                        header.fingerprint,
                        header.scenario,
                        header.source,
                        header.data,
                        header.seed,
                        header.replications,
                        header.horizon_hours,
                        header.engine,
                        header.slasim_version,
                        _now(),
                    ),
                )
                return {}
        if row[0] != header.fingerprint:
            raise StoreError(
                f"{self.path}: study '{header.study}' is stored with "
                f"{'; '.join(_differences(row, header))}. A store does not mix runs: give "
                "this one another study name (--study NAME) or another store file"
            )
        return self.variants(header.study)

    def studies(self) -> list[str]:
        """The names of the studies in the store, oldest first."""
        return [r[0] for r in self._db.execute("SELECT study FROM studies ORDER BY rowid")]

    def variants(self, study: str) -> dict[str, StoredVariant]:
        """The finished variants of `study`, by name, in the order they finished."""
        rows = self._db.execute(
            "SELECT variant, changes, fingerprint, figures, per_replication FROM variants "
            "WHERE study = ? ORDER BY rowid",
            (study,),
        ).fetchall()
        return {
            r[0]: StoredVariant(r[0], json.loads(r[1]), r[2], json.loads(r[3]), json.loads(r[4]))
            for r in rows
        }

    def save(
        self,
        header: StudyHeader,
        variant: str,
        changes: dict,
        fingerprint: str,
        figures: dict,
        per_replication: dict,
    ) -> None:
        """Write one finished variant in one transaction (a variant stored already is kept:
        a run of the same fingerprint gives the same figures)."""
        with self._transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO variants VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    header.study,
                    variant,
                    json.dumps(changes, sort_keys=True, default=str),
                    fingerprint,
                    header.seed,
                    header.replications,
                    header.slasim_version,
                    json.dumps(figures),
                    json.dumps(per_replication),
                    _now(),
                ),
            )


class _Transaction:
    """``BEGIN IMMEDIATE ... COMMIT``, rolled back on an exception."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, *exc):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _differences(row, header: StudyHeader) -> list[str]:
    """What differs between a stored study row and `header`, in words."""
    _, data, seed, reps, horizon, engine, version = row
    out = []
    for what, old, new in (
        ("seed", seed, header.seed),
        ("replications", reps, header.replications),
        ("horizon (hours)", horizon, header.horizon_hours),
        ("engine", engine, header.engine),
        ("slasim version", version, header.slasim_version),
    ):
        if old != new:
            out.append(f"{what} {old}, this run has {new}")
    if data != header.data:
        paths = _changed_paths(json.loads(data), json.loads(header.data))
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        out.append(f"other scenario data (changed: {shown})")
    return out or ["another fingerprint"]


def _changed_paths(old, new, path: str = "") -> list[str]:
    """Key paths where two file data differ (the scenario grammar)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else key
            if key not in old or key not in new:
                out.append(sub)
            else:
                out += _changed_paths(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (a, b) in enumerate(zip(old, new)) for p in _changed_paths(a, b, f"{path}[{i}]")]
    return [] if old == new else [path or "(the whole file)"]


def read_study(path, study: str | None = None, baseline: str | None = None):
    """The table of a stored study, as `simulation.sweep` returned it, without running anything.

    Parameters
    ----------
    path : str or os.PathLike
        The store.
    study : str, optional
        Needed when the store holds more than one study.
    baseline : str, optional
        A stored variant to compare the others with (adds the ``delta.*`` columns).

    Returns
    -------
    DataFrame
        One row per finished variant, in the order they finished (`sweep_table`).

    Raises
    ------
    StoreError
        When the file is not a store, `study` is not in it, or is needed to choose.
    ValueError
        When `baseline` is not a stored variant.
    """
    from simulation.study.sweep import Variant, VariantOutcome, sweep_table

    if not Path(path).is_file():
        raise StoreError(f"{path}: no such store")
    with ResultsStore(path) as db:
        names = db.studies()
        if study is None:
            if len(names) != 1:
                raise StoreError(
                    f"{path}: holds {len(names)} studies; name one of: {', '.join(names) or '-'}"
                )
            study = names[0]
        if study not in names:
            raise StoreError(f"{path}: no study '{study}'; it holds: {', '.join(names) or '-'}")
        rows = db.variants(study)
    outcomes = [
        VariantOutcome(Variant(r.variant, r.changes), r.figures, r.per_replication, True)
        for r in rows.values()
    ]
    if baseline is not None and baseline not in rows:
        raise UsageError(f"baseline {baseline!r} is not a stored variant of '{study}': {'; '.join(rows)}")
    return sweep_table(outcomes, baseline)
