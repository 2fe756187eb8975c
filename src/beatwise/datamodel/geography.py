"""How area ids order: the one rule for listings, sheets and point-in-polygon ties."""

from __future__ import annotations


def area_order(area_id: str) -> tuple[int, int, str]:
    """Sort key of area ids: whole numbers first, by value ("7" before "10"), then other ids as
    text. Point-in-polygon ties go to the first area in this order; sheets list areas in it."""
    text = area_id.strip()
    return (0, int(text), text) if text.isdigit() else (1, 0, text)
