"""Tests of the Keras callbacks.

LatentHistory: what it records, when, and the errors it raises. TrainingProgress: one
line per fit that ends as a single line (printed, rewritten in a terminal, or one
notebook display), and the label it checks.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import aetutor as at
from aetutor.callbacks import LatentHistory, TrainingProgress


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.random((64, 6, 6)).astype(np.float32)


def _model(seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    ae = at.models.dense_autoencoder((6, 6), latent_dim=2, hidden=(8,))
    ae.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return ae


def test_records_chosen_epochs_including_the_untrained_model(data):
    ae = _model()
    untrained_z = ae.encode(data[:10])
    cb = LatentHistory(data[:10], epochs=(0, 1, 3, 99), n_reconstructions=4, batch_size=4)
    ae.fit(data, data, epochs=3, batch_size=16, callbacks=[cb], verbose=0)
    assert cb.recorded == [0, 1, 3]  # 99 lies beyond the run
    assert set(cb.reconstructions) == {0, 1, 3}
    for z in cb.latents.values():
        assert z.shape == (10, 2) and z.dtype == np.float32
    np.testing.assert_allclose(cb.latents[0], untrained_z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cb.latents[3], ae.encode(data[:10]), rtol=1e-5, atol=1e-6)
    assert not np.allclose(cb.latents[0], cb.latents[3])  # training moved the codes
    assert cb.images.shape == (4, 6, 6)
    np.testing.assert_array_equal(cb.images, data[:4])
    np.testing.assert_allclose(cb.reconstructions[3], ae.reconstruct(data[:4]), rtol=1e-5,
                               atol=1e-6)  # fmt: skip


def test_none_records_every_epoch_and_a_second_fit_keeps_the_untrained_snapshot(data):
    ae = _model()
    cb = LatentHistory(data, epochs=None, n_reconstructions=0)
    ae.fit(data, data, epochs=1, batch_size=32, callbacks=[cb], verbose=0)
    assert cb.recorded == [0, 1]
    z0 = cb.latents[0].copy()
    ae.fit(data, data, epochs=2, initial_epoch=1, batch_size=32, callbacks=[cb], verbose=0)
    assert cb.recorded == [0, 1, 2]  # numbering continues; epoch 0 is not overwritten
    np.testing.assert_array_equal(cb.latents[0], z0)
    assert cb.reconstructions == {}


def test_an_explicit_encoder_works_for_any_model(data):
    import keras

    ae = _model()
    plain = keras.Model(ae.input, ae.output)  # no .encoder attribute
    plain.compile(optimizer="adam", loss="mse")
    cb = LatentHistory(data, epochs=(1,), n_reconstructions=2, encoder=ae.encoder)
    plain.fit(data, data, epochs=1, batch_size=32, callbacks=[cb], verbose=0)
    assert cb.latents[1].shape == (64, 2)

    missing = LatentHistory(data, epochs=(1,))
    with pytest.raises(TypeError, match="needs an encoder"):
        plain.fit(data, data, epochs=1, batch_size=32, callbacks=[missing], verbose=0)


def test_bad_inputs_are_rejected_with_clear_messages(data):
    with pytest.raises(ValueError, match="finite"):
        LatentHistory(np.full((4, 6, 6), np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match="non-empty batch"):
        LatentHistory(np.zeros(5, dtype=np.float32))
    with pytest.raises(ValueError, match="non-empty batch"):
        LatentHistory(np.zeros((0, 6, 6), dtype=np.float32))
    with pytest.raises(ValueError, match="each epoch must be at least 0"):
        LatentHistory(data, epochs=(-1, 2))
    with pytest.raises(TypeError, match="each epoch must be an integer"):
        LatentHistory(data, epochs=(1.5,))
    with pytest.raises(ValueError, match="at least one epoch"):
        LatentHistory(data, epochs=())
    with pytest.raises(ValueError, match="at most len"):
        LatentHistory(data[:3], n_reconstructions=8)
    with pytest.raises(TypeError, match="keras.Model"):
        LatentHistory(data, encoder=lambda x: x)
    with pytest.raises(TypeError, match="array of numbers"):
        LatentHistory("images")


# --------------------------------------------------------------------------- TrainingProgress


class _Terminal(io.StringIO):
    """A stdout that says it is a terminal, and keeps everything written to it."""

    def isatty(self) -> bool:
        return True


def _fit(ae, data, progress, epochs=3, **kwargs):
    return ae.fit(data, data, epochs=epochs, batch_size=32, verbose=0, callbacks=[progress],
                  **kwargs)  # fmt: skip


def test_training_progress_prints_one_summary_line_outside_a_terminal(data, capsys):
    ae = _model()
    history = _fit(ae, data, TrainingProgress("plain AE"), validation_data=(data, data))
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1, out  # a log file gets one line per fit, not one per epoch
    loss, val_loss = history.history["loss"][-1], history.history["val_loss"][-1]
    assert re.fullmatch(
        rf"plain AE: 3 epochs in \d+\.\d s · loss {loss:.4g} · val_loss {val_loss:.4g}",
        lines[0],
    ), lines[0]  # the final epoch's numbers, as Keras reported them


def test_training_progress_rewrites_one_line_in_a_terminal(data, monkeypatch):
    term = _Terminal()
    monkeypatch.setattr("sys.stdout", term)
    ae = _model()
    progress = TrainingProgress("tiny")
    _fit(ae, data, progress, epochs=4)
    written = term.getvalue()
    assert written.startswith("\r") and written.endswith("\n")
    assert written.count("\n") == 1  # every epoch rewrites the same line
    drawn = written[:-1].split("\r")[1:]
    for text in drawn[:-1]:
        assert re.fullmatch(r"tiny: epoch [1-4]/4 · loss \S+ · \d+\.\d s", text), text
    assert re.fullmatch(r"tiny: 4 epochs in \d+\.\d s · loss \S+", drawn[-1]), drawn[-1]


def test_training_progress_updates_one_notebook_display_in_place(data, monkeypatch, capsys):
    import IPython.display

    import aetutor.progress as progress_module

    shown, calls = [], []

    class Handle:
        def update(self, obj) -> None:
            shown.append(repr(obj))

    def display(obj, display_id=False):
        calls.append(display_id)
        shown.append(repr(obj))
        return Handle()

    monkeypatch.setattr(progress_module, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    ae = _model()
    progress = TrainingProgress("nb")
    _fit(ae, data, progress, epochs=2)
    assert calls == [True]  # one updatable display for the whole fit
    assert shown[0] == "nb: starting"
    assert re.fullmatch(r"nb: 2 epochs in \d+\.\d s · loss \S+", shown[-1]), shown[-1]
    assert all(s.startswith("nb: ") for s in shown)
    assert capsys.readouterr() == ("", "")  # nothing on stdout or stderr

    _fit(ae, data, progress, epochs=1)  # a second fit gets a line of its own
    assert calls == [True, True]
    assert re.fullmatch(r"nb: 1 epoch in \d+\.\d s · loss \S+", shown[-1]), shown[-1]


def test_training_progress_ends_as_one_line_in_a_saved_notebook():
    """In a real kernel: a 5-epoch fit leaves one display_data output, the final line."""
    import nbformat
    from nbclient import NotebookClient

    from aetutor.runner import CURRENT_ENV_KERNEL, CurrentEnvKernelManager

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "import aetutor as at\n"
        "from aetutor.callbacks import TrainingProgress\n"
        "x = np.random.default_rng(0).random((64, 4, 4)).astype('float32')\n"
        "ae = at.models.dense_autoencoder((4, 4), 2, hidden=(8,))\n"
        "ae.compile(optimizer='adam', loss='mse')\n"
        "_ = ae.fit(x, x, epochs=5, batch_size=16, verbose=0,\n"
        "           callbacks=[TrainingProgress('tiny AE')])"
    )]  # fmt: skip
    NotebookClient(nb, timeout=300, kernel_name=CURRENT_ENV_KERNEL,
                   kernel_manager_class=CurrentEnvKernelManager).execute()  # fmt: skip
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data"], outputs  # no stream, no stderr
    text = outputs[0].data["text/plain"]
    assert set(outputs[0].data) == {"text/plain"}
    assert re.fullmatch(r"tiny AE: 5 epochs in \d+\.\d s · loss \S+", text), text


@pytest.mark.parametrize("label", [None, "", 3, b"fit", ["a"]])
def test_training_progress_refuses_a_label_that_is_not_a_non_empty_string(label):
    with pytest.raises(TypeError, match="label must be a non-empty string"):
        TrainingProgress(label)


def test_training_progress_shows_nothing_without_a_training_run(capsys):
    progress = TrainingProgress()
    progress.on_train_end()  # never began: nothing to close
    progress.on_epoch_end(0, {"loss": 1.0})
    assert capsys.readouterr() == ("", "")


def test_training_progress_reports_the_last_epoch_numbers_only(capsys):
    progress = TrainingProgress("direct")
    progress.set_params({"epochs": 2})
    progress.on_train_begin()
    progress.on_epoch_end(0, {"loss": 0.5, "optimizer": "adam"})  # not a number: left out
    progress.on_epoch_end(1, {"loss": 0.25, "val_loss": 0.3125})
    progress.on_train_end()
    out = capsys.readouterr().out
    assert re.fullmatch(r"direct: 2 epochs in \d+\.\d s · loss 0\.25 · val_loss 0\.3125\n", out)
