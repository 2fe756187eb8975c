"""Import optional dependencies with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise an ImportError telling which Beatwise extra provides it.

    Engines such as PySpark are heavy; the core install stays lean and each engine comes with its
    own extra (``pip install 'beatwise[spark]'``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        message = (
            f"{module!r} is not installed; it comes with the {extra!r} extra: "
            f"pip install 'beatwise[{extra}]'"
        )
        raise ImportError(message) from exc
