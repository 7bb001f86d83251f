import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES_DIR = os.path.join(ROOT, "tests", "fixtures", "reference-cases")
CASES = sorted(d for d in os.listdir(CASES_DIR) if os.path.isdir(os.path.join(CASES_DIR, d)))


@pytest.fixture
def strict_numerics():
    """Any overflow, invalid value, division by zero or unexpected underflow raises."""
    with np.errstate(all="raise"):
        yield


@pytest.fixture
def media(monkeypatch):
    """The files the app's download buttons make when clicked, by deferred file id: a function
    that makes the bytes as the server does on the click (a str as UTF-8); their file names in
    .names. (Page 2 gives its buttons a function as data.)"""
    from streamlit.runtime.media_file_manager import MediaFileManager

    class Served(dict):
        names: dict

    store = Served()
    store.names = {}
    orig = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        file_id = orig(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

        def made(make=data_callable) -> bytes:
            data = make()
            return data.encode() if isinstance(data, str) else data

        store[file_id] = made
        store.names[file_id] = file_name
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return store


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "lstm_core", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)
