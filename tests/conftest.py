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


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "lstm_core", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)
