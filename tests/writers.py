"""Write event files with the real writers, the way users' training scripts do."""

from __future__ import annotations

import os
import time
from typing import Dict, Iterable, Sequence, Tuple

import numpy as np

Points = Sequence[Tuple[int, float]]


def next_second() -> None:
    """Wait for the clock's next second. TensorBoard reads a run's event files in name order,
    and a name starts with the second the file was created (then host, pid and a counter that
    sorts ".11" before ".9"): a file written into a run later must be created in a later second,
    as a real resumed session's is."""
    time.sleep(1.0 - time.time() % 1.0 + 0.01)


def _torch_writer():
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter


def _tbx_writer():
    from tensorboardX import SummaryWriter

    return SummaryWriter


def _scalars(writer_class, logdir: str, series: Dict[str, Points]) -> None:
    writer = writer_class(logdir)
    for tag, points in series.items():
        for step, value in points:
            writer.add_scalar(tag, value, step)
    writer.close()


def _add_scalars(writer_class, logdir: str, main_tag: str, series: Dict[str, Points]) -> None:
    writer = writer_class(logdir)
    for key, points in series.items():
        for step, value in points:
            writer.add_scalars(main_tag, {key: value}, step)
    writer.close()


def torch_scalars(logdir: str, series: Dict[str, Points]) -> None:
    """torch.utils.tensorboard.SummaryWriter.add_scalar for each tag."""
    _scalars(_torch_writer(), logdir, series)


def torch_add_scalars(logdir: str, main_tag: str, series: Dict[str, Points]) -> None:
    """SummaryWriter.add_scalars: one sibling run per key (`<logdir>/<main_tag>_<key>`)."""
    _add_scalars(_torch_writer(), logdir, main_tag, series)


def tbx_scalars(logdir: str, series: Dict[str, Points]) -> None:
    """tensorboardX SummaryWriter.add_scalar for each tag."""
    _scalars(_tbx_writer(), logdir, series)


def tbx_add_scalars(logdir: str, main_tag: str, series: Dict[str, Points]) -> None:
    """tensorboardX add_scalars: nested runs `<logdir>/<main_tag>/<key>`."""
    _add_scalars(_tbx_writer(), logdir, main_tag, series)


def keras_fit(logdir: str, epochs: int = 12, seed: int = 0) -> None:
    """Train a tiny Keras model with the TensorBoard callback (train/ and validation/ runs)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((256, 8)).astype("float32")
    y = (x[:, :1] * 2.0 - x[:, 1:2] + 0.1 * rng.standard_normal((256, 1))).astype("float32")
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    callback = keras.callbacks.TensorBoard(logdir, write_graph=False)
    model.fit(x, y, validation_split=0.25, epochs=epochs, batch_size=32, verbose=0, callbacks=[callback])


def points(steps: Iterable[int], values: Iterable[float]) -> Points:
    return [(int(s), float(v)) for s, v in zip(steps, values)]
