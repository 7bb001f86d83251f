import streamlit as st

from ui import heading
from ui.router import ensure_routed

ensure_routed()

heading.title("LSTM Gate Lab")
st.markdown(
    """
A recurrent network reads a sequence one step at a time and carries a **hidden state** from each
step to the next. A plain RNN squeezes everything it remembers through one `tanh` layer at
every step, so what it saw long ago fades away, and so does the training signal that should reach it.

A **Long Short-Term Memory** (LSTM) cell adds a second line, the **cell state** $C_t$, that runs
through time like a conveyor belt. Three **gates**, each a number between 0 and 1 for every unit,
decide what is wiped from the belt, what is written onto it, and what is read out of it.
Everything you see in this app is computed live, in float64, from the settings you choose.
"""
)

heading.subheader("The equations")
st.markdown("$[h_{t-1}, x_t]$ is the previous hidden state and the new input **stacked into one vector**; "
            "each gate multiplies it by its own weight matrix. $\\sigma$ is the sigmoid, whose values lie "
            "between 0 and 1; $*$ multiplies element by element.")
st.latex(r"""
\begin{aligned}
f_t &= \sigma(W_f\,[h_{t-1}, x_t] + b_f) && \text{forget gate: how much of } C_{t-1} \text{ to keep}\\
i_t &= \sigma(W_i\,[h_{t-1}, x_t] + b_i) && \text{input gate: how much of the candidate to write}\\
\tilde C_t &= \tanh(W_c\,[h_{t-1}, x_t] + b_c) && \text{candidate: what could be written}\\
o_t &= \sigma(W_o\,[h_{t-1}, x_t] + b_o) && \text{output gate: how much of the belt to show}\\
C_t &= f_t * C_{t-1} + i_t * \tilde C_t && \text{cell state: the conveyor belt}\\
h_t &= o_t * \tanh(C_t) && \text{hidden state: what the cell outputs}
\end{aligned}
""")
st.markdown("A plain RNN has only one line: $h_t = \\tanh(W\\,[h_{t-1}, x_t] + b)$.")

heading.subheader("The lesson, in order")
st.page_link("pages/lesson.py", label="**Guided lesson** — the whole story in seven short steps, each with a "
             "live figure and a question to predict before the answer is revealed.", icon=":material/school:")
st.markdown("Or explore each part on its own page:")
st.page_link("pages/one_step.py", label="**1 · One step of the cell** — move every input and weight of one "
             "step and watch the gates open and close on the conveyor belt.", icon=":material/conveyor_belt:")
st.page_link("pages/gates_over_time.py", label="**2 · Gates over time** — run the cell over a whole sequence "
             "and play back every gate, step by step.", icon=":material/grid_on:")
st.page_link("pages/vanishing_gradient.py", label="**3 · The vanishing gradient** — follow the training signal "
             "backwards through time in an RNN and in an LSTM, and see why one fades and the other survives.",
             icon=":material/trending_down:")
st.page_link("pages/training.py", label="**4 · Training: RNN against LSTM** — train both on a task whose answer "
             "depends on an input far back, and watch the LSTM learn it while the RNN cannot.",
             icon=":material/model_training:")
