"""LSTM Gate Lab: the router. Run with `streamlit run app.py`."""
import streamlit as st

from ui.state import keep_widget_values

st.set_page_config(page_title="LSTM Gate Lab", page_icon="assets/icon.png", layout="wide")
keep_widget_values()

PAGES = [
    st.Page("pages/home.py", title="Start here", icon=":material/home:", default=True),
    st.Page("pages/one_step.py", title="1 · One step of the cell", icon=":material/conveyor_belt:"),
    st.Page("pages/gates_over_time.py", title="2 · Gates over time", icon=":material/grid_on:"),
    st.Page("pages/vanishing_gradient.py", title="3 · The vanishing gradient", icon=":material/trending_down:"),
]

st.navigation(PAGES).run()
