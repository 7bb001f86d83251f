"""Numbers and equations of one LSTM step, as text: rounded for display, never for computing.

Pure functions (no Streamlit, no Plotly): they turn the float64 numbers lstm_core computed
into strings a student reads — plain/HTML text for figure labels (`fmt_html`, `fmt_text`) and
LaTeX for the equations with the numbers substituted (`gate_equation_latex`,
`gate_matrix_latex`, `state_equations_latex`).

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


def _factor(v: float) -> str:
    """A number as a factor in a product: negative numbers in parentheses."""
    s = fmt_tex(v)
    return f"({s})" if s.startswith("-") else s


def _term(v: float) -> str:
    """A number added to a sum: '+ 0.5' or '+ (-0.5)'."""
    return "+ " + _factor(v)


def hx_labels(H: int, D: int) -> list[str]:
    """LaTeX names of the entries of [h_{t-1}, x_t] (hidden state first). Entries are counted
    from 0, like the units on every page and in the trace CSV: h_{t-1,0} is unit 0's."""
    hs = [r"h_{t-1}" if H == 1 else rf"h_{{t-1,{m}}}" for m in range(H)]
    xs = [r"x_t" if D == 1 else rf"x_{{t,{d}}}" for d in range(D)]
    return hs + xs


def gate_equation_latex(gate: str, unit: int, w_row, hx, b: float, z: float, value: float,
                        H: int, D: int) -> str:
    """One unit's gate, three ways: symbols, numbers substituted, result.

    gate: 'f', 'i', 'c' or 'o'; unit: counted from 0; w_row: the H + D weights of that unit's
    row; hx: [h_{t-1}, x_t]; b: the bias; z: the pre-activation; value: the gate's value (both
    as lstm_core computed them). Matrix indices count from 0 too: W_f[j,k] is row j (unit j),
    column k (entry k of [h_{t-1}, x_t]).
    """
    sym = GATE_SYMBOLS[gate]
    fn = GATE_FUNCS[gate]
    idx = "" if H == 1 else f"[{unit}]"
    labels = hx_labels(H, D)
    W = rf"W_{gate}"
    symbolic = " + ".join(rf"{W}{{[{unit},{k}]}}\,{labels[k]}" for k in range(H + D))
    numbers = " + ".join(rf"{_factor(w)} \cdot {_factor(x)}" for w, x in zip(w_row, hx))
    lhs = sym + (r"^{" + idx + "}" if idx else "")
    return (
        rf"\begin{{aligned}} {lhs} &= {fn}\big({symbolic} + b_{gate}{idx}\big)\\"
        rf" &= {fn}\big({numbers} {_term(b)}\big)\\"
        rf" &= {fn}({fmt_tex(z)}) = {fmt_tex(value)} \end{{aligned}}"
    )


def gate_matrix_latex(gate: str, W, hx, b, z, value, H: int, D: int) -> str:
    """The gate for all units as one matrix-vector product with [h_{t-1}, x_t] stacked.

    W: H rows of H + D numbers; hx, b, z, value: as in gate_equation_latex, one per unit."""
    rows = r" \\ ".join(" & ".join(fmt_tex(w) for w in row) for row in W)
    vec = r" \\ ".join(fmt_tex(x) for x in hx)
    bias = r" \\ ".join(fmt_tex(x) for x in b)
    zs = r" \\ ".join(fmt_tex(x) for x in z)
    vals = r" \\ ".join(fmt_tex(x) for x in value)
    fn = GATE_FUNCS[gate]
    return (
        rf"{GATE_SYMBOLS[gate]} = {fn}\Big(\underbrace{{\begin{{pmatrix}} {rows} \end{{pmatrix}}}}_{{W_{gate}}}"
        rf"\underbrace{{\begin{{pmatrix}} {vec} \end{{pmatrix}}}}_{{[h_{{t-1}},\,x_t]}}"
        rf" + \underbrace{{\begin{{pmatrix}} {bias} \end{{pmatrix}}}}_{{b_{gate}}}\Big)"
        rf" = {fn}\begin{{pmatrix}} {zs} \end{{pmatrix}} = \begin{{pmatrix}} {vals} \end{{pmatrix}}"
    )


def state_equations_latex(unit: int, H: int, f: float, c_prev: float, i: float, c_tilde: float,
                          c: float, o: float, tanh_c: float, h: float) -> str:
    """C_t and h_t of one unit (counted from 0) with the numbers substituted (values from lstm_core)."""
    idx = "" if H == 1 else rf"^{{[{unit}]}}"
    return (
        rf"\begin{{aligned}} C_t{idx} &= f_t{idx} * C_{{t-1}}{idx} + i_t{idx} * \tilde C_t{idx}"
        rf" = {_factor(f)} \cdot {_factor(c_prev)} + {_factor(i)} \cdot {_factor(c_tilde)} = {fmt_tex(c)}\\"
        rf" h_t{idx} &= o_t{idx} * \tanh(C_t{idx}) = {_factor(o)} \cdot \tanh({fmt_tex(c)})"
        rf" = {_factor(o)} \cdot {_factor(tanh_c)} = {fmt_tex(h)} \end{{aligned}}"
    )


def sigmoid_gap_tex(z: float) -> str:
    """LaTeX for how far sigmoid(z) lies from the nearer of 0 and 1: e^{-|z|} / (1 + e^{-|z|}).

    For a z where float64 rounds sigmoid(z) to exactly 1, this says what the exact value is."""
    a = abs(float(z))
    gap = math.exp(-a) / (1.0 + math.exp(-a))
    return fmt_tex(gap)
