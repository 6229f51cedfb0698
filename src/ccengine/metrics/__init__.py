from ccengine import _native  # noqa: F401  (registers the Cython modules)
from ccengine.metrics import _pack
