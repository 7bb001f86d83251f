"""3 · The vanishing gradient: the training signal travelling back through an RNN and an LSTM.

Widgets -> ui.cache_gradient.gradient_curves (lstm_core, cached) -> figures.gradients -> render.
"""
import streamlit as st

from figures.gradients import dropped_notes, fmt_norm, gradient_figure
from lstm_core.sequences import SEQUENCES
from ui.cache_gradient import MAX_HIDDEN, MAX_T, SCENARIOS, Settings, gradient_curves, per_step_factor
from ui.router import ensure_routed
from ui.state import default, keep, kept

ensure_routed()

P = "vanishing_gradient."
INPUT_SCALES = (0.001, 0.01, 0.1, 0.5, 1.0, 2.0)
CLIP_VALUES = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 1000.0)


def apply_scenario(index: int) -> None:
    """Button callback: set every widget to the scenario's settings."""
    for name, value in SCENARIOS[index].settings.as_dict().items():
        st.session_state[keep(P + name)] = value


def controls() -> Settings:
    """The page's widgets; returns their values."""
    for name, value in Settings().as_dict().items():
        default(P + name, value)

    st.markdown("**Try a scenario** (hover for what it shows), then move the sliders.")
    with st.container(horizontal=True):
        for i, sc in enumerate(SCENARIOS):
            st.button(sc.label, key=f"{P}scenario{i}", help=sc.claim, on_click=apply_scenario, args=(i,))

    c1, c2, c3 = st.columns(3)
    with c1:
        T = st.slider("Sequence length T", 2, MAX_T, **kept(P + "T"),
                      help="How many steps both models read. The gradient travels back T − 1 steps.")
        H = st.slider("Hidden size H", 1, MAX_HIDDEN, **kept(P + "hidden_size"),
                      help="Units in each model (the same for both).")
    with c2:
        scale = st.slider("Recurrent weight scale", 0.1, 4.0, step=0.1, **kept(P + "scale"),
                          help="The weights that multiply h_{t−1} are drawn with standard deviation "
                               "scale/√H, so scale is roughly how much W_h stretches a vector "
                               "(its spectral radius). The same for both models.")
        forget_bias = st.slider("LSTM forget-gate bias b_f", -4.0, 8.0, step=0.5,
                                **kept(P + "forget_bias"),
                                help="Added inside the forget gate's sigmoid: a large b_f holds f_t "
                                     "near 1 (sigmoid(3) = 0.95, sigmoid(6) = 0.9975).")
    with c3:
        sequence = st.selectbox("Input sequence (the same for both)", list(SEQUENCES),
                                format_func=lambda k: f"{k}: {SEQUENCES[k]}", **kept(P + "sequence"))
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
    return Settings(T=int(T), hidden_size=int(H), scale=float(scale), input_scale=float(input_scale),
                    forget_bias=float(forget_bias), sequence=sequence, seed=int(seed), clip=bool(clip),
                    clip_value=float(clip_value))


def factor_text(norms) -> str:
    f = per_step_factor(norms)
    return "—" if f is None else f"{f:.4g}"


st.title("3 · The vanishing gradient")
st.markdown(
    "Training needs to know how the loss depends on what happened long ago. Here one input "
    "sequence goes through a vanilla RNN and through an LSTM of the same size, and the loss is "
    "$L = \\sum_u h_{T,u}$, the sum of the last hidden state. Backpropagation through time carries "
    "$\\partial L/\\partial h_t$ back from the last step $T$ to the first. The curves show its size "
    "(the Euclidean norm) at every step, on a **log scale**: a straight falling line means the "
    "gradient shrinks by the same factor at every step, exponentially.")

s = controls()
curves = gradient_curves(s.T, s.hidden_size, s.scale, s.input_scale, s.forget_bias, s.sequence,
                         s.seed, s.clip_value if s.clip else None)
fig = gradient_figure(curves["rnn_h"], curves["lstm_h"], curves["lstm_c"],
                      curves["forget_product_mean"], curves["rnn_h_clipped"], curves["clip_value"])
st.plotly_chart(fig, key=P + "chart")
st.caption(
    "Right is step T, where the loss is; left is step 1. Press ▶ to watch the gradient travel back "
    f"through time ({len(fig.frames)} frames; long sequences get a frame every few steps). Every value "
    "is computed exactly in float64; hover a line to read it.")
notes = dropped_notes({"rnn_h": curves["rnn_h"], "rnn_h_clipped": curves["rnn_h_clipped"],
                       "lstm_h": curves["lstm_h"], "lstm_c": curves["lstm_c"],
                       "forget_product": curves["forget_product_mean"]})
for note in notes:
    st.caption("Not drawn on the log axis: " + note + ".")
if not curves["finite"]:
    st.warning("Some gradient norms overflowed float64 (above 1.8e308) and are not drawn. "
               "Lower the recurrent weight scale or the sequence length.")

m = st.columns(5 if s.clip else 4)
m[0].metric("RNN ‖dL/dh₁‖", fmt_norm(curves["rnn_h"][0]),
            help=f"At step 1, T − 1 = {s.T - 1} steps back. It started at ‖dL/dh_T‖ = √H = {fmt_norm(curves['rnn_h'][-1])}.")
m[1].metric("LSTM ‖dL/dh₁‖", fmt_norm(curves["lstm_h"][0]),
            help=f"It started at ‖dL/dh_T‖ = √H = {fmt_norm(curves['lstm_h'][-1])}.")
m[2].metric("LSTM ‖dL/dC₁‖", fmt_norm(curves["lstm_c"][0]),
            help=f"It started at ‖dL/dC_T‖ = {fmt_norm(curves['lstm_c'][-1])}.")
m[3].metric("f_T·…·f₂, mean over units", fmt_norm(curves["forget_product_mean"][0]),
            help="The product of the forget gates from step T back to step 2: what the cell state "
                 "alone multiplies dL/dC_T by on its way back to step 1.")
if s.clip:
    m[4].metric(f"RNN clipped at {s.clip_value:g}: ‖dL/dh₁‖", fmt_norm(curves["rnn_h_clipped"][0]),
                help=f"Largest clipped norm over all steps: {fmt_norm(curves['rnn_h_clipped'].max())}.")

left, right = st.columns(2)
with left:
    st.subheader("RNN: a matrix and tanh′ at every step")
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
    st.markdown(
        f"For these weights $\\sigma_{{\\max}}(W_h)$ = **{curves['rnn_sigma_max']:.3g}** (its largest "
        f"singular value) and $\\tanh'$ averages **{curves['rnn_slope_mean']:.3g}** (at most "
        f"{curves['rnn_slope_max']:.3g}). Measured: the RNN's gradient changed by a factor of "
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
    st.subheader("LSTM: the forget gate on the belt")
    st.markdown("The cell state $C_t = f_t * C_{t-1} + i_t * \\tilde C_t$ passes its gradient back "
                "through one multiplication by the forget gate, element by element, plus what "
                "arrives through $h_{t-1} = o_{t-1} * \\tanh(C_{t-1})$:")
    st.latex(r"\frac{\partial L}{\partial C_{t-1}} = f_t * \frac{\partial L}{\partial C_t}"
             r" + o_{t-1} * \left(1-\tanh^{2} C_{t-1}\right) * \frac{\partial L}{\partial h_{t-1}}")
    st.markdown("Along the belt alone there is no weight matrix and no $\\tanh'$: going back from "
                "step $T$ to step $t$ the gradient is multiplied by the forget gates, which the "
                "network sets itself and can hold near 1:")
    st.latex(r"\frac{\partial L}{\partial C_t} = \left(f_T * f_{T-1} * \cdots * f_{t+1}\right) * "
             r"\frac{\partial L}{\partial C_T} + (\text{paths through } h)")
    f_all = curves["forget_product_mean"][0]
    st.markdown(
        f"Here the forget gates average **{curves['lstm_f_mean']:.3g}**; their product over all "
        f"T − 1 steps is **{fmt_norm(f_all)}** (mean over units; the dotted line). Measured: "
        f"‖dL/dC_t‖ changed by a factor of **{factor_text(curves['lstm_c'])}** per step on average, "
        f"‖dL/dh_t‖ by **{factor_text(curves['lstm_h'])}**. The measured gradient can stay above the "
        "dotted line: gradient arriving through $h$ joins the belt at every step.")
