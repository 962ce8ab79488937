"""ID-card tools for hall IT and support: ``idcard decode|check|listen`` and ``bench idcard``.

Personal data stays masked unless asked for: ``decode`` masks the ID number (4+4) and the address (first 6
characters) unless ``--reveal``; ``listen`` always masks. Nothing here writes a card's data or photo to disk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import string
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hallclient.cli.base import EXIT_FAIL, EXIT_OK, EXIT_USAGE, CliError, effective_config

if TYPE_CHECKING:
    from devices.idcard.model import IdCard

ADDRESS_SHOWN = 6  # characters of an address shown when masked: province / city / district


def register(sub: Any, bench: Any) -> None:
    idc = sub.add_parser("idcard", help="ID card tools for hall IT")
    isub = idc.add_subparsers(dest="action", required=True)

    dec = isub.add_parser(
        "decode", help="decode a captured reader response (hex text or raw binary); exit 2 for a bad frame"
    )
    dec.add_argument(
        "file", type=Path, help="the captured 30 01 response: hex text (spaces/newlines allowed) or raw bytes"
    )
    dec.add_argument("--json", action="store_true", help="one JSON object")
    dec.add_argument("--reveal", action="store_true", help="show the ID number and address in full")
    dec.set_defaults(handler=cmd_idcard_decode)

    chk = isub.add_parser("check", help="check ID numbers; exit 0 only if all are valid")
    chk.add_argument("numbers", nargs="+")
    chk.set_defaults(handler=cmd_idcard_check)

    lis = isub.add_parser("listen", help="read cards until interrupted (Ctrl+C) and print each, masked")
    lis.add_argument("--driver", help="reader driver key (default: devices.card_reader of the configuration)")
    lis.add_argument("--port", help="serial port, PC/SC reader name, or vendor port number")
    lis.add_argument("--library", help="vendor-sdk only: the termb / sdtapi library (path or name)")
    lis.add_argument("--count", type=int, default=0, help="stop after this many cards (default: never)")
    lis.set_defaults(handler=cmd_idcard_listen)

    b = bench.add_parser("idcard", help="ID frame decode time and card → filled form time (DESIGN.md §9)")
    b.add_argument("--frames", type=int, default=10_000)
    b.add_argument(
        "--rounds", type=int, default=200, help="card reads through the device lane (Qt, offscreen)"
    )
    b.add_argument("--json", action="store_true")
    b.set_defaults(handler=cmd_bench_idcard)


# -- check ------------------------------------------------------------------------------------------------


def cmd_idcard_check(args: argparse.Namespace) -> int:
    from hallclient.domain.idnumber import IdNumberError, mask_id, parse_id_number

    ok = True
    for text in args.numbers:
        try:
            number = parse_id_number(text)
            print(f"{number.masked()}  有效  出生 {number.birth_date}  性别 {number.sex}")
        except IdNumberError as exc:
            ok = False
            print(f"{mask_id(text)}  无效  {exc.message}")
    return EXIT_OK if ok else EXIT_FAIL


# -- decode -----------------------------------------------------------------------------------------------

_HEX_NOISE = str.maketrans("", "", string.whitespace + ",:")


def capture_bytes(raw: bytes) -> bytes:
    """A capture as hex text (whitespace, ``,``/``:`` separators and ``0x`` prefixes allowed) or raw bytes."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return raw
    digits = text.replace("0x", "").replace("0X", "").translate(_HEX_NOISE)
    if digits and len(digits) % 2 == 0 and all(c in string.hexdigits for c in digits):
        return bytes.fromhex(digits)
    return raw


def decode_capture(data: bytes) -> IdCard:
    """The card in a captured ``30 01`` response; ``DeviceError`` (FrameError, status errors) if it is bad.

    Bytes before the preamble (wrappers, a report id) are skipped as the driver skips them."""
    from devices.errors import FrameError
    from devices.idcard.frames import FrameReader, parse_response
    from devices.idcard.text import decode_read_response

    frames = FrameReader().feed(data)
    if not frames:
        if data.find(b"\xaa\xaa\xaa\x96\x69") < 0:
            raise FrameError(detail=f"no frame preamble AA AA AA 96 69 in {len(data)} bytes")
        raise FrameError(detail=f"truncated frame: {len(data)} bytes, the length field asks for more")
    return decode_read_response(parse_response(frames[0]))


def mask_address(address: str) -> str:
    if len(address) <= ADDRESS_SHOWN:
        return address
    return address[:ADDRESS_SHOWN] + "*" * (len(address) - ADDRESS_SHOWN)


def card_fields(card: IdCard, *, reveal: bool) -> dict[str, Any]:
    """The JSON form: the issue's keys, plus the I / J card fields where they apply."""
    from devices.idcard.model import CardType, mask_id_number

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    hide = (lambda s: s) if reveal else mask_id_number
    out: dict[str, Any] = {
        "card_type": card.card_type.value,
        "name": card.name,
        "sex": card.sex,
        "nation": card.nation,
        "birth": day(card.birth),
        "address": card.address if reveal else mask_address(card.address),
        "id_number": hide(card.id_number),
        "authority": card.authority,
        "valid_from": day(card.valid_from),
        "valid_to": "长期" if card.valid_long_term else day(card.valid_to),
    }
    if card.card_type is CardType.FOREIGN_PERMANENT:
        out |= {
            "english_name": card.english_name,
            "nationality": card.nationality,
            "card_version": card.card_version,
            "authority_code": card.authority_code,
        }
    if card.card_type is CardType.HK_MO_TW:
        out |= {"pass_number": hide(card.pass_number), "issue_count": card.issue_count}
    if card.card_type is CardType.UNKNOWN:
        out["raw_text"] = card.raw_text.rstrip(" \x00") if reveal else None
    if card.photo_wlt is not None:
        out["photo"] = f"WLT {len(card.photo_wlt)} bytes, not decoded"
    return out


_LABELS = {
    "card_type": "证件类型",
    "name": "姓名",
    "english_name": "英文姓名",
    "sex": "性别",
    "nation": "民族",
    "nationality": "国籍/地区",
    "birth": "出生日期",
    "address": "住址",
    "id_number": "证件号码",
    "authority": "签发机关",
    "authority_code": "受理机关代码",
    "valid_from": "有效期起",
    "valid_to": "有效期至",
    "pass_number": "通行证号码",
    "issue_count": "签发次数",
    "card_version": "证件版本",
    "raw_text": "原始文本",
    "photo": "照片",
}
_TYPE_NAMES = {
    "resident": "居民身份证",
    "foreign_permanent": "外国人永久居留身份证",
    "hk_mo_tw": "港澳台居民居住证",
    "social_security": "社会保障卡",
    "unknown": "未知类型证件（字段未解析，请核对原始文本）",
}


def cmd_idcard_decode(args: argparse.Namespace) -> int:
    from devices.errors import DeviceError

    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise CliError(f"无法读取文件 {args.file}：{exc.strerror or exc}", EXIT_USAGE) from exc
    try:
        card = decode_capture(capture_bytes(raw))
    except DeviceError as exc:
        detail = f"（{exc.detail}）" if exc.detail else ""
        print(f"hallclient: 无法解码 {args.file.name}：{exc.message}{detail}", file=sys.stderr)
        return EXIT_USAGE
    fields = card_fields(card, reveal=args.reveal)
    if args.json:
        print(json.dumps(fields, ensure_ascii=False))
        return EXIT_OK
    for key, value in fields.items():
        if key == "card_type":
            value = _TYPE_NAMES.get(value, value)
        if key == "raw_text" and value is None:
            value = "（已隐藏，加 --reveal 查看）"
        print(f"{_LABELS.get(key, key)}：{'—' if value in (None, '') else value}")
    return EXIT_OK


# -- listen -------------------------------------------------------------------------------------------------


def cmd_idcard_listen(args: argparse.Namespace) -> int:
    import devices
    from devices.errors import DeviceError, DeviceNotConnected, DeviceUnavailable
    from hallclient.bench.idcard import check

    cfg = effective_config(args).devices
    driver = args.driver or cfg.card_reader
    options: dict[str, Any] = {}
    port = args.port if args.port is not None else cfg.card_reader_port
    if port:
        options["port"] = port
    if args.library and driver != "vendor-sdk":
        raise CliError("--library 只用于 vendor-sdk 驱动", EXIT_USAGE)
    library = args.library or (cfg.card_reader_library if driver == "vendor-sdk" else "")
    if library:
        options["library"] = library
    reader = devices.create_card_reader(driver, **options)  # a DeviceError here: exit 1 with its message
    print(f"正在监听：{reader.describe()}；放置证件读卡，Ctrl+C 结束", flush=True)
    seen = 0
    last_error = ""
    try:
        try:
            reader.open()
        except DeviceUnavailable:
            raise
        except DeviceError as exc:
            print(f"{_now()}  {exc.message}", flush=True)  # keeps trying: the reader may be plugged in later
        while not args.count or seen < args.count:
            try:
                card = reader.read_card(1.0)
            except DeviceUnavailable:
                raise
            except DeviceError as exc:
                if exc.message != last_error:
                    print(f"{_now()}  {exc.message}", flush=True)
                    last_error = exc.message
                if isinstance(exc, DeviceNotConnected):
                    _pause(1.0)  # a missing reader answers at once: do not spin
                continue
            last_error = ""
            if card is None:
                continue
            seen += 1
            print(_card_line(card, check(card, dt.date.today())), flush=True)
    finally:
        reader.close()
    return EXIT_OK


def _card_line(card: IdCard, checked: Any) -> str:
    from devices.idcard.model import mask_id_number

    kind = _TYPE_NAMES.get(card.card_type.value, card.card_type.value)
    valid = "长期" if card.valid_long_term else (card.valid_to.isoformat() if card.valid_to else "—")
    parts = [_now(), kind, card.name or card.english_name or "—", mask_id_number(card.id_number) or "—"]
    parts.append(f"有效期至 {valid}")
    if checked.error:
        parts.append(f"⚠ {checked.error}")
    parts.extend(f"⚠ {w}" for w in checked.warnings)
    return "  ".join(parts)


def _now() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


def _pause(seconds: float) -> None:
    import time

    time.sleep(seconds)


# -- bench ----------------------------------------------------------------------------------------------------


def cmd_bench_idcard(args: argparse.Namespace) -> int:
    from hallclient.bench.idcard import FILL_BUDGET_MS, bench_decode_and_check

    result = bench_decode_and_check(args.frames)
    if args.rounds > 0:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from hallclient.ui.idcard_bench import bench_signal_path

        result |= bench_signal_path(args.rounds)
        result["fill_within_budget"] = result["beyond_device_ms"]["p99"] <= FILL_BUDGET_MS
    result["within_budget"] = all(v for k, v in result.items() if k.endswith("within_budget"))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    return EXIT_OK if result["within_budget"] else EXIT_FAIL
