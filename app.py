"""LSTM Gate Lab: the router. Run with `streamlit run app.py`."""
import streamlit as st

from ui.page_style import steady_reruns
from ui.presenter import sidebar_toggle
from ui.router import PAGE_ICON, navigation

st.set_page_config(page_title="LSTM Gate Lab", page_icon=PAGE_ICON, layout="wide")
page = navigation()
sidebar_toggle()
steady_reruns()
page.run()
