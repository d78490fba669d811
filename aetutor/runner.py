"""Execute lesson notebooks headlessly, measuring time and kernel memory.

This is the engine behind ``aetutor run`` (``aetutor.cli`` parses arguments and
prints; this module executes). Each notebook is read, executed in memory with
nbclient in a fresh kernel whose working directory is the notebook's own folder
(so relative paths behave as in JupyterLab), and written to an output folder as
an executed ``.ipynb`` plus an ``.html`` page, also when a cell fails, so the
reader can see where it broke. Source notebooks are never opened for writing.

The default kernel is the Python running this process (``sys.executable``),
not whatever the ``python3`` kernelspec on the machine points at; this is the
same approach as nbval's ``--nbval-current-env``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

__all__ = [
    "CURRENT_ENV_KERNEL",
    "DEFAULT_TIMEOUT",
    "EXECUTED_BY",
    "CurrentEnvKernelManager",
    "CurrentEnvKernelSpecManager",
    "NotebookResult",
    "RunnerError",
    "check_destination",
    "check_kernel",
    "check_outputs",
    "default_notebooks",
    "run_notebook",
    "run_notebooks",
    "write_json",
]

CURRENT_ENV_KERNEL = ":aetutor-current-env"
"""Kernel name meaning "an IPython kernel on this very interpreter" (``sys.executable``)."""

DEFAULT_TIMEOUT = 600
"""Seconds one cell may run before the notebook counts as failed."""

_SAMPLE_INTERVAL = 0.2  # seconds between memory samples of the kernel process tree


class RunnerError(ValueError):
    """A run that cannot start: a missing notebook, an unsafe output folder, an unknown kernel."""


EXECUTED_BY = "aetutor run"
"""Value of ``metadata.aetutor.executed_by`` in every notebook the runner writes.

The runner replaces an existing ``NAME.ipynb`` only when it carries this mark
(and an existing ``NAME.html`` only when it ends with :data:`_HTML_MARK`), so a
file it did not write itself, such as a source notebook, is never overwritten.
"""

_HTML_MARK = "<!-- written by aetutor run -->"


# ---------------------------------------------------------------------------
# Kernel: the current environment's Python by default
# ---------------------------------------------------------------------------


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Kernelspec manager that also knows :data:`CURRENT_ENV_KERNEL`.

    That name resolves to ipykernel's own spec for ``sys.executable``, built in
    memory (nothing is installed); any other name is looked up as usual.
    """

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        """Return the spec for ``kernel_name``; raise ``NoSuchKernel`` if unknown."""
        if kernel_name == CURRENT_ENV_KERNEL:
            from ipykernel.kernelspec import RESOURCES, get_kernel_dict

            spec = get_kernel_dict()
            return self.kernel_spec_class(
                resource_dir=RESOURCES,
                argv=spec["argv"],
                display_name=f"Python (current environment: {sys.executable})",
                language=spec["language"],
                metadata=spec.get("metadata", {}),
            )
        return super().get_kernel_spec(kernel_name)


class CurrentEnvKernelManager(AsyncKernelManager):
    """nbclient's default kernel manager, resolving names with :class:`CurrentEnvKernelSpecManager`.

    It also turns on CurveZMQ transport encryption where the kernel supports it.
    """

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return CurrentEnvKernelSpecManager(data_dir=self.data_dir)

    @default("transport_encryption")  # a recent jupyter_client trait; a no-op where absent
    def _transport_encryption_default(self) -> str:
        # Encrypt kernel traffic when both sides can (the kernelspec says so and
        # pyzmq has CurveZMQ); this also silences ipykernel's plain-TCP warning.
        import zmq

        return "auto" if zmq.has("curve") else "disabled"


def check_kernel(kernel: str) -> None:
    """Raise :class:`RunnerError` listing the installed kernels if ``kernel`` is unknown."""
    from jupyter_client.kernelspec import NoSuchKernel

    manager = CurrentEnvKernelSpecManager()
    try:
        manager.get_kernel_spec(kernel)
    except NoSuchKernel:
        known = ", ".join(sorted(manager.find_kernel_specs())) or "none installed"
        raise RunnerError(
            f"unknown kernel {kernel!r}; installed kernels: {known} "
            "(leave out --kernel to use this Python environment)"
        ) from None


# ---------------------------------------------------------------------------
# Peak memory of the kernel process tree
# ---------------------------------------------------------------------------


class _PeakMemory:
    """Background sampler of the resident memory of a process and its children.

    Sums RSS over the kernel and its descendants (shared pages count once per
    process, so this is an upper bound) every ``interval`` seconds and keeps the
    maximum: what the reader's machine needs to run the notebook.
    """

    def __init__(self, interval: float = _SAMPLE_INTERVAL) -> None:
        self.interval = interval
        self.peak_bytes = 0
        self._process: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, pid: int) -> None:
        """Start sampling process ``pid`` (and its children) in a daemon thread."""
        import psutil

        try:
            self._process = psutil.Process(pid)
        except psutil.Error:
            return
        self.sample()
        self._thread = threading.Thread(target=self._loop, name="aetutor-peak-rss", daemon=True)
        self._thread.start()

    def sample(self) -> None:
        """Take one sample now (also called between cells, to catch short peaks)."""
        import psutil

        if self._process is None:
            return
        total = 0
        try:
            procs = [self._process, *self._process.children(recursive=True)]
        except psutil.Error:
            return
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        with self._lock:
            self.peak_bytes = max(self.peak_bytes, total)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> float | None:
        """Stop sampling; return the peak in MB (10**6 bytes), or None if nothing was sampled."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            return self.peak_bytes / 1e6 if self.peak_bytes else None


# ---------------------------------------------------------------------------
# Running notebooks
# ---------------------------------------------------------------------------


@dataclass
class NotebookResult:
    """Outcome of one notebook: the row of ``aetutor run``'s table and JSON file."""

    notebook: str
    ok: bool
    status: str
    seconds: float
    peak_memory_mb: float | None
    error: str | None = None
    message: str | None = None
    cell_index: int | None = None
    ipynb: str | None = None
    html: str | None = None


def default_notebooks(root: Path | str = ".") -> list[Path]:
    """Every ``notebooks/*.ipynb`` under ``root``, sorted (the lessons in reading order)."""
    return sorted((Path(root) / "notebooks").glob("*.ipynb"))


def check_outputs(notebooks: Sequence[Path], out_dir: Path, json_file: Path | None = None) -> None:
    """Refuse runs that would overwrite sources or collide, before any kernel starts.

    Raises :class:`RunnerError` when a notebook is missing or not an ``.ipynb``
    file, when ``out_dir`` (or the JSON file's folder) is the folder of a source
    notebook, or when two notebooks share a file name (their outputs would clash).
    """
    if not notebooks:
        raise RunnerError("no notebooks to run")
    for nb in notebooks:
        if not nb.exists():
            raise RunnerError(f"notebook not found: {nb}")
        if not nb.is_file() or nb.suffix != ".ipynb":
            raise RunnerError(f"not a notebook (.ipynb file): {nb}")
    source_dirs = {nb.resolve().parent for nb in notebooks}
    if out_dir.resolve() in source_dirs:
        raise RunnerError(
            f"refusing to write outputs into {out_dir}: it holds the source notebooks, "
            "which must stay unexecuted; choose another --out folder (default: build/)"
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise RunnerError(f"output path {out_dir} exists and is not a folder")
    if json_file is not None and json_file.resolve().parent in source_dirs:
        raise RunnerError(
            f"refusing to write {json_file} next to the source notebooks; "
            "put the JSON file elsewhere (for example in the --out folder)"
        )
    seen: dict[str, Path] = {}
    for nb in notebooks:
        if nb.stem in seen and seen[nb.stem].resolve() != nb.resolve():
            raise RunnerError(
                f"{seen[nb.stem]} and {nb} would both be written to {out_dir / nb.stem}.*; "
                "run them with different --out folders"
            )
        seen[nb.stem] = nb
    inputs = {nb.resolve() for nb in notebooks}
    for nb in notebooks:
        check_destination(nb, out_dir, inputs)


def _written_by_runner(path: Path) -> bool:
    """Whether an existing output file carries the runner's mark."""
    try:
        if path.suffix == ".html":
            with open(path, "rb") as f:
                f.seek(max(0, path.stat().st_size - 200))
                return _HTML_MARK.encode() in f.read()
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        return meta.get("aetutor", {}).get("executed_by") == EXECUTED_BY
    except (OSError, ValueError, AttributeError):
        return False


def check_destination(
    notebook: Path | str, out_dir: Path | str, inputs: set[Path] | None = None
) -> None:
    """Refuse to write ``notebook``'s outputs where they would replace a file not ours.

    Raises :class:`RunnerError` when ``out_dir/NAME.ipynb`` or ``.html`` resolves
    to the notebook itself or to any path in ``inputs``, or already exists
    without the runner's mark (``metadata.aetutor.executed_by``, see
    :data:`EXECUTED_BY`): a notebook the reader wrote is never overwritten.
    """
    notebook, out_dir = Path(notebook), Path(out_dir)
    inputs = {notebook.resolve()} | set(inputs or ())
    for target in (out_dir / f"{notebook.stem}.ipynb", out_dir / f"{notebook.stem}.html"):
        if target.resolve() in inputs:
            raise RunnerError(
                f"refusing to write {target}: it is an input notebook, which must stay "
                "unexecuted; choose another --out folder (default: build/)"
            )
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise RunnerError(f"refusing to write {target}: it exists and is not a plain file")
        if target.exists() and not _written_by_runner(target):
            raise RunnerError(
                f"refusing to overwrite {target}: it was not written by aetutor run (it may be "
                "your own notebook); move it away or choose another --out folder"
            )


def _kernel_pid(km: Any) -> int | None:
    """The kernel's process id, when the kernel runs locally (the usual case)."""
    provisioner = getattr(km, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    if pid is None:
        process = getattr(provisioner, "process", None)
        pid = getattr(process, "pid", None)
    return pid


def _count_code_cells(nb: Any) -> int:
    return sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())


def _failure(exc: BaseException, cell_index: int | None) -> tuple[str, str, str]:
    """(status, error name, one-line message) for an execution failure."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    where = f" in cell {cell_index}" if cell_index is not None else ""
    if isinstance(exc, CellTimeoutError):
        name, message = "CellTimeoutError", str(exc).strip().splitlines()[0]
        return f"FAILED: timeout{where}", name, message
    if isinstance(exc, DeadKernelError):
        return f"FAILED: kernel died{where}", "DeadKernelError", str(exc).strip()
    if isinstance(exc, CellExecutionError):
        name = exc.ename or "CellExecutionError"
        message = f"{name}: {exc.evalue}" if exc.evalue else name
        return f"FAILED: {name}{where}", name, message
    name = type(exc).__name__
    text = str(exc).strip().splitlines()
    return f"FAILED: {name}{where}", name, f"{name}: {text[0]}" if text else name


def run_notebook(
    path: Path | str,
    out_dir: Path | str,
    *,
    dataset: str | None = None,
    timeout: int | None = DEFAULT_TIMEOUT,
    kernel: str = CURRENT_ENV_KERNEL,
    progress: bool = True,
    exporter: Any = None,
) -> NotebookResult:
    """Execute one notebook in a fresh kernel and write ``out_dir/NAME.ipynb`` and ``.html``.

    Parameters
    ----------
    path : notebook to run; read only, never written.
    out_dir : folder for the executed notebook and its HTML page (created if needed).
    dataset : if given, the kernel sees ``AETUTOR_DATASET=dataset``.
    timeout : seconds a single cell may run; None for no limit.
    kernel : kernelspec name; :data:`CURRENT_ENV_KERNEL` runs ``sys.executable``.
    progress : show a tqdm bar over the code cells on stderr.
    exporter : an nbconvert ``HTMLExporter`` to reuse across notebooks.

    Returns
    -------
    NotebookResult
        Status, wall seconds (kernel start to shutdown) and peak kernel memory.
        A failing notebook is reported here, not raised.
    """
    import nbformat
    from nbclient import NotebookClient
    from tqdm import tqdm

    for name, value in (("path", path), ("out_dir", out_dir)):
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a file path, got {value!r}")
    path, out_dir = Path(path), Path(out_dir)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - not JSON, not a notebook: nothing to run
        name = type(exc).__name__
        return NotebookResult(
            notebook=str(path),
            ok=False,
            status=f"FAILED: unreadable notebook ({name})",
            seconds=0.0,
            peak_memory_mb=None,
            error=name,
            message=f"{name}: {str(exc).strip()[:300]}",
        )
    check_destination(path, out_dir)  # before any kernel starts: never replace a file not ours
    nb.metadata.setdefault("aetutor", {})["executed_by"] = EXECUTED_BY
    env = dict(os.environ)
    if dataset is not None:
        env["AETUTOR_DATASET"] = dataset

    memory = _PeakMemory()
    bar = tqdm(
        total=_count_code_cells(nb),
        desc=path.name,
        unit="cell",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    current: dict[str, int | None] = {"cell": None}
    client: Any = None

    def on_notebook_start(**_: Any) -> None:
        pid = _kernel_pid(client.km)
        if pid is not None:
            memory.start(pid)

    def on_cell_execute(cell_index: int, **_: Any) -> None:
        current["cell"] = cell_index

    def on_cell_executed(**_: Any) -> None:
        memory.sample()
        bar.update(1)

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        kernel_manager_class=CurrentEnvKernelManager,
        resources={"metadata": {"path": str(path.resolve().parent)}},
        on_notebook_start=on_notebook_start,
        on_cell_execute=on_cell_execute,
        on_cell_executed=on_cell_executed,
    )

    status, error, message, failed_cell = "ok", None, None, None
    start = time.perf_counter()
    try:
        client.execute(env=env)
    except Exception as exc:  # noqa: BLE001 - a failing notebook is a result, not a crash
        failed_cell = current["cell"]
        status, error, message = _failure(exc, failed_cell)
    finally:
        seconds = time.perf_counter() - start
        peak = memory.stop()
        bar.close()
        # Written in `finally` so that even an interrupted run leaves its partial outputs.
        written: list[Path] = []
        try:
            _write_outputs(nb, path.stem, out_dir, exporter, written)
        except Exception as exc:  # noqa: BLE001 - reported in the table like a failed cell
            if error is None:
                name = type(exc).__name__
                status, error, message = f"FAILED: writing outputs ({name})", name, f"{name}: {exc}"
    ipynb = str(written[0]) if written else None
    html = str(written[1]) if len(written) > 1 else None

    return NotebookResult(
        notebook=str(path),
        ok=error is None,
        status=status,
        seconds=round(seconds, 2),
        peak_memory_mb=round(peak, 1) if peak is not None else None,
        error=error,
        message=message,
        cell_index=failed_cell,
        ipynb=ipynb,
        html=html,
    )


def _write_outputs(nb: Any, stem: str, out_dir: Path, exporter: Any, written: list[Path]) -> None:
    """Write the executed notebook, then its HTML page, appending each path to ``written``."""
    import nbformat

    out_dir.mkdir(parents=True, exist_ok=True)
    ipynb, html = out_dir / f"{stem}.ipynb", out_dir / f"{stem}.html"
    for target in (ipynb, html):  # checked again: the folder may have changed during the run
        if target.exists() and not _written_by_runner(target):
            raise RunnerError(f"refusing to overwrite {target}: it was not written by aetutor run")
    nbformat.write(nb, ipynb)
    written.append(ipynb)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}})
    html.write_text(body.rstrip("\n") + "\n" + _HTML_MARK + "\n", encoding="utf-8")
    written.append(html)


def run_notebooks(
    notebooks: Sequence[Path | str],
    out_dir: Path | str,
    *,
    dataset: str | None = None,
    timeout: int | None = DEFAULT_TIMEOUT,
    kernel: str = CURRENT_ENV_KERNEL,
    progress: bool = True,
) -> list[NotebookResult]:
    """Check the run is safe (:func:`check_outputs`), then run each notebook in turn."""
    from nbconvert import HTMLExporter

    paths = [Path(nb) for nb in notebooks]
    check_outputs(paths, Path(out_dir))
    check_kernel(kernel)
    exporter = HTMLExporter()
    return [
        run_notebook(
            p,
            out_dir,
            dataset=dataset,
            timeout=timeout,
            kernel=kernel,
            progress=progress,
            exporter=exporter,
        )
        for p in paths
    ]


def write_json(
    results: Sequence[NotebookResult],
    path: Path | str,
    *,
    dataset: str | None = None,
    timeout: int | None = None,
    kernel: str = CURRENT_ENV_KERNEL,
) -> Path:
    """Write the results, with the settings and machine they came from, as JSON."""
    from aetutor import __version__

    path = Path(path)
    payload = {
        "aetutor_version": __version__,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "kernel": kernel,
        "dataset": dataset,
        "timeout": timeout,
        "results": [asdict(r) for r in results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
