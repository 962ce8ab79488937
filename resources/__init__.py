"""Data shipped with hallclient: catalogue, fonts, document templates, platform contract.

Only data lives here; this module just says where it is, so that code can find it whether the
project runs from a checkout or from an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """Absolute path of a shipped resource, e.g. ``path("fonts", "wqy-microhei.ttc")``."""
    return RESOURCES_DIR.joinpath(*parts)
