"""Property tests of the core and the parsers (hypothesis)."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from lstm_core import (FormatError, LSTMParams, RNNParams, inputs_from_csv, inputs_to_csv, lstm_backward,
                       lstm_forward, params_from_json, params_to_json, rnn_forward, trace_to_csv)
from lstm_core.formats import parse_sequence_text, sequence_to_text
from lstm_core.presets import random_lstm

pytestmark = pytest.mark.usefixtures("strict_numerics")

# weights and inputs from 1e-100 to 1e4 in size, of either sign, or 0 (pre-activations reach
# about +-1e5: far into saturation); tiny magnitudes only make the test's own arithmetic underflow
finite = st.one_of(st.just(0.0), st.floats(1e-100, 1e4), st.floats(-1e4, -1e-100))
any_float = st.floats(allow_nan=False, allow_infinity=False)
sizes = st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 12))   # D, H, T


@st.composite
def lstm_case(draw, B=None):
    D, H, T = draw(sizes)
    shape = (H, H + D)
    mats = {f"W_{g}": draw(arrays(np.float64, shape, elements=finite)) for g in "fico"}
    bias = {f"b_{g}": draw(arrays(np.float64, (H,), elements=finite)) for g in "fico"}
    xs = (T, D) if B is None else (T, B, D)
    x = draw(arrays(np.float64, xs, elements=finite))
    return LSTMParams(**mats, **bias), x


@settings(max_examples=60, deadline=None)
@given(lstm_case())
def test_gates_in_unit_interval_and_h_bounded_even_for_huge_preactivations(case):
    params, x = case
    tr = lstm_forward(params, x)
    for g in (tr.f, tr.i, tr.o):
        assert np.all((g >= 0) & (g <= 1))
    assert np.all(np.abs(tr.c_tilde) <= 1)
    assert np.all(np.abs(tr.h) <= 1)
    assert np.all(np.isfinite(tr.c))
    g = lstm_backward(tr)   # the backward pass, too, stays finite without warnings
    assert all(np.all(np.isfinite(v)) for v in g.params().values())


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_batch_equals_single_runs(data):
    B = data.draw(st.integers(1, 4))
    params, x = data.draw(lstm_case(B=B))
    with np.errstate(under="ignore"):   # (subnormal weights are fine; the scaling itself may underflow)
        scaled = params.replace(**{k: v * 0.1 for k, v in params.to_dict().items() if k[0] in "Wb"})
    batch = lstm_forward(scaled, x)
    gb = lstm_backward(batch)
    # A batched matrix product may sum in another order than a single one (another BLAS
    # kernel): results agree to rounding, relative to the size of the terms.
    def same(a, e):
        with np.errstate(under="ignore"):
            np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12 * np.max(np.abs(e)) + 1e-300)

    for b in range(B):
        one = lstm_forward(scaled, x[:, b, :])
        g1 = lstm_backward(one)
        for a, e in ((batch.h[:, b], one.h[:, 0]), (batch.c[:, b], one.c[:, 0]),
                     (batch.gates[:, b], one.gates[:, 0]), (gb.dh[:, b], g1.dh[:, 0]), (gb.dc[:, b], g1.dc[:, 0])):
            same(a, e)


def test_step_function_equals_sequence_function():
    p = random_lstm(3, 4, seed=5)
    x = np.random.default_rng(1).standard_normal((6, 3))
    tr = lstm_forward(p, x)
    h, c = p.h0, p.c0
    for t in range(6):
        s = __import__("lstm_core").lstm_step_forward(x[t], h, c, p)
        for name, arr in (("f", tr.f), ("i", tr.i), ("c_tilde", tr.c_tilde), ("o", tr.o), ("c", tr.c), ("h", tr.h)):
            np.testing.assert_allclose(s[name], arr[t, 0], rtol=1e-14, atol=1e-15)
        h, c = s["h"], s["c"]


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 40), elements=st.floats(-1e6, 1e6)))
def test_sigmoid_of_the_negated_argument_is_sigmoid_bit_for_bit(z):
    """The forward pass computes sigmoid(z) from -z (its product gives -z for the sigmoid gates);
    the numbers must be exactly those of sigmoid(z), over the whole range, saturation included."""
    from lstm_core.activations import sigmoid, sigmoid_of_negated
    with np.errstate(under="ignore"):
        assert np.array_equal(sigmoid_of_negated(-z), sigmoid(z))
        assert np.array_equal(sigmoid_of_negated(-z, out=np.empty_like(z)), sigmoid(z.copy(), out=z.copy()))


@settings(max_examples=300, deadline=None)
@given(st.floats(-1e300, 1e300))
def test_sigmoid_is_accurate_and_silent_over_the_whole_range(z):
    """sigmoid(z) matches 1 / (1 + e^-z) computed by Python's math to a few ulp wherever that value
    is a normal float64, is 0 where it is below 2.3e-308, and never warns (strict_numerics)."""
    import math
    from lstm_core.activations import sigmoid
    s = float(sigmoid(np.array([z]))[0])
    if z < -708.0:
        assert 0.0 <= s < 2.3e-308
    elif z > 40.0:
        assert s == 1.0
    else:
        assert s == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=4e-16, abs=0.0)


@settings(max_examples=40, deadline=None)
@given(lstm_case())
def test_recorded_gates_are_the_activations_of_the_recorded_preactivations(case):
    """f, i, o = sigmoid(z) and C~ = tanh(z) exactly, where z = W·[h_{t-1}, x_t] + b is recomputed
    from the recorded inputs, for weights that drive z far into saturation."""
    from lstm_core.activations import sigmoid
    params, x = case
    tr = lstm_forward(params, x)
    with np.errstate(under="ignore", over="ignore"):
        for gate, act in (("f", sigmoid), ("i", sigmoid), ("o", sigmoid), ("c_tilde", np.tanh)):
            z = getattr(tr, "z_" + gate[0])
            assert np.array_equal(getattr(tr, gate), act(z)), gate


@pytest.mark.parametrize("z", [1e4, -1e4, 745.0, -745.0, 0.0])
def test_extreme_preactivations_give_exact_saturation(z):
    H, D = 2, 1
    zero = np.zeros((H, H + D))
    p = LSTMParams(zero, zero, zero, zero, np.full(H, z), np.full(H, z), np.full(H, z), np.full(H, z))
    tr = lstm_forward(p, np.zeros((5, 1)))
    s = 1.0 if z > 0 else 0.0
    if z > 700 or z < -700:
        np.testing.assert_allclose(tr.f, s, atol=1e-300)
        np.testing.assert_allclose(tr.c_tilde, np.sign(z))
    lstm_backward(tr)
    rnn_forward(RNNParams(np.zeros((H, H + D)), np.full(H, z)), np.zeros((5, 1)))


@settings(max_examples=40, deadline=None)
@given(lstm_case())
def test_weights_json_round_trips_exactly(case):
    params, _ = case
    params = params.replace(h0=np.linspace(-1, 1, params.hidden_size), c0=np.full(params.hidden_size, 1 / 3))
    back = params_from_json(params_to_json(params))
    for k, v in params.to_dict().items():
        np.testing.assert_array_equal(getattr(back, k), v)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 20), st.integers(1, 4)), elements=any_float))
def test_inputs_csv_round_trips_exactly(x):
    back, names = inputs_from_csv(inputs_to_csv(x))
    np.testing.assert_array_equal(back, x)
    assert names == [f"x{d + 1}" for d in range(x.shape[1])]


@settings(max_examples=40, deadline=None)
@given(lstm_case())
def test_trace_csv_reads_back_to_the_same_float64(case):
    params, x = case
    tr = lstm_forward(params, x)
    lines = trace_to_csv(tr).splitlines()
    assert lines[0] == "t,unit,forget_gate,input_gate,candidate,output_gate,cell_state,hidden_state"
    values = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    T, _, H = tr.h.shape
    assert values.shape == (T * H, 8)
    np.testing.assert_array_equal(values[:, 0], np.repeat(np.arange(1, T + 1), H))
    np.testing.assert_array_equal(values[:, 1], np.tile(np.arange(H), T))
    for k, arr in enumerate(tr.columns().values(), start=2):
        np.testing.assert_array_equal(values[:, k], arr[:, 0, :].reshape(-1))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 3)), elements=any_float))
def test_typed_sequence_round_trips(x):
    np.testing.assert_array_equal(parse_sequence_text(sequence_to_text(x), x.shape[1]), x)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.integers(1, 3))
def test_typed_sequence_parser_never_crashes(text, D):
    try:
        x = parse_sequence_text(text, D)
    except FormatError as e:
        assert str(e)
    else:
        assert x.ndim == 2 and x.shape[1] == D and 1 <= x.shape[0] <= 500 and np.all(np.isfinite(x))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300),
                 st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
                              lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=5),
                              max_leaves=30).map(lambda v: json.dumps(v))))
def test_weights_parser_refuses_garbage_with_a_message(blob):
    try:
        p = params_from_json(blob)
    except FormatError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert p.model in ("lstm", "rnn")


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)), st.none() | st.integers(1, 3))
def test_inputs_parser_refuses_garbage_with_a_message(blob, D):
    try:
        x, names = inputs_from_csv(blob, D)
    except FormatError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert x.shape[0] >= 1 and np.all(np.isfinite(x)) and (D is None or x.shape[1] == D)
