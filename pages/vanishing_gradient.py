"""3 · The vanishing gradient: the training signal travelling back through an RNN and an LSTM.

Widgets (and the link: ui.links) -> ui.cache_gradient.gradient_curves (lstm_core, cached)
-> figures.gradients -> ui.presenter.present -> render.
"""

import dataclasses

import pandas as pd
import streamlit as st

from figures.gradients import dropped_notes, fmt_norm, gradient_figure, zero_reasons
from lstm_core.sequences import SEQUENCES
from ui import heading
from ui.cache_gradient import (INTERVENTIONS, MAX_HIDDEN, MAX_T, SCENARIOS, Settings, clamp_spec,
                               clamp_text, gradient_curves, per_step_factor)
from ui.charts import Ahead, chart, neighbours, stepped
from ui.links import Param, markdown_safe, sync_link, write_link
from ui.presenter import present, presenting
from ui.router import ensure_routed
from ui.state import default, keep, kept, kept_slider

ensure_routed()

P = "vanishing_gradient."
INPUT_SCALES = (0.001, 0.01, 0.1, 0.5, 1.0, 2.0)
CLIP_VALUES = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 1000.0)
D = Settings()

# Every setting in the link (ui/links.py): URL name, kind, default, range; key = the kept widget.
# Names as on the gates page where they mean the same (T, H, seed, scale, fb, seq, from, to).
# The held steps "from" and "to" seed scratch keys, checked below against each other and T.
PARAMS = (
    Param("T", "int", D.T, 2, MAX_T),
    Param("H", "int", D.hidden_size, 1, MAX_HIDDEN, key="hidden_size"),
    Param("scale", "float", D.scale, 0.1, 4.0),
    Param("in_scale", "choice", D.input_scale, choices=INPUT_SCALES, key="input_scale"),
    Param("fb", "float", D.forget_bias, -4.0, 8.0, key="forget_bias"),
    Param("seq", "choice", D.sequence, choices=tuple(SEQUENCES), key="sequence"),
    Param("seed", "int", D.seed, 0, 9999),
    Param("clip", "bool", D.clip),
    Param("clip_at", "choice", D.clip_value, choices=CLIP_VALUES, key="clip_value"),
    Param("hold", "choice", D.clamp, choices=tuple(INTERVENTIONS), key="clamp"),
    Param("from", "int", D.clamp_steps[0], 1, MAX_T, key="_from_link"),
    Param("to", "int", D.clamp_steps[1], 1, MAX_T, key="_to_link"),
)
LENGTH = "Sequence length T"     # the slider whose next values the chart gets ahead (draw_chart)
ALT = ("The size of the gradient of the loss at every step back from T, on a log scale, for the "
       "RNN and the LSTM, with a Play button and a step slider.")
GRIDS = {"scale": (0.1, 0.1), "forget_bias": (-4.0, 0.5)}   # a float slider: (lowest value, step)


def link_notices() -> list[str]:
    """Seed the widgets from the link (first run, or the URL edited by hand) and return the
    notices for the settings in it that could not be used."""
    notices = sync_link(P, PARAMS)
    by_key = {p.key or p.name: p for p in PARAMS}
    for name, (lo, step) in GRIDS.items():      # floats must sit on the slider's steps
        value = st.session_state.get(keep(P + name))
        if value is not None and abs((value - lo) / step - round((value - lo) / step)) > 1e-9:
            p = by_key[name]
            notices.append(f"“{p.name}={value!r}” is not on the slider: it must be a number from "
                           f"{p.lo:g} to {p.hi:g} in steps of {step:g} — using {p.default!r} instead.")
            st.session_state[keep(P + name)] = p.default
    a = st.session_state.pop(keep(P + "_from_link"), None)
    b = st.session_state.pop(keep(P + "_to_link"), None)
    if a is not None or b is not None:                  # held steps from..to: 1 <= from <= to <= T
        T = st.session_state.get(keep(P + "T"), D.T)
        old = st.session_state.get(keep(P + "clamp_steps"), D.clamp_steps)
        a, b = old[0] if a is None else a, old[1] if b is None else b
        instead = f" — using steps {D.clamp_steps[0]} to {D.clamp_steps[1]} instead."
        if a > b:
            notices.append(f"“from={a}” is after “to={b}”: the held steps run from ≤ to" + instead)
        elif b > T:
            notices.append(f"“to={b}” is beyond the sequence: it must be at most T = {T}" + instead)
        st.session_state[keep(P + "clamp_steps")] = (a, b) if a <= b <= T else fit_steps(D.clamp_steps, T)
    return notices


def fit_steps(steps, T: int) -> tuple[int, int]:
    """The held steps cut to 1..T (the range slider's ends)."""
    a, b = sorted(min(max(int(s), 1), T) for s in steps)
    return a, b


def apply_scenario(index: int) -> None:
    """Button callback: set every widget to the scenario's settings (write_link then puts
    them into the URL at the end of the run)."""
    for name, value in SCENARIOS[index].settings.as_dict().items():
        st.session_state[keep(P + name)] = value


def controls() -> Settings:
    """The page's widgets; returns their values."""
    for name, value in D.as_dict().items():
        default(P + name, value)
    teacher = presenting()

    st.markdown("**Try a scenario** (hover for what it shows), then move the sliders.")
    with st.container(horizontal=True):
        for i, sc in enumerate(SCENARIOS):
            st.button(sc.label, key=f"{P}scenario{i}", help=sc.claim, on_click=apply_scenario, args=(i,))

    c1, c2, c3 = st.columns(3)
    with c1:
        T = st.slider(LENGTH, 2, MAX_T, **kept_slider(P + "T"),
                      help="How many steps both models read. The gradient travels back T − 1 steps.")
        H = st.slider("Hidden size H", 1, MAX_HIDDEN, **kept_slider(P + "hidden_size"),
                      help="Units in each model (the same for both).")
    with c2:
        scale = st.slider("Recurrent weight scale", 0.1, 4.0, step=0.1, **kept_slider(P + "scale"),
                          help="The weights that multiply h_{t−1} are drawn with standard deviation "
                               "scale/√H, so scale is roughly how much W_h stretches a vector "
                               "(its spectral radius). The same for both models.")
        forget_bias = st.slider("LSTM forget-gate bias b_f", -4.0, 8.0, step=0.5,
                                **kept_slider(P + "forget_bias"),
                                help="Added inside the forget gate's sigmoid: a large b_f holds f_t "
                                     "near 1 (sigmoid(3) = 0.95, sigmoid(6) = 0.9975).")
    with c3:
        sequence = st.selectbox("Input sequence (the same for both)", list(SEQUENCES),
                                format_func=lambda k: f"{k}: {SEQUENCES[k]}", **kept(P + "sequence"))
        if teacher:     # a class does not need these: they keep their values, the link keeps them
            input_scale = st.session_state[keep(P + "input_scale")]
            seed = st.session_state[keep(P + "seed")]
            st.caption(f"Input weight scale {input_scale:g}, seed {seed} (their controls are hidden "
                       "in presenter mode).")
        else:
            input_scale = st.select_slider("Input weight scale", INPUT_SCALES, **kept(P + "input_scale"),
                                           help="Standard deviation of the weights on x_t. Small inputs "
                                                "keep tanh away from saturation.")
            seed = st.number_input("Seed (weights and noise)", 0, 9999, step=1, **kept(P + "seed"))
    c4, c5 = st.columns([1, 2])
    with c4:
        clip = st.checkbox("Also show the RNN with clipping", **kept(P + "clip"),
                           help="Rescale dL/dh_t to a maximum norm at every step of the backward pass.")
    with c5:
        clip_value = st.select_slider("Clip the RNN's dL/dh_t at norm", CLIP_VALUES,
                                      **kept(P + "clip_value"), disabled=not clip)

    st.markdown("**Hold an LSTM gate by hand** — an experiment: the gate takes the value you give "
                "it instead of the one its weights compute, in the forward and the backward pass.")
    c6, c7 = st.columns([3, 2], vertical_alignment="bottom")
    with c6:
        clamp = st.radio("Gate held (in every unit)", list(INTERVENTIONS),
                         format_func=lambda k: INTERVENTIONS[k][2], horizontal=True, **kept(P + "clamp"),
                         help="The 1997 LSTM had no forget gate: its cell state kept everything, which "
                              "is f = 1 on every step. One click here turns this LSTM into it.")
    st.session_state[keep(P + "clamp_steps")] = fit_steps(st.session_state[keep(P + "clamp_steps")], T)
    with c7:
        steps = st.slider("on steps", 1, T, **kept_slider(P + "clamp_steps"),
                          disabled=clamp in ("none", "1997"),
                          help="The steps t (from 1 to T) on which the gate is held; both ends included.")
    return Settings(T=int(T), hidden_size=int(H), scale=round(float(scale), 1),
                    input_scale=float(input_scale), forget_bias=round(float(forget_bias), 1),
                    sequence=sequence, seed=int(seed), clip=bool(clip), clip_value=float(clip_value),
                    clamp=clamp, clamp_steps=tuple(int(v) for v in steps))


def link_values(s: Settings) -> dict:
    """The settings by URL name, for write_link."""
    held = s.clamp_steps if s.clamp not in ("none", "1997") else D.clamp_steps
    return {"T": s.T, "H": s.hidden_size, "scale": s.scale, "in_scale": s.input_scale,
            "fb": s.forget_bias, "seq": s.sequence, "seed": s.seed, "clip": s.clip,
            "clip_at": s.clip_value, "hold": s.clamp, "from": held[0], "to": held[1]}


def factor_text(norms) -> str:
    f = per_step_factor(norms)
    return "—" if f is None else f"{f:.4g}"


def curves_and_figure(s: Settings) -> tuple:
    """The page's clamp, gradient curves and chart figure for the settings `s`."""
    clamp = clamp_spec(s.clamp, s.clamp_steps, s.T)
    curves = gradient_curves(s.T, s.hidden_size, s.scale, s.input_scale, s.forget_bias, s.sequence,
                             s.seed, s.clip_value if s.clip else None, clamp)
    fig = gradient_figure(curves["rnn_h"], curves["lstm_h"], curves["lstm_c"],
                          curves["forget_product_mean"], curves["rnn_h_clipped"], curves["clip_value"],
                          free=curves["free"], held=clamp)
    return clamp, curves, present(fig)


def draw_chart(s: Settings, fig) -> int:
    """Draw the gradient chart `fig` of the settings `s`, with the figures for the "Sequence
    length T" slider's next values (one step shorter and longer, the held steps cut to them
    as controls() cuts them), which the chart draws as soon as the slider gets there
    (ui.charts.Ahead). Return its number of frames. The figures stay local: the widget
    callbacks of this page keep its globals alive for as long as the session lasts."""
    ahead = tuple((T, curves_and_figure(dataclasses.replace(s, T=T, clamp_steps=fit_steps(s.clamp_steps, T)))[2], ALT)
                  for T in neighbours(s.T, 1, 2, MAX_T)) if stepped(P + "ahead", {"T": s.T}, 1) else ()
    # in a ui.charts frame: its Play/Pause and step slider are the frame's own controls, and the
    # page needs no st.plotly_chart (nor the 4.7 MB of Streamlit's plotly.js that comes with it)
    chart(fig, key=P + "chart",
          config={"toImageButtonOptions": {"format": "png", "filename": "lstm-vanishing-gradient", "scale": 2}},
          alt=ALT, ahead=(Ahead(LENGTH, s.T, 1, ahead),))
    return len(fig.frames)


heading.title("3 · The vanishing gradient")
st.markdown(
    "Training needs to know how the loss depends on what happened long ago. Here one input "
    "sequence goes through a vanilla RNN and through an LSTM of the same size, and the loss is "
    "$L = \\sum_u h_{T,u}$, the sum of the last hidden state. Backpropagation through time carries "
    "$\\partial L/\\partial h_t$ back from the last step $T$ to the first. The curves show its size "
    "(the Euclidean norm) at every step, on a **log scale**: a straight falling line means the "
    "gradient shrinks by the same factor at every step, exponentially.")

notices = link_notices()
if notices:
    st.warning("Some settings in this link could not be used:\n\n"
               + "\n".join("- " + markdown_safe(n) for n in notices), icon=":material/link_off:")
s = controls()
write_link(P, PARAMS, link_values(s))
clamp, curves, fig = curves_and_figure(s)
n_frames = draw_chart(s, fig)
del fig
st.caption(
    "Right is step T, where the loss is; left is step 1. Press ▶ to watch the gradient travel back "
    f"through time ({n_frames} frames; long sequences get a frame every few steps). Every value "
    "is computed exactly in float64; hover a line to read it."
    + (" The dashed lines are the same LSTM with no gate held; the shaded steps are the ones held."
       if clamp else ""))
shown = {"rnn_h": curves["rnn_h"], "rnn_h_clipped": curves["rnn_h_clipped"],
         "lstm_h": curves["lstm_h"], "lstm_c": curves["lstm_c"],
         "forget_product": curves["forget_product_mean"]}
if clamp:
    shown.update(lstm_h_free=curves["free"]["lstm_h"], lstm_c_free=curves["free"]["lstm_c"])
for note in dropped_notes(shown, zero_reasons(clamp)):
    st.caption("Not drawn on the log axis: " + note + ".")
if not curves["finite"]:
    st.warning("Some gradient norms overflowed float64 (above 1.8e308) and are not drawn. "
               "Lower the recurrent weight scale or the sequence length.")

held_note = f" ({clamp_text(clamp)})" if clamp else ""
m = st.columns(5 if s.clip else 4)
m[0].metric("RNN ‖dL/dh₁‖", fmt_norm(curves["rnn_h"][0]),
            help=f"At step 1, T − 1 = {s.T - 1} steps back. It started at ‖dL/dh_T‖ = √H = {fmt_norm(curves['rnn_h'][-1])}.")
m[1].metric("LSTM ‖dL/dh₁‖", fmt_norm(curves["lstm_h"][0]),
            help=f"It started at ‖dL/dh_T‖ = √H = {fmt_norm(curves['lstm_h'][-1])}.{held_note}")
m[2].metric("LSTM ‖dL/dC₁‖", fmt_norm(curves["lstm_c"][0]),
            help=f"It started at ‖dL/dC_T‖ = {fmt_norm(curves['lstm_c'][-1])}.{held_note}")
cut = clamp is not None and clamp[:2] == ("f", 0.0)      # (gate, value, start, stop): a 0 in the product
m[3].metric("f_T·…·f₂, mean over units",
            fmt_norm(curves["forget_product_mean"][0], zero="0 (f held at 0)" if cut else "0 (underflow)"),
            help="The product of the forget gates from step T back to step 2: what the cell state "
                 f"alone multiplies dL/dC_T by on its way back to step 1.{held_note}")
if s.clip:
    m[4].metric(f"RNN clipped at {s.clip_value:g}: ‖dL/dh₁‖", fmt_norm(curves["rnn_h_clipped"][0]),
                help=f"Largest clipped norm over all steps: {fmt_norm(curves['rnn_h_clipped'].max())}.")

if clamp:
    gate, value, a, b = clamp
    acr, free = curves["across"], curves["free_across"]
    before = f"C_{{{a - 1}}}" if a > 1 else "C_0"
    heading.subheader(f"What holding the gate did: {clamp_text(clamp)}")
    st.markdown("Backwards, every step passes the gradient along the belt through one multiplication "
                "by the forget gate, plus what arrives through $h_{t-1}$:")
    st.latex(r"\frac{\partial L}{\partial C_{t-1}} = f_t * \frac{\partial L}{\partial C_t}"
             r" + o_{t-1} * \left(1-\tanh^{2} C_{t-1}\right) * \frac{\partial L}{\partial h_{t-1}}")
    if s.clamp == "1997":
        st.markdown(
            "**The LSTM of 1997 had no forget gate** (Hochreiter & Schmidhuber; Gers, Schmidhuber & "
            "Cummins added it in 1999–2000): its cell state was $C_t = C_{t-1} + i_t * \\tilde C_t$, "
            "which is $f_t = 1$ on every step. Then the first term is $\\partial L/\\partial C_t$ itself: "
            "the belt carries the gradient back to the start unchanged, however long the sequence "
            "(the *constant error carousel*). The price: the cell can never forget, so $C_t$ only "
            "accumulates.")
    elif gate == "f" and value == 1.0:
        st.markdown(
            f"With $f_t = 1$ on steps {a}–{b} the first term is $\\partial L/\\partial C_t$ itself: across "
            "the held steps the belt carries the gradient back **unchanged**; the paths through $h$ only add to it.")
    elif gate == "f":
        st.markdown(
            f"With $f_t = 0$ on steps {a}–{b} the first term is $0$: **nothing** travels back along the "
            f"belt past step {a}. All that reaches ${before}$ came through $h$, which passes $W_h$ and "
            "$\\tanh'$ like the RNN's gradient. Forwards, the cell forgets everything: $C_t = i_t * \\tilde C_t$.")
    else:
        st.markdown(
            f"With $i_t = 0$ on steps {a}–{b} nothing is written: $C_t = f_t * C_{{t-1}}$. The belt still "
            "passes the gradient back times $f_t$, but none of it reaches the candidate or the input gate "
            "on those steps ($\\partial L/\\partial \\tilde C_t = i_t * \\partial L/\\partial C_t = 0$), "
            "so the paths through $h$ that ran through them are cut.")
    st.markdown(f"Measured across the held steps, from $C_{{{b}}}$ back to ${before}$ "
                f"(the belt alone multiplies by $f_{{{b}}} \\cdots f_{{{a}}}$):")
    c_before = f"C_{a - 1}"
    rows = [(f"‖dL/dC_{b}‖, arriving from the later steps", "dc_in"),
            (f"f_{b}·…·f_{a}, mean over units", "belt_factor_mean"),
            (f"‖(f_{a}·…·f_{b}) * dL/dC_{b}‖: what the belt alone carries to {c_before}", "belt_out"),
            (f"‖dL/d{c_before}‖: all paths", "dc_out")]
    st.table(pd.DataFrame({"no gate held": [fmt_norm(free[k]) for _, k in rows],
                           clamp_text(clamp): [fmt_norm(acr[k]) for _, k in rows]},
                          index=[label for label, _ in rows]))
    f1 = curves["free"]
    st.caption(
        f"At step 1: ‖dL/dC₁‖ = {fmt_norm(curves['lstm_c'][0])} with the gate held, "
        f"{fmt_norm(f1['lstm_c'][0])} without; ‖dL/dh₁‖ = {fmt_norm(curves['lstm_h'][0])} with, "
        f"{fmt_norm(f1['lstm_h'][0])} without. A held gate gets no gradient itself: it no longer "
        "depends on its weights on those steps.")

left, right = st.columns(2)
with left:
    heading.subheader("RNN: a matrix and tanh′ at every step")
    st.markdown("One step back through $h_t = \\tanh(W\\,[h_{t-1}, x_t] + b)$ multiplies the gradient "
                "by $W_h$ (the columns of $W$ that act on $h_{t-1}$) and by $\\tanh'$, which is "
                "$1 - h_t^2$:")
    st.latex(r"\frac{\partial L}{\partial h_{t-1}} = W_h^{\top}\,\mathrm{diag}\!\left(1-h_t^{2}\right)"
             r"\frac{\partial L}{\partial h_t}")
    st.markdown("Going back $k$ steps multiplies by $k$ such matrices, one per step. Like the powers "
                "of a number, their product shrinks or grows exponentially: each factor stretches a "
                "vector by at most")
    st.latex(r"\Big\|\frac{\partial L}{\partial h_{t-1}}\Big\| \le \sigma_{\max}(W_h)\cdot"
             r"\max_u\,(1-h_{t,u}^{2})\cdot\Big\|\frac{\partial L}{\partial h_t}\Big\|")
    # The symbols stay in a sentence of their own and the numbers that change go in plain text:
    # the browser then typesets the symbols once instead of at every move of a slider.
    st.markdown("For these weights, $\\sigma_{\\max}(W_h)$ is the largest singular value of $W_h$ and "
                "$\\tanh'$ the slope of tanh at each step:")
    st.markdown(
        f"σ_max(W_h) = **{curves['rnn_sigma_max']:.3g}**, and tanh′ averages **{curves['rnn_slope_mean']:.3g}** "
        f"(at most {curves['rnn_slope_max']:.3g}). Measured: the RNN's gradient changed by a factor of "
        f"**{factor_text(curves['rnn_h'])}** per step on average (geometric mean over the T − 1 steps).")
    st.markdown(
        "**Exploding** (try the scenario): with a large recurrent scale the factors stretch more than "
        "tanh′ shrinks, and the gradient grows by orders of magnitude. **Clipping** caps it: whenever "
        "the message is longer than $c$ it is rescaled to length $c$, direction kept:")
    st.latex(r"\frac{\partial L}{\partial h_t} \leftarrow \frac{\partial L}{\partial h_t}\cdot"
             r"\min\!\Big(1,\ \frac{c}{\|\partial L/\partial h_t\|}\Big)")
    st.caption("Clipping only ever shrinks: it cannot bring back a gradient that vanished. (Here the "
               "message is clipped at every step; libraries usually clip the total weight gradient "
               "once, e.g. PyTorch's clip_grad_norm_: the same idea.)")
with right:
    heading.subheader("LSTM: the forget gate on the belt")
    st.markdown("The cell state $C_t = f_t * C_{t-1} + i_t * \\tilde C_t$ passes its gradient back "
                "through one multiplication by the forget gate, element by element, plus what "
                "arrives through $h_{t-1} = o_{t-1} * \\tanh(C_{t-1})$:")
    st.latex(r"\frac{\partial L}{\partial C_{t-1}} = f_t * \frac{\partial L}{\partial C_t}"
             r" + o_{t-1} * \left(1-\tanh^{2} C_{t-1}\right) * \frac{\partial L}{\partial h_{t-1}}")
    st.markdown("Along the belt alone there is no weight matrix and no $\\tanh'$: going back from "
                "step $T$ to step $t$ the gradient is multiplied by the forget gates, which the "
                "network sets itself and can hold near 1:")
    st.latex(r"\begin{aligned}\frac{\partial L}{\partial C_t} &= \left(f_T * f_{T-1} * \cdots * f_{t+1}\right) * "
             r"\frac{\partial L}{\partial C_T} \\ &\quad + (\text{paths through } h)\end{aligned}")   # two lines: fits a half-width column
    f_all = curves["forget_product_mean"][0]
    st.markdown(
        f"Here the forget gates average **{curves['lstm_f_mean']:.3g}**; their product over all "
        f"T − 1 steps is **{fmt_norm(f_all)}** (mean over units; the dotted line). Measured: "
        f"‖dL/dC_t‖ changed by a factor of **{factor_text(curves['lstm_c'])}** per step on average, "
        f"‖dL/dh_t‖ by **{factor_text(curves['lstm_h'])}**. The measured gradient can stay above the "
        "dotted line: gradient arriving through the hidden state h joins the belt at every step."
        + (f" (These numbers are for the LSTM with {clamp_text(clamp)}.)" if clamp else ""))
