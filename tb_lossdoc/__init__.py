"""LossDoc: diagnose training and validation loss curves in TensorBoard logs.

`tb_lossdoc.diagnose(logdir)` returns the diagnosis document (docs/json-format.md).
This module stays light: TensorBoard imports it when it starts.
"""

__version__ = "0.1.0"


def diagnose(logdir: str, lang: str = "en", options=None, reader: str = "rust") -> dict:
    """Diagnose every run under `logdir` (see `tb_lossdoc.api.diagnose`)."""
    from .api import diagnose as _diagnose

    return _diagnose(logdir, lang=lang, options=options, reader=reader)


def diagnose_curves(**curves) -> dict:
    """Diagnose curves held in memory (see `tb_lossdoc.arrays.diagnose_curves`)."""
    from .arrays import diagnose_curves as _diagnose_curves

    return _diagnose_curves(**curves)


def __getattr__(name: str):
    if name == "LogdirError":
        from .read.provider import LogdirError

        return LogdirError
    raise AttributeError(name)
