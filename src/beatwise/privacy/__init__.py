"""Privacy in one place: keyed pseudonyms for people (geomasking and suppression come later)."""

from beatwise.privacy.pseudonyms import (
    PseudonymKeyError,
    pseudonym,
    pseudonym_key,
    register_pseudonym_function,
)

__all__ = ["PseudonymKeyError", "pseudonym", "pseudonym_key", "register_pseudonym_function"]
