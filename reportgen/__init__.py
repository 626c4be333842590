"""reportgen: fairness and compliance audit reports for machine-learning systems.

The package import is deliberately light: heavy libraries (pandas, scikit-learn,
matplotlib, WeasyPrint) are imported inside the functions that need them, so that
``reportgen --help`` and ``reportgen --version`` answer at once.
"""

__version__ = "0.1.0"
