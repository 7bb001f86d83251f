"""Streamlit helpers shared by the pages: state that survives page switches, cached
computations over lstm_core (each takes hashable primitives), small shared widgets."""
