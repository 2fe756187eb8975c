"""How a count changed: percent change and the Poisson change score.

Percent change is what commanders read; on small counts it misleads (2 → 4 is "+100%"). Beside
it stands the change score of the square-root (variance-stabilising) transform of a Poisson
count (Anscombe 1948): ``Z = 2(√current − √prior)``. For a Poisson count ``X`` the variance of
``2√X`` is close to 1, so under "no change" ``Z`` has mean about 0 and standard deviation about
√2; ``|Z| ≥ 2`` flags a change (two-sided p ≈ 0.16, a deliberately sensitive screen, not a test).
See docs/methods/compstat.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Z_FLAG = 2.0
"""``|Z|`` at or above which a change is flagged."""


@dataclass(frozen=True)
class Change:
    """A count in a window, the count in the comparison window, and how it changed."""

    current: int
    prior: int

    @property
    def pct_change(self) -> float | None:
        """(current − prior) / prior × 100, one decimal, halves away from zero; None if prior 0."""
        if self.prior == 0:
            return None
        return half_up((self.current - self.prior) * 100 / self.prior, 1)

    @property
    def z(self) -> float:
        """The Poisson change score 2(√current − √prior), to two decimals."""
        return half_up(2 * (math.sqrt(self.current) - math.sqrt(self.prior)), 2)

    @property
    def flagged(self) -> bool:
        """Whether ``|Z|`` reaches the flag threshold."""
        return abs(self.z) >= Z_FLAG

    def as_json(self) -> dict[str, int | float | bool | None]:
        """The JSON form: current, prior, pct_change (null when prior is 0), z, flagged."""
        return {
            "current": self.current,
            "prior": self.prior,
            "pct_change": self.pct_change,
            "z": self.z,
            "flagged": self.flagged,
        }


def half_up(value: float, places: int) -> float:
    """``value`` to ``places`` decimals, halves away from zero (33.35 → 33.4, as printed)."""
    exponent = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def format_pct(pct: float | None) -> str:
    """Percent change as the NYPD prints it: one decimal, ``***.*`` when there is no prior."""
    return "***.*" if pct is None else f"{pct:.1f}"
