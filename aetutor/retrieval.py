"""Search by similarity: nearest neighbours in a feature space, and how often they share a class.

Give a query image's features, find the ``k`` closest items of a database
(:func:`nearest_neighbours`), and score the answer by the share of them that
belong to the query's class (:func:`precision_at_k`). The same functions work
for codes, raw pixels or PCA coordinates, so the spaces can be compared.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from aetutor.validation import check_finite, check_labels, check_positive_int

__all__ = ["METRICS", "nearest_neighbours", "precision_at_k"]

METRICS = ("euclidean", "cosine")


def _rows(f, name: str) -> np.ndarray:
    f = check_finite(f, name)
    if f.ndim < 2 or len(f) == 0:
        raise ValueError(
            f"{name} must be features of shape (n, ...) with n >= 1, got shape {f.shape}"
        )
    return f.reshape(len(f), -1).astype(np.float64)


def nearest_neighbours(
    queries: ArrayLike,
    database: ArrayLike,
    k: int = 10,
    *,
    metric: str = "euclidean",
    batch_size: int = 512,
) -> np.ndarray:
    """Indices of the ``k`` database items closest to each query, closest first.

    Parameters
    ----------
    queries, database : features, one row per item (images are flattened).
    k : neighbours per query, at most the size of the database.
    metric : ``"euclidean"`` (straight-line distance) or ``"cosine"`` (angle
        between the vectors, ignoring their lengths).
    batch_size : queries per block of the distance matrix (bounds memory).

    Returns
    -------
    indices : int array of shape ``(n_queries, k)``. Ties are broken by the
        lower index, so the result does not depend on the batch size.
    """
    q, db = _rows(queries, "queries"), _rows(database, "database")
    if q.shape[1] != db.shape[1]:
        raise ValueError(
            f"queries and database must have the same number of features, got {q.shape[1]} "
            f"and {db.shape[1]}"
        )
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    k = check_positive_int(k, "k")
    if k > len(db):
        raise ValueError(f"k must be at most the database size ({len(db)}), got {k}")
    batch_size = check_positive_int(batch_size, "batch_size")
    if metric == "cosine":
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        db = db / np.maximum(np.linalg.norm(db, axis=1, keepdims=True), 1e-12)
    db_sq = np.sum(db**2, axis=1)
    out = np.empty((len(q), k), dtype=np.int64)
    for start in range(0, len(q), batch_size):
        block = q[start : start + batch_size]
        # squared distance up to a per-query constant: |d|^2 - 2 q.d (same ranking)
        d = db_sq[None, :] - 2.0 * block @ db.T
        part = np.argpartition(d, k - 1, axis=1)[:, :k] if k < len(db) else np.tile(
            np.arange(len(db)), (len(block), 1))
        rows = np.arange(len(block))[:, None]
        order = np.lexsort((part, d[rows, part]), axis=1)
        out[start : start + len(block)] = part[rows, order]
    return out


def precision_at_k(y_queries: ArrayLike, y_database: ArrayLike,
                   neighbours: ArrayLike) -> np.ndarray:
    """Share of each query's neighbours that have the query's label, one float per query.

    ``neighbours`` is the ``(n_queries, k)`` index array from
    :func:`nearest_neighbours`; ``precision@k`` of a search is the mean of the
    returned values. A random database order scores about the share of the
    query's class in the database (0.1 for ten balanced classes).
    """
    nb = np.asarray(neighbours)
    if nb.ndim != 2 or nb.shape[1] == 0:
        raise ValueError(f"neighbours must be indices of shape (n_queries, k), got {nb.shape}")
    if not np.issubdtype(nb.dtype, np.integer):
        raise TypeError(f"neighbours must hold integer indices, got dtype {nb.dtype}")
    y_q = check_labels(y_queries, len(nb), "y_queries")
    y_db = check_labels(y_database, np.size(y_database), "y_database")
    if nb.size and (nb.min() < 0 or nb.max() >= len(y_db)):
        raise ValueError(
            f"neighbours must index the database (0..{len(y_db) - 1}), got values in "
            f"[{nb.min()}, {nb.max()}]"
        )
    return np.mean(y_db[nb] == y_q[:, None], axis=1)
