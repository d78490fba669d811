"""Few-label and search figures: accuracy against labels, queries and their neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.plots import accuracy_vs_labels, neighbour_rows


def test_accuracy_vs_labels_draws_means_with_min_max_bars_on_a_log_axis():
    acc = {"codes": [[0.5, 0.6, 0.7], [0.8, 0.9], [0.95]],
           "fine-tuned": [[0.4, 0.6], [], [0.97]]}
    ax = accuracy_vs_labels([30, 100, 4000], acc, chance=0.1)
    assert ax.get_xscale() == "log"
    lines = {c.get_label(): c.lines[0] for c in ax.containers}
    np.testing.assert_allclose(np.asarray(lines["codes"].get_ydata(), float), [0.6, 0.85, 0.95])
    # the empty size is skipped
    np.testing.assert_allclose(np.asarray(lines["fine-tuned"].get_xdata(), float), [30, 4000])
    # ... and the line that bridges it is dashed; a line with every size is solid
    assert lines["fine-tuned"].get_linestyle() == "--" and lines["codes"].get_linestyle() == "-"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(labels) == {"chance", "codes", "fine-tuned"}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["30", "100", "4,000"]


def test_accuracy_vs_labels_rejects_bad_input():
    with pytest.raises(ValueError, match="positive and increasing"):
        accuracy_vs_labels([100, 30], {"a": [[0.5], [0.6]]})
    with pytest.raises(ValueError, match=r"one list of draws per n_labels entry \(2\), got 1"):
        accuracy_vs_labels([30, 100], {"a": [[0.5]]})
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        accuracy_vs_labels([30], {"a": [[1.5]]})
    with pytest.raises(ValueError, match="at least one method"):
        accuracy_vs_labels([30], {})


def test_neighbour_rows_one_row_per_query_and_space_with_red_frames_on_misses():
    rng = np.random.default_rng(0)
    db, y_db = rng.random((20, 6, 6)), np.arange(20) % 2
    q, y_q = rng.random((2, 6, 6)), np.array([0, 1])
    nb = {"codes": np.array([[0, 2, 1], [1, 3, 5]]), "pixels": np.array([[1, 3, 5], [0, 2, 4]])}
    fig = neighbour_rows(q, y_q, db, y_db, nb, title="search")
    assert len(fig.axes) == 4 * 4  # (2 queries x 2 spaces) rows, 1 + k columns
    red = [ax for ax in fig.axes if ax.spines["top"].get_visible()]
    assert len(red) == 1 + 3 + 3  # codes: one miss for query 0; pixels: all six miss
    ylabels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert ylabels == ["codes\n67% right", "pixels\n0% right", "codes\n100% right",
                       "pixels\n0% right"]
    assert fig._suptitle.get_text() == "search"


def test_neighbour_rows_rejects_bad_input():
    db, y_db = np.zeros((5, 4, 4)), np.arange(5)
    q, y_q = np.zeros((1, 4, 4)), np.array([0])
    with pytest.raises(ValueError, match="must index the database"):
        neighbour_rows(q, y_q, db, y_db, {"a": np.array([[0, 9]])})
    with pytest.raises(ValueError, match=r"must have shape \(n_queries >= 1, k\)"):
        neighbour_rows(q, y_q, db, y_db, {"a": np.array([0, 1])})
    with pytest.raises(ValueError, match="at least one space"):
        neighbour_rows(q, y_q, db, y_db, {})


@pytest.mark.parametrize(
    "n_labels, second, error, match",
    [
        ([10.0, 100.0], None, TypeError, r"accuracies\['b'\] must be a list of draws"),
        ([10.0, 100.0], "x", TypeError, r"accuracies\['b'\] must be a list of draws"),
        ([10.0, 100.0], [[0.5], [np.nan]], ValueError, r"accuracies\['b'\] must be finite"),
        ([10.0, 100.0], [[0.5], ["x"]], TypeError, r"accuracies\['b'\] must hold numbers"),
        ([10.0, 100.0], [[0.5], [1.5]], ValueError, r"accuracies\['b'\] must lie in \[0, 1\]"),
        ([10.0], [[0.5]], ValueError, r"accuracies\['a'\] must hold one list of draws per "
                                      r"n_labels entry \(1\), got 2"),
    ],
)
def test_accuracy_vs_labels_checks_every_method_before_any_figure(n_labels, second, error,
                                                                  match):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=match):
        accuracy_vs_labels(n_labels, {"a": [[0.5, 0.6], [0.8]], "b": second})
    assert not plt.get_fignums()
