"""Fresh arrays for long records, with their memory mapped in one go.

A forward pass of (T=1000, B=64, H=128) records 400 MB of gates, cell and hidden states
into memory that the operating system hands out page by page, on first write: one trap into
the kernel per page, in the middle of the time loop. On Linux 5.14 and later one madvise call
(MADV_POPULATE_WRITE) maps the whole array before the loop starts instead.

NumPy asks for huge pages (2 MB) for arrays this large. For a record that is written once,
front to back, they bring little, and on the machine we measured on mapping them made the
first write slower and erratic: benchmarks/bench_core.py's largest forward pass ran 0.87 to
1.25 times PyTorch's time with them and 0.93 to 0.99 without (three runs each). So these
arrays ask for ordinary pages (MADV_NOHUGEPAGE). Elsewhere, or for small arrays, this is
plain np.empty.
"""
from __future__ import annotations

import ctypes
import sys

import numpy as np

_MADV_NOHUGEPAGE = 15                # linux/mman.h
_MADV_POPULATE_WRITE = 23            # linux/mman.h, Linux 5.14+
_PAGE = 4096
MIN_BYTES = 1 << 22                  # 4 MiB: below this the page faults cost less than the call


def _madvise():
    """libc's madvise, or None where there is no such call to make."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


_MADVISE = _madvise()                # read-only after import: a function pointer, no state


def empty_populated(shape) -> np.ndarray:
    """np.empty(shape) of float64 whose pages are already mapped (best effort).

    The values are uninitialised, exactly as np.empty; only when the memory is mapped
    changes. If the kernel refuses (older than 5.14, or no memory to spare now), the
    pages are mapped on first write instead, as usual.
    """
    a = np.empty(shape)
    if _MADVISE is not None and a.nbytes >= MIN_BYTES:
        start = a.ctypes.data & ~(_PAGE - 1)
        length = a.ctypes.data + a.nbytes - start
        _MADVISE(start, length, _MADV_NOHUGEPAGE)
        _MADVISE(start, length, _MADV_POPULATE_WRITE)
    return a
