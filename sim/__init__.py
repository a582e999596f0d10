"""sim: a monthly microsimulation of health-related economic inactivity in England & Wales."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__version__ = "0.1.0"

_KERNEL_SOURCES = ("spec.py", "core/*.py", "params/models.py", "engine/*.py", "processes/*.py", "policy/*.py")


def _kernel_cache_dir() -> str:
    """A numba cache directory keyed on the kernels' source.

    numba's own cache notices a change to a function's file but not to a function inlined
    from another module; keying the directory on every kernel file makes any change
    recompile, and an unchanged checkout reuse its compiled kernels.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for pattern in _KERNEL_SOURCES:
        for path in sorted(package.glob(pattern)):
            digest.update(path.read_bytes())
    return str(package / "__pycache__" / "numba" / digest.hexdigest()[:16])


os.environ.setdefault("NUMBA_CACHE_DIR", _kernel_cache_dir())
