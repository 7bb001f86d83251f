"""memory.empty_populated: np.empty with its pages mapped ahead; the values the core records
in it must be those of the plain step-by-step equations, for records large enough to use it."""
import numpy as np
import pytest

from lstm_core import lstm_forward, lstm_step_forward
from lstm_core.memory import MIN_BYTES, empty_populated
from lstm_core.presets import random_lstm

pytestmark = pytest.mark.usefixtures("strict_numerics")


@pytest.mark.parametrize("shape", [(3, 4), (MIN_BYTES // 8 + 1,), (7, 300, 251)])
def test_empty_populated_is_a_writable_float64_array_of_the_shape(shape):
    a = empty_populated(shape)
    assert a.shape == shape and a.dtype == np.float64 and a.flags.c_contiguous and a.flags.writeable
    a[...] = 1.5
    assert np.all(a == 1.5)


def test_a_record_above_the_threshold_holds_the_step_by_step_values():
    """(T=300, B=8, H=64): the gates' record is 4.9 MB, past MIN_BYTES."""
    T, B, D, H = 300, 8, 3, 64
    assert T * 4 * H * B * 8 >= MIN_BYTES
    p = random_lstm(D, H, seed=3)
    x = np.random.default_rng(4).standard_normal((T, B, D))
    tr = lstm_forward(p, x)
    for b in (0, B - 1):
        h, c = np.zeros(H), np.zeros(H)
        for t in range(T):
            s = lstm_step_forward(x[t, b], h, c, p)
            h, c = s["h"], s["c"]
            for name in ("f", "i", "c_tilde", "o", "c", "h"):
                np.testing.assert_allclose(getattr(tr, name)[t, b], s[name], rtol=1e-13, atol=1e-15)
