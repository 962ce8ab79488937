"""Build and drive tests/emulators/vendor_stub.c: a fake termb or sdtapi library with the vendors' entry points.

A real vendor library cannot exist on this machine (32-bit Windows DLLs, licensed), so the tests compile a
stub with gcc into a temporary directory and load it through the driver's real ctypes binding; the test
holds a second handle to the same shared object (dlopen shares it) to put cards on the "reader".
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

from devices.idcard.model import IdCard
from devices.idcard.text import PHOTO_SIZE, encode_text

SOURCE = Path(__file__).with_name("vendor_stub.c")
FIELDS = {
    "name": 0,
    "sex": 1,
    "nation": 2,
    "nation_code": 3,
    "birth": 4,
    "address": 5,
    "idcode": 6,
    "department": 7,
    "start": 8,
    "end": 9,
    "cert_type": 10,
}
LIBRARY_NAMES = {"termb": "libtermb.so", "sdtapi": "libsdtapi.so"}


def gcc() -> str | None:
    return shutil.which("gcc")


def build(kind: str, directory: Path) -> Path:
    """Compile the stub as ``kind`` ("termb" or "sdtapi") into ``directory``; the library's path."""
    target = directory / LIBRARY_NAMES[kind]
    compiler = gcc()
    if compiler is None:
        raise RuntimeError("gcc is needed to build the vendor library stub (scripts/setup installs it)")
    subprocess.run(
        [
            compiler,
            "-shared",
            "-fPIC",
            "-O1",
            "-Wall",
            "-Werror",
            f"-D{kind.upper()}",
            "-o",
            str(target),
            str(SOURCE),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


class VendorStub:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lib = ctypes.CDLL(str(path))
        self.lib.stub_reset()

    def place_termb(
        self, card: IdCard, *, photo: bytes | None = None, cert_type: str = "", nation_code: bool = True
    ) -> None:
        """Put a resident card on the reader as termb reports it: GBK texts, dates as YYYYMMDD."""
        self.lib.stub_clear()
        values = {
            "name": card.name,
            "sex": card.sex,
            "nation": card.nation or "",
            "nation_code": card.nation_code if nation_code else "",
            "birth": card.birth.strftime("%Y%m%d") if card.birth else "",
            "address": card.address,
            "idcode": card.id_number,
            "department": card.authority,
            "start": card.valid_from.strftime("%Y%m%d") if card.valid_from else "",
            "end": "长期"
            if card.valid_long_term
            else (card.valid_to.strftime("%Y%m%d") if card.valid_to else ""),
            "cert_type": cert_type,
        }
        for name, value in values.items():
            self.lib.stub_set(FIELDS[name], value.encode("gbk"))
        if photo is not None:
            self.lib.stub_set_photo(photo, len(photo))
        self.lib.stub_place()

    def place_block(self, card: IdCard, wlt: bytes = bytes(PHOTO_SIZE)) -> None:
        """Put a card on the reader as sdtapi reports it: the raw 256-byte text block and the WLT photo."""
        self.lib.stub_set_block(encode_text(card), wlt)
        self.lib.stub_place()

    def lift(self) -> None:
        self.lib.stub_lift()

    def unplug(self, unplugged: bool = True) -> None:
        self.lib.stub_unplug(int(unplugged))

    @property
    def last_active(self) -> int:
        return int(self.lib.stub_last_active())

    @property
    def fingerprint_calls(self) -> int:
        return int(self.lib.stub_fingerprint_calls())

    @property
    def open_calls(self) -> int:
        return int(self.lib.stub_open_calls())
