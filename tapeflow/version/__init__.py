"""`tf.version`: the TensorFlow API version tapeflow follows.

`VERSION` is that TensorFlow version (2.21.0), so code that checks it (`tf.version.VERSION`
printed at the top of TF's tutorials, `>= "2."` guards) behaves as under TensorFlow.
tapeflow's own package version is `tapeflow.__version__`; `GIT_VERSION` names both.
"""

from tapeflow import __version__ as _tapeflow_version

VERSION = "2.21.0"
GIT_VERSION = f"tapeflow-{_tapeflow_version} (TensorFlow {VERSION} API)"
COMPILER_VERSION = "none (NumPy)"
GRAPH_DEF_VERSION = None           # tapeflow has no GraphDef format
GRAPH_DEF_VERSION_MIN_CONSUMER = None
GRAPH_DEF_VERSION_MIN_PRODUCER = None

__all__ = ["COMPILER_VERSION", "GIT_VERSION", "GRAPH_DEF_VERSION",
           "GRAPH_DEF_VERSION_MIN_CONSUMER", "GRAPH_DEF_VERSION_MIN_PRODUCER", "VERSION"]
