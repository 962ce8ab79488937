"""ID-card input: the card model, the reader port, the SAM frame codec and the drivers.

Importing this package stays cheap: drivers (and pyserial) are imported only by :mod:`devices.registry`
when one is created, or explicitly by their module.
"""

from __future__ import annotations

from devices.idcard.base import CardReader
from devices.idcard.model import CardType, IdCard, mask_id_number

__all__ = ["CardReader", "CardType", "IdCard", "mask_id_number"]
