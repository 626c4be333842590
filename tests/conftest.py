"""Shared fixtures: a seeded random generator and the bundled German credit table.

``REPORTGEN_TEST_SEED`` changes the seed of :func:`rng`, so that tests which must
hold for any data can be run against other draws (``REPORTGEN_TEST_SEED=7 pytest``).
"""

import os

import numpy as np
import pandas as pd
import pytest

from reportgen.datasets import german_credit_path


@pytest.fixture
def rng():
    """A fresh ``numpy`` generator with a fixed seed for each test."""
    return np.random.default_rng(int(os.environ.get("REPORTGEN_TEST_SEED", "0")))


@pytest.fixture(scope="session")
def german_credit():
    """The bundled German credit table as read by pandas (1,000 rows).

    Session-scoped to read the file once: tests must not modify the frame; take a
    ``.copy()`` first.
    """
    return pd.read_csv(german_credit_path())
