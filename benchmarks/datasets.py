"""The full-size data sets a benchmark section scores, loaded one at a time."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

__all__ = ["each_dataset"]


def each_dataset(settings: dict[str, Any], section: str, skipped: dict[str, str],
                 log: Any = print) -> Iterator[tuple[str, Any]]:
    """Yield ``(name, Dataset)`` for ``settings["datasets"]``, subset as the settings say.

    A data set listed in ``settings["optional"]`` that is not available offline is
    recorded in ``skipped`` (name: first line of the reason) and logged; any other
    failure to load raises. One data set is in memory at a time.
    """
    from aetutor import DatasetError, load_dataset

    for name in settings["datasets"]:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                ds = load_dataset(name)
        except DatasetError as exc:
            if name not in settings["optional"]:
                raise
            skipped[name] = str(exc).splitlines()[0]
            log(f"{section}: {name} not available, skipped")
            continue
        n_train, n_test = settings.get("n_train"), settings.get("n_test")
        if n_train is not None or n_test is not None:
            ds = ds.subset(n_train=n_train, n_test=n_test, seed=0)
        yield name, ds
