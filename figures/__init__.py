"""Figure builders: pure functions, trace in, plotly Figure out. No Streamlit here."""
