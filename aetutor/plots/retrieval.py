"""Search figures: query images and their nearest neighbours in several feature spaces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.plots._common import as_image_batch
from aetutor.validation import check_labels

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.figure import Figure

__all__ = ["neighbour_rows"]


def neighbour_rows(
    queries: ArrayLike,
    y_queries: ArrayLike,
    database: ArrayLike,
    y_database: ArrayLike,
    neighbours: Mapping[str, np.ndarray],
    *,
    image_shape: Sequence[int] | None = None,
    title: str | None = None,
    size: float = 0.8,
) -> Figure:
    """For each query, one row per feature space: the query, then its neighbours, closest first.

    ``neighbours`` maps a space's name to the ``(n_queries, k)`` indices into
    ``database`` that :func:`aetutor.retrieval.nearest_neighbours` returns.
    A neighbour of another class than its query gets a red frame; each row is
    labelled with its space and its share of right-class neighbours.
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    q = as_image_batch(queries, "queries", image_shape)
    db = as_image_batch(database, "database", image_shape)
    y_q = check_labels(y_queries, len(q), "y_queries")
    y_db = check_labels(y_database, len(db), "y_database")
    if not isinstance(neighbours, Mapping):
        raise TypeError(f"neighbours must be a mapping {{space name: indices}}, got "
                        f"{type(neighbours).__name__}")  # fmt: skip
    if not neighbours:
        raise ValueError("neighbours must map at least one space name to neighbour indices")
    tables = {}
    for name, nb in neighbours.items():
        nb = np.asarray(nb)
        if nb.ndim != 2 or len(nb) < len(q) or nb.shape[1] < 1:
            raise ValueError(
                f"neighbours[{name!r}] must have shape (n_queries >= {len(q)}, k), got {nb.shape}"
            )
        if nb.min() < 0 or nb.max() >= len(db):
            raise ValueError(f"neighbours[{name!r}] must index the database (0..{len(db) - 1})")
        tables[name] = nb[: len(q)]
    k = max(nb.shape[1] for nb in tables.values())
    n_rows = len(q) * len(tables)
    fig, axes = plt.subplots(n_rows, k + 1, figsize=(size * (k + 1) + 1.6, size * n_rows + 0.6),
                             squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for side in ax.spines.values():
            side.set_visible(False)
    for i in range(len(q)):
        for j, (name, nb) in enumerate(tables.items()):
            row = axes[i * len(tables) + j]
            if j == 0:
                row[0].imshow(q[i], cmap="gray", vmin=0, vmax=1)
                row[0].set_title("query", fontsize=8)
            hits = y_db[nb[i]] == y_q[i]
            row[0].set_ylabel(f"{name}\n{hits.mean():.0%} right", rotation=0, ha="right",
                              va="center", fontsize=8)
            for c, (idx, hit) in enumerate(zip(nb[i], hits)):
                ax = row[c + 1]
                ax.imshow(db[idx], cmap="gray", vmin=0, vmax=1)
                if not hit:
                    for side in ax.spines.values():
                        side.set_visible(True)
                        side.set_color("red")
                        side.set_linewidth(2)
    fig.suptitle(title or "queries and their nearest neighbours (red frame: another class)")
    return fig
