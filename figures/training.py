"""Training an RNN and an LSTM side by side: the curves of page 4.

Every builder takes the two models' lstm_core.training.History objects (RNN first, then LSTM)
and draws their numbers as they are:

    loss_figure      the training loss (mean over the batches since the previous point)
                     against the sequences seen, log scale, with the chance line
    score_figure     the score on the fixed test set (fraction solved for the adding problem,
                     accuracy for the classification tasks), with the chance line
    gradient_figure  ||dL/dh_t|| at every step t of the latest recorded batch (mean over it),
                     and, over the whole training, how much of the gradient at the last step
                     reaches each step back: ||dL/dh_t|| / ||dL/dh_T||, as a heatmap per model

Long histories are thinned for drawing (every k-th point, the last one always; see `thin`), so
a figure stays a few tens of KB however long the run: the points drawn are still exactly the
history's numbers. Colours: COLORS["rnn"] for the RNN, COLORS["h"] for the LSTM (and for the
gradient heatmaps: a gradient takes the colour of what it is the gradient of, here h).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lstm_core.tasks import SOLVED_TOLERANCE, TASKS
from lstm_core.training import chance_levels

from .colors import COLORS, rgba, sequential

MAX_LINE_POINTS = 400     # points drawn per curve
MAX_HEAT_ROWS = 24        # training moments drawn in each gradient heatmap
MAX_HEAT_COLS = 100       # steps drawn in each gradient heatmap (every k-th step beyond)
REACH_FLOOR = -8.0        # heatmap colour scale: log10 ratios at or below this are white
INK = COLORS["x"]         # black: chance lines, the zone of the cue inputs
MODELS = (("rnn", "RNN", COLORS["rnn"]), ("lstm", "LSTM", COLORS["h"]))
RATIO = "‖dL/dh<sub>t</sub>‖ / ‖dL/dh<sub>T</sub>‖"


def thin(n: int, max_points: int = MAX_LINE_POINTS) -> np.ndarray:
    """Indices of the points drawn out of n: all of them up to max_points, else every k-th
    (the smallest k that fits) and the last one always."""
    if n <= max_points:
        return np.arange(n)
    k = -(-n // (max_points - 1))
    return np.unique(np.append(np.arange(0, n, k), n - 1))


def cue_steps(task: str, T: int) -> list[tuple[int, int]]:
    """Where the inputs that decide the answer can be, as ranges of steps (first, last),
    t = 1..T, as lstm_core.tasks generates them.

    adding: one marker among steps 1..min(10, T-1), the other among 1..max(T//2 - 1, 2);
    temporal_order: one X/Y in [0.1 T, 0.2 T], the other in [0.5 T, 0.6 T] (0-based there);
    first_sign: step 1."""
    if task == "adding":
        return [(1, max(min(10, T - 1), max(T // 2 - 1, 2)))]
    if task == "temporal_order":
        lo1, hi1 = max(1, int(0.1 * T)), max(2, int(0.2 * T))
        lo2, hi2 = max(hi1 + 1, int(0.5 * T)), max(hi1 + 2, int(0.6 * T))
        return [(lo1 + 1, hi1 + 1), (lo2 + 1, min(hi2, T - 2) + 1)]
    if task == "first_sign":
        return [(1, 1)]
    raise ValueError(f"unknown task {task!r}")


CUE_NAMES = {"adding": "where the two marked numbers can be",
             "temporal_order": "where the X/Y symbols can be",
             "first_sign": "the first input, step 1"}


def chance_text(task: str) -> dict:
    """What the chance lines mean, in words: {"loss": ..., "score": ...}."""
    c = chance_levels(task)
    if TASKS[task].kind == "regression":
        return {"loss": f"chance: always answering 1.0 (MSE 1/6 = {c['loss']:.3f})",
                "score": f"chance: always answering 1.0 ({c['score']:.1%} within {SOLVED_TOLERANCE})"}
    K = TASKS[task].outputs
    return {"loss": f"chance: guessing among {K} (ln {K} = {c['loss']:.3f})",
            "score": f"chance: guessing among {K} ({c['score']:.0%})"}


def score_name(task: str) -> str:
    """What the score is on this task, for axis titles and text."""
    if TASKS[task].kind == "regression":
        return f"fraction solved (|answer − target| < {SOLVED_TOLERANCE})"
    return "accuracy"


def loss_name(task: str) -> str:
    return "mean squared error" if TASKS[task].kind == "regression" else "cross-entropy"


def _positive(values) -> np.ndarray:
    """Float64 values with what a log axis cannot show (<= 0, inf, NaN) as NaN."""
    a = np.array(values, dtype=np.float64)
    a[~(np.isfinite(a) & (a > 0))] = np.nan
    return a


def _x_end(*series) -> float:
    """Where the chance line ends: the last point drawn (1000 sequences before any)."""
    ends = [float(s[-1]) for s in series if len(s)]
    return max(ends) if ends and max(ends) > 0 else 1000.0


def _chance_trace(level: float, x_end: float, text: str, **axes) -> dict:
    return dict(type="scatter", x=[0.0, x_end], y=[level, level], mode="lines", name=text,
                line=dict(color=INK, width=1.5, dash="dash"), hoverinfo="name", **axes)


def _layout(y_title: str, height: int = 360) -> dict:
    # margins that hold the axes' labels and titles: plotly.js grows a margin they do not fit in,
    # and then draws the figure twice at every update (at every batch, while training runs)
    return dict(height=height, margin=dict(l=86, r=10, t=10, b=68), hovermode="x unified",
                legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
                xaxis=dict(title=dict(text="sequences seen (per model)"), rangemode="tozero",
                           tickformat=",d", zeroline=False),
                yaxis=dict(title=dict(text=y_title)))


def loss_figure(rnn, lstm, task: str) -> go.Figure:
    """The training loss of both models against the sequences seen, on a log axis, with the
    chance line. Traces: RNN, LSTM, chance; x = history.sequences, y = history.loss."""
    chance = chance_levels(task)["loss"]
    data = []
    for (key, label, color), h in zip(MODELS, (rnn, lstm)):
        k = thin(len(h.sequences))
        data.append(dict(type="scatter", x=np.asarray(h.sequences, dtype=np.int64)[k],
                         y=_positive(h.loss)[k], mode="lines", name=f"{label}, training loss",
                         line=dict(color=color, width=2.5 if key == "lstm" else 2),
                         hovertemplate=f"{label}: %{{y:.4g}}<extra></extra>"))
    data.append(_chance_trace(chance, _x_end(rnn.sequences, lstm.sequences), chance_text(task)["loss"]))
    layout = _layout(f"training loss: {loss_name(task)} (log scale)")
    layout["yaxis"].update(type="log", exponentformat="power")
    return go.Figure(data=data, layout=layout)


def score_figure(rnn, lstm, task: str) -> go.Figure:
    """Both models' score on the fixed test set (history.test_score, one point per
    evaluation, at history.test_sequences), 0..1, with the chance line. Traces: RNN, LSTM,
    chance."""
    data = []
    for (key, label, color), h in zip(MODELS, (rnn, lstm)):
        k = thin(len(h.test_sequences))
        data.append(dict(type="scatter", x=np.asarray(h.test_sequences, dtype=np.int64)[k],
                         y=np.asarray(h.test_score, dtype=np.float64)[k],
                         mode="lines+markers" if len(k) <= 60 else "lines", marker=dict(size=5),
                         name=f"{label}, test set", line=dict(color=color, width=2.5 if key == "lstm" else 2),
                         hovertemplate=f"{label}: %{{y:.1%}}<extra></extra>"))
    data.append(_chance_trace(chance_levels(task)["score"], _x_end(rnn.test_sequences, lstm.test_sequences),
                              chance_text(task)["score"]))
    layout = _layout(f"test set: {score_name(task)}")
    layout["yaxis"].update(range=[0, 1.03], tickformat=".0%")
    return go.Figure(data=data, layout=layout)


def reach(norms) -> np.ndarray:
    """||dL/dh_t|| / ||dL/dh_T|| for one per-step norm array (t = 1..T); NaN where it is
    not a positive finite number."""
    a = np.asarray(norms, dtype=np.float64)
    last = a[-1]
    if not (np.isfinite(last) and last > 0):
        return np.full(a.shape, np.nan)
    return _positive(a / last)


def reach_rows(h, max_rows: int = MAX_HEAT_ROWS, max_cols: int = MAX_HEAT_COLS):
    """The heatmap of one model: (rows, steps, z) with rows the sequences seen at the drawn
    history points, steps the drawn steps t and z[r, j] = log10(||dL/dh_t|| / ||dL/dh_T||)
    (NaN where the norm is 0)."""
    if not h.grad_h_norm:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 0))
    T = len(h.grad_h_norm[-1])
    idx = thin(len(h.grad_h_norm), max_rows)
    cols = thin(T, max_cols)
    z = np.array([reach(h.grad_h_norm[i])[cols] for i in idx])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(z)
    return np.asarray(h.sequences, dtype=np.int64)[idx], cols + 1, z


def gradient_figure(rnn, lstm, task: str, T: int) -> go.Figure:
    """Left: ||dL/dh_t|| against t for the latest recorded batch of each model (log axis),
    over a shaded zone where the task's cue inputs can be. Middle and right: for the RNN and
    the LSTM, log10 of ||dL/dh_t|| / ||dL/dh_T|| for every drawn step t (across) and history
    point (down: sequences seen), on one colour scale.

    Traces: RNN latest, LSTM latest, cue zone, RNN heatmap, LSTM heatmap."""
    t = np.arange(1, T + 1)
    data = []
    for (key, label, color), h in zip(MODELS, (rnn, lstm)):
        y = _positive(h.grad_h_norm[-1]) if h.grad_h_norm else np.full(T, np.nan)
        data.append(dict(type="scatter", x=t, y=y, mode="lines", name=f"{label} ‖dL/dh<sub>t</sub>‖, latest batch",
                         line=dict(color=color, width=2.5 if key == "lstm" else 2), xaxis="x", yaxis="y",
                         hovertemplate=f"t = %{{x}}: {label} %{{y:.3g}}<extra></extra>"))
    finite = np.concatenate([d["y"][np.isfinite(d["y"])] for d in data])
    lo, hi = (float(np.log10(finite.min())), float(np.log10(finite.max()))) if finite.size else (-3.0, 1.0)
    lo, hi = lo - 0.3, hi + 0.3
    xs, ys = [], []
    for a, b in cue_steps(task, T):                      # a closed box per zone, in paper-free data units
        xs += [a - 0.5, b + 0.5, b + 0.5, a - 0.5, a - 0.5, None]
        ys += [10 ** lo, 10 ** lo, 10 ** hi, 10 ** hi, 10 ** lo, None]
    data.append(dict(type="scatter", x=xs, y=ys, mode="lines", fill="toself", fillcolor=rgba(INK, 0.07),
                     line=dict(width=0), name=CUE_NAMES[task], hoverinfo="skip",
                     xaxis="x", yaxis="y"))

    zs = [reach_rows(h) for h in (rnn, lstm)]
    zmax = max([0.0] + [float(np.nanmax(z)) for _, _, z in zs if np.isfinite(z).any()])
    for j, ((key, label, _), (rows, steps, z)) in enumerate(zip(MODELS, zs)):
        axis = str(j + 2)
        data.append(dict(type="heatmap", x=steps, y=rows, z=z, name=f"{label}: share of the gradient reaching t",
                         xaxis="x" + axis, yaxis="y" + axis, colorscale=sequential("h"), zmin=REACH_FLOOR,
                         zmax=zmax, showscale=j == 1,
                         colorbar=dict(thickness=10, len=0.9, x=1.0, xanchor="left",
                                       title=dict(text=RATIO, side="right"),
                                       tickvals=[REACH_FLOOR, REACH_FLOOR / 2, 0.0],
                                       ticktext=[f"10<sup>{REACH_FLOOR:.0f}</sup> or less",
                                                 f"10<sup>{REACH_FLOOR / 2:.0f}</sup>", "1"]),
                         hovertemplate=(f"{label}, after %{{y:,}} sequences<br>t = %{{x}}: "
                                        "‖dL/dh<sub>t</sub>‖ / ‖dL/dh<sub>T</sub>‖ = 10<sup>%{z:.2f}</sup>"
                                        "<extra></extra>")))
    step_axis = dict(title=dict(text="step t"), range=[0.5, T + 0.5], zeroline=False)
    layout = dict(
        height=380, margin=dict(l=86, r=70, t=64, b=78), hovermode="closest",   # as in _layout
        legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0),
        xaxis=dict(step_axis, domain=[0.0, 0.36]),
        yaxis=dict(type="log", range=[lo, hi], exponentformat="power",
                   title=dict(text="‖dL/dh<sub>t</sub>‖ (log scale)")),
        xaxis2=dict(step_axis, domain=[0.44, 0.69], anchor="y2"),
        yaxis2=dict(domain=[0.0, 1.0], anchor="x2", autorange="reversed", tickformat=",d",
                    title=dict(text="sequences seen")),
        xaxis3=dict(step_axis, domain=[0.73, 0.98], anchor="y3"),
        yaxis3=dict(domain=[0.0, 1.0], anchor="x3", autorange="reversed", matches="y2", showticklabels=False),
        annotations=[dict(text=f"<b>{label}</b>: share reaching t, over training", x=x, y=1.0, xref="paper",
                          yref="paper", xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=12))
                     for label, x in (("RNN", 0.565), ("LSTM", 0.855))])
    return go.Figure(data=data, layout=layout)


def forget_hold(trace, after_step: int, b: int = 0) -> np.ndarray:
    """For each unit, the smallest forget gate f_t over the steps t > after_step (t = 1..T)
    of sequence b: near 1 means the unit kept its cell state from after_step to the end.
    (H,) array; all ones when after_step >= T (no step to hold over)."""
    f = trace.f[after_step:, b, :]
    return f.min(axis=0) if f.shape[0] else np.ones(trace.hidden_size)
