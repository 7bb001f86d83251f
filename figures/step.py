"""Numbers and equations of one LSTM step, as text: rounded for display, never for computing.

Pure functions (no Streamlit, no Plotly): they turn the float64 numbers lstm_core computed
into strings a student reads — plain/HTML text for figure labels (`fmt_html`, `fmt_text`);
the equations in two parts, the symbols in LaTeX (`gate_symbols_latex`, `state_symbols_latex`,
`matrix_symbols_latex`) and the numbers substituted as plain text (`gate_numbers_text`,
`state_numbers_text`); every gate with its numbers in matrix form (`gate_matrix_latex`); and
a markdown table of numbers (`text_table`).

Rounding rule (`_decimal_parts`): at least 3 significant digits and at least 3 decimals; a
value strictly between -1 and 1 is never printed as +-1 (a gate never reaches 0 or 1 exactly),
so more decimals are used, and past 6 decimals it is written 1 - 1.39e-11; values below 1e-4
in size are written in scientific notation.
"""
from __future__ import annotations

import math

MINUS = "\u2212"   # the typographic minus sign, for text labels

GATE_SYMBOLS = {"f": "f_t", "i": "i_t", "c": r"\tilde C_t", "o": "o_t"}
GATE_FUNCS = {"f": r"\sigma", "i": r"\sigma", "c": r"\tanh", "o": r"\sigma"}


def _decimal_parts(v: float) -> tuple[bool, str, int | None, float | None]:
    """(negative, mantissa, exponent or None, one_minus_eps or None) of |v| for display.

    mantissa is a decimal string of |v| (or of the mantissa when exponent is not None);
    when one_minus_eps is not None the number is 1 - eps (sign from `negative`)."""
    v = float(v)
    neg = v < 0
    a = abs(v)
    if a == 0.0:
        return False, "0", None, None
    if a < 1e-4:
        m, e = f"{a:.2e}".split("e")
        return neg, m, int(e), None
    decimals = max(3, 2 - math.floor(math.log10(a)))
    s = f"{a:.{decimals}f}"
    if a < 1.0 and float(s) >= 1.0:          # strictly inside (-1, 1): never show 1
        for d in range(decimals + 1, 7):
            s = f"{a:.{d}f}"
            if float(s) < 1.0:
                return neg, s, None, None
        return neg, "", None, 1.0 - a
    return neg, s, None, None


def fmt_text(v: float) -> str:
    """Plain text, e.g. '0.438', '−0.762', '1.39e-11', '1 − 1.39e-11'."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    neg, m, e, eps = _decimal_parts(v)
    sign = MINUS if neg else ""
    if eps is not None:
        body = f"1 {MINUS} {eps:.2e}".replace("e-", "e" + MINUS)
        return f"{sign}({body})" if neg else body
    if e is not None:
        return f"{sign}{m}e{e}".replace("e-", "e" + MINUS)
    return sign + m


def fmt_html(v: float) -> str:
    """For Plotly text labels: like fmt_text, powers of ten as ×10<sup>…</sup>."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    neg, m, e, eps = _decimal_parts(v)
    sign = MINUS if neg else ""
    if eps is not None:
        em, ee = f"{eps:.2e}".split("e")
        body = f"1 {MINUS} {em}×10<sup>{int(ee)}</sup>".replace("-", MINUS)
        return f"{sign}({body})" if neg else body
    if e is not None:
        return f"{sign}{m}×10<sup>{str(e).replace('-', MINUS)}</sup>"
    return sign + m


def fmt_tex(v: float) -> str:
    """LaTeX for a number, e.g. '0.438', '-0.762', '1.39 \\times 10^{-11}'."""
    v = float(v)
    if not math.isfinite(v):
        return r"\text{" + str(v) + "}"
    neg, m, e, eps = _decimal_parts(v)
    sign = "-" if neg else ""
    if eps is not None:
        em, ee = f"{eps:.2e}".split("e")
        body = rf"1 - {em} \times 10^{{{int(ee)}}}"
        return rf"-({body})" if neg else body
    if e is not None:
        return rf"{sign}{m} \times 10^{{{e}}}"
    return sign + m


def hx_labels(H: int, D: int) -> list[str]:
    """LaTeX names of the entries of [h_{t-1}, x_t] (hidden state first). Entries are counted
    from 0, like the units on every page and in the trace CSV: h_{t-1,0} is unit 0's."""
    hs = [r"h_{t-1}" if H == 1 else rf"h_{{t-1,{m}}}" for m in range(H)]
    xs = [r"x_t" if D == 1 else rf"x_{{t,{d}}}" for d in range(D)]
    return hs + xs


def _matrix_product(gate: str, rows: str, vec: str, bias: str, w_label: str) -> str:
    """g = fn(W [h_{t-1}, x_t] + b) with each factor a pmatrix, labelled underneath (LaTeX rows
    joined by \\\\ and entries by &)."""
    return (
        rf"{GATE_SYMBOLS[gate]} = {GATE_FUNCS[gate]}\Big(\underbrace{{\begin{{pmatrix}} {rows} \end{{pmatrix}}}}_{{{w_label}}}"
        rf"\underbrace{{\begin{{pmatrix}} {vec} \end{{pmatrix}}}}_{{[h_{{t-1}},\,x_t]}}"
        rf" + \underbrace{{\begin{{pmatrix}} {bias} \end{{pmatrix}}}}_{{b_{gate}}}\Big)"
    )


def gate_matrix_latex(gate: str, W, hx, b, z, value, H: int, D: int) -> str:
    """The gate for all units as one matrix-vector product with [h_{t-1}, x_t] stacked, the
    numbers substituted.

    W: H rows of H + D numbers; hx: [h_{t-1}, x_t]; b, z, value: the bias, pre-activation and
    value of each unit (as lstm_core computed them)."""
    col = lambda xs: r" \\ ".join(fmt_tex(x) for x in xs)  # noqa: E731
    rows = r" \\ ".join(" & ".join(fmt_tex(w) for w in row) for row in W)
    fn = GATE_FUNCS[gate]
    return (_matrix_product(gate, rows, col(hx), col(b), f"W_{gate}")
            + rf" = {fn}\begin{{pmatrix}} {col(z)} \end{{pmatrix}} = \begin{{pmatrix}} {col(value)} \end{{pmatrix}}")


def sigmoid_gap_tex(z: float) -> str:
    """LaTeX for how far sigmoid(z) lies from the nearer of 0 and 1: e^{-|z|} / (1 + e^{-|z|}).

    For a z where float64 rounds sigmoid(z) to exactly 1, this says what the exact value is."""
    a = abs(float(z))
    gap = math.exp(-a) / (1.0 + math.exp(-a))
    return fmt_tex(gap)


# ---- the equations in two parts: the symbols (LaTeX, the same at every move, so the browser
# typesets them once) and the numbers substituted (plain text, which it redraws at almost no
# cost). Typesetting the numbers with KaTeX at every slider move made page 1 answer about
# 60 ms later (benchmarks/bench_browser.py).

def _factor_text(v: float) -> str:
    """A number as a factor in a product, as text: negative numbers in parentheses."""
    s = fmt_text(v)
    return f"({s})" if s.startswith(MINUS) or " " in s else s


def _term_text(v: float) -> str:
    """A number added to a sum, as text: '+ 0.500' or '+ (−0.500)'."""
    return "+ " + _factor_text(v)


def gate_symbols_latex(gate: str, unit: int, H: int, D: int) -> str:
    """One unit's gate in symbols: f_t = σ(W_f[0,0] h_{t-1} + W_f[0,1] x_t + b_f).

    Matrix indices count from 0: W_f[j,k] is row j (unit j), column k (entry k of [h_{t-1}, x_t])."""
    idx = "" if H == 1 else f"[{unit}]"
    labels = hx_labels(H, D)
    W = rf"W_{gate}"
    symbolic = " + ".join(rf"{W}{{[{unit},{k}]}}\,{labels[k]}" for k in range(H + D))
    lhs = GATE_SYMBOLS[gate] + (r"^{" + idx + "}" if idx else "")
    return rf"{lhs} = {GATE_FUNCS[gate]}\big({symbolic} + b_{gate}{idx}\big)"


def gate_numbers_text(gate: str, w_row, hx, b: float, z: float, value: float) -> str:
    """The same gate with lstm_core's numbers substituted, as markdown-safe text:
    '= σ(0.500 · 0.300 + (−1.20) · 1.00 + 0.800) = σ(−0.250) = **0.438**'."""
    fn = "tanh" if gate == "c" else "σ"
    numbers = " + ".join(f"{_factor_text(w)} · {_factor_text(x)}" for w, x in zip(w_row, hx))
    return f"= {fn}({numbers} {_term_text(b)}) = {fn}({fmt_text(z)}) = **{fmt_text(value)}**"


def state_symbols_latex(unit: int, H: int) -> tuple[str, str]:
    """C_t and h_t of one unit (counted from 0) in symbols: two LaTeX strings."""
    idx = "" if H == 1 else rf"^{{[{unit}]}}"
    return (rf"C_t{idx} = f_t{idx} * C_{{t-1}}{idx} + i_t{idx} * \tilde C_t{idx}",
            rf"h_t{idx} = o_t{idx} * \tanh(C_t{idx})")


def state_numbers_text(f: float, c_prev: float, i: float, c_tilde: float, c: float, o: float,
                       tanh_c: float, h: float) -> tuple[str, str]:
    """C_t and h_t with lstm_core's numbers substituted, as markdown-safe text (two lines)."""
    return (f"= {_factor_text(f)} · {_factor_text(c_prev)} + {_factor_text(i)} · {_factor_text(c_tilde)}"
            f" = **{fmt_text(c)}**",
            f"= {_factor_text(o)} · tanh({fmt_text(c)}) = {_factor_text(o)} · {_factor_text(tanh_c)}"
            f" = **{fmt_text(h)}**")


def matrix_symbols_latex(gate: str, H: int, D: int) -> str:
    """The gate for all units as one matrix-vector product, in symbols: W_g (H × (H + D)) times
    the stacked [h_{t-1}, x_t], plus b_g, squashed. Rows and columns count from 0."""
    rows = r" \\ ".join(" & ".join(rf"W_{gate}{{[{j},{k}]}}" for k in range(H + D)) for j in range(H))
    bias = r" \\ ".join(rf"b_{gate}{{[{j}]}}" for j in range(H))
    return _matrix_product(gate, rows, r" \\ ".join(hx_labels(H, D)), bias, rf"W_{gate}:\ {H} \times {H + D}")


def text_table(columns: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """A markdown table of text cells (row name first, the other columns right-aligned).

    One markdown element costs the browser much less to redraw at every slider move than
    st.table, which renders every cell as markdown on its own. The cells must be plain text
    without '|' or markdown syntax (numbers from fmt_text and fixed names)."""
    head = "| | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns)
    return head + "".join(f"\n| {name} | " + " | ".join(cells) + " |" for name, cells in rows)
