"""Before and after: every lesson on an earlier commit against this one, back to back.

Issue 18 asks for lessons 01-07 together in at most half their earlier time, and every lesson
under 60 s, with ``mnist_5k`` on the same idle machine, one run right after the other. The
*after* run is this checkout's ``notebooks`` section; the *before* run is the same section run
from a checkout of the earlier commit, saved beside it as ``results/notebooks_before.json``
with a ``label`` naming that commit and its backend (see :data:`HOW_TO`). The report then
shows both, lesson by lesson, with the ratio of the totals.
"""

from __future__ import annotations

from typing import Any

from benchmarks.notebook_timings import summarise

__all__ = [
    "FIRST_EDITION", "HOW_TO", "HOW_TO_FULL", "TARGET_S", "compare", "render", "render_full",
]

TARGET_S = 60.0  # every lesson, with mnist_5k on an idle 2-core CPU (issue 18)
FIRST_EDITION = tuple(f"{n:02d}_" for n in range(1, 8))  # lessons 01-07: the "at most half" total
HOW_TO = (
    "`git worktree add /tmp/before COMMIT`, then in /tmp/before: `PYTHONPATH=$PWD python -m "
    "benchmarks --only notebooks --repeats 2 --no-full-size --results-dir /tmp/before-results`; "
    "copy /tmp/before-results/notebooks.json to benchmarks/results/notebooks_before.json and add "
    'a top-level `"label"` naming the commit and backend; then, here, `python -m benchmarks '
    "--only notebooks --repeats 2 --no-full-size`"
)


HOW_TO_FULL = (
    "the same with `--only notebooks_full` instead of `--only notebooks --repeats 2 "
    "--no-full-size`, saving the earlier run as benchmarks/results/notebooks_full_before.json"
)


def _rows(result: dict[str, Any], key: str = "subset") -> dict[str, dict[str, float | None]]:
    """Notebook name -> median wall and CPU seconds and peak MiB with one dataset.

    ``key`` is ``"subset"`` (``mnist_5k``) or ``"full"`` (the full-size dataset).
    """
    return {
        row["notebook"].rsplit("/", 1)[-1]: {
            "s": row[key]["median_seconds"],
            "cpu": row[key].get("median_cpu_seconds"),
            "mib": row[key].get("peak_mib"),
        }
        for row in summarise(result["data"])
        if row[key]["runs"]
    }


def _fmt(v: float | None, spec: str = ".1f") -> str:
    """A number for a table cell, or a dash where there is none."""
    return "–" if v is None else format(v, spec)


def _ratio(x: float | None, y: float | None) -> str:
    """``y / x`` to two decimals (after over before), or a dash where it is undefined."""
    return "–" if not x or y is None else f"{y / x:.2f}"


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Per-lesson seconds before and after, the totals of lessons 01-07 and of all, and verdicts."""
    b, a = _rows(before), _rows(after)
    names = sorted(set(b) & set(a))
    first = [n for n in names if n.startswith(FIRST_EDITION)]

    def total(rows: dict[str, dict[str, float | None]], which: list[str]) -> float | None:
        values = [rows[n]["s"] for n in which]
        return None if not values or None in values else float(sum(values))

    totals = {
        "first_before": total(b, first), "first_after": total(a, first),
        "all_before": total(b, names), "all_after": total(a, names),
    }  # fmt: skip
    slowest = max((a[n]["s"] or 0.0 for n in names), default=None)
    half = (totals["first_after"] is not None and totals["first_before"]
            and totals["first_after"] <= totals["first_before"] / 2)  # fmt: skip
    return {
        "lessons": [{"notebook": n, "before": b[n], "after": a[n]} for n in names],
        "first_edition": first,
        "totals": totals,
        "slowest_after_s": slowest,
        "half_met": bool(half),
        "all_under_target": slowest is not None and slowest < TARGET_S,
    }


def render(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Markdown lines: the before/after table and whether issue 18's two time goals hold."""
    c = compare(before, after)
    fmt, ratio = _fmt, _ratio
    when_b, when_a = before.get("started_utc", "?"), after.get("started_utc", "?")
    lines = [
        f"**Before and after.** Before: {before.get('label', 'an earlier commit')}, run "
        f"{when_b}; after: this commit, in the table above, run {when_a}, on the same machine. "
        f"Seconds with `mnist_5k` (CPU seconds in brackets); after/before is the share of the "
        f"earlier wall time. To rerun: {HOW_TO}.",
        "",
        "| notebook | before s | after s | after/before |",
        "|---|---:|---:|---:|",
    ]
    for row in c["lessons"]:
        bs, as_ = row["before"], row["after"]
        lines.append(
            f"| {row['notebook']} | {fmt(bs['s'])} ({fmt(bs['cpu'], '.0f')}) | "
            f"{fmt(as_['s'])} ({fmt(as_['cpu'], '.0f')}) | {ratio(bs['s'], as_['s'])} |"
        )
    t = c["totals"]
    lines += [
        f"| **lessons 01–07** | {fmt(t['first_before'])} | {fmt(t['first_after'])} | "
        f"{ratio(t['first_before'], t['first_after'])} |",
        f"| **all lessons** | {fmt(t['all_before'])} | {fmt(t['all_after'])} | "
        f"{ratio(t['all_before'], t['all_after'])} |",
        "",
        f"- Lessons 01–07 together in at most half their earlier time: "
        f"**{'yes' if c['half_met'] else 'no'}**.",
        f"- Every lesson under {TARGET_S:.0f} s: **{'yes' if c['all_under_target'] else 'no'}** "
        f"(slowest {fmt(c['slowest_after_s'])} s).",
    ]
    return lines


def render_full(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Markdown lines: the full-size runs before and after, in CPU seconds and peak memory.

    Full-size runs take minutes each and were measured on a shared machine, so the
    comparison is in CPU seconds (what the kernel itself used), with wall seconds beside.
    """
    b, a = _rows(before, "full"), _rows(after, "full")
    names = sorted(set(b) & set(a))
    first = [n for n in names if n.startswith(FIRST_EDITION)]
    ratio = _ratio

    def fmt(v: float | None, spec: str = ".0f") -> str:
        return _fmt(v, spec)

    def total(rows: dict[str, dict[str, float | None]], which: list[str]) -> float | None:
        values = [rows[n]["cpu"] for n in which]
        return None if not values or None in values else float(sum(values))

    when_b, when_a = before.get("started_utc", "?"), after.get("started_utc", "?")
    lines = [
        f"**Before and after at full size.** Before: {before.get('label', 'an earlier commit')}, "
        f"run {when_b}; after: the table above, run {when_a}, on the same machine. CPU seconds "
        f"of the kernel (wall seconds in brackets) and its peak memory; after/before compares "
        f"CPU seconds. To rerun: {HOW_TO_FULL}.",
        "",
        "| notebook | before CPU s | after CPU s | after/before | before MiB | after MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for n in names:
        bs, as_ = b[n], a[n]
        lines.append(
            f"| {n} | {fmt(bs['cpu'])} ({fmt(bs['s'])}) | {fmt(as_['cpu'])} ({fmt(as_['s'])}) | "
            f"{ratio(bs['cpu'], as_['cpu'])} | {fmt(bs['mib'], ',.0f')} | "
            f"{fmt(as_['mib'], ',.0f')} |"
        )
    tb1, ta1, tb, ta = total(b, first), total(a, first), total(b, names), total(a, names)
    lines += [
        f"| **lessons 01–07** | {fmt(tb1)} | {fmt(ta1)} | {ratio(tb1, ta1)} | | |",
        f"| **all lessons** | {fmt(tb)} | {fmt(ta)} | {ratio(tb, ta)} | | |",
    ]
    return lines
