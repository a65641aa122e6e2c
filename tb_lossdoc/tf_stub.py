"""Keep TensorFlow out of the command's process: TensorBoard then reads files with its own stub."""

import sys
import types


def use_tensorflow_stub() -> None:
    """Make TensorBoard read event files with its own stub, never importing TensorFlow.

    TensorBoard imports TensorFlow for file access when it is installed unless the
    marker module `tensorboard.compat.notf` exists (its "no TensorFlow" build).
    The command has no use for TensorFlow, which would cost seconds at start-up.
    Only the command's own process calls this: in a user's process the marker would
    stay, and break TensorFlow's own summaries (Keras's TensorBoard callback) there.
    """
    sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
