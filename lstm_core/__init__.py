"""lstm_core: an LSTM and a vanilla RNN in NumPy that record every gate, with exact
backpropagation through time. No Streamlit, no Plotly: the app draws what this computes.

Start with lstm.py (the equations as code), then backprop.py (the gradients).
"""
from .activations import sigmoid, tanh
from .backprop import LSTMGrads, RNNGrads, backward, clip_grad_norm, lstm_backward, rnn_backward
from .formats import (FormatError, gradients_to_csv, inputs_from_csv, inputs_to_csv, params_from_json,
                      params_to_json, trace_to_csv)
from .interventions import Clamp
from .lstm import lstm_forward, lstm_step_forward
from .params import GATE_ORDER, LSTMParams, RNNParams
from .rnn import rnn_forward, rnn_step_forward
from .trace import LSTMTrace, RNNTrace, to_dataframe

__all__ = [
    "sigmoid", "tanh", "LSTMGrads", "RNNGrads", "backward", "clip_grad_norm", "lstm_backward", "rnn_backward",
    "FormatError", "gradients_to_csv", "inputs_from_csv", "inputs_to_csv", "params_from_json", "params_to_json",
    "trace_to_csv", "Clamp", "lstm_forward", "lstm_step_forward", "GATE_ORDER", "LSTMParams", "RNNParams",
    "rnn_forward", "rnn_step_forward", "LSTMTrace", "RNNTrace", "to_dataframe",
]
