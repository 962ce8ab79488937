"""``hallclient idcard decode|check|listen`` as hall IT runs them (no reader, no Qt)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from devices.idcard.frames import build_response
from devices.idcard.model import CardType, IdCard
from devices.idcard.sample_cards import FOREIGN_PERMANENT, HK_RESIDENT, RESIDENT_MALE
from devices.idcard.text import encode_read_data
from hallclient.cli import main
from hallclient.cli.base import build_parser
from tests.emulators.vectors import FIXTURE_CARD, fixture_read_response

KEYS = [
    "card_type",
    "name",
    "sex",
    "nation",
    "birth",
    "address",
    "id_number",
    "authority",
    "valid_from",
    "valid_to",
]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    empty = tmp_path / "empty.toml"  # defaults only, never the user's file
    empty.write_text("", encoding="utf-8")
    return empty


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="ascii")
    else:
        path.write_bytes(data)
    return path


def hex_lines(data: bytes, per_line: int = 16) -> str:
    return "\n".join(data[i : i + per_line].hex(" ").upper() for i in range(0, len(data), per_line)) + "\n"


# -- decode ---------------------------------------------------------------------------------------------------


def test_decode_hex_text_prints_the_fields_with_number_and_address_masked(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "capture.txt", hex_lines(fixture_read_response()))
    assert main(["idcard", "decode", str(path)]) == 0
    out = capsys.readouterr().out
    assert "姓名：张三" in out and "证件类型：居民身份证" in out and "有效期至：2040-01-01" in out
    assert "证件号码：1101**********002X" in out
    assert "住址：北京市西城区*****" in out
    assert "11010519491231002X" not in out and "某某路" not in out


def test_decode_raw_binary_with_reveal_shows_everything(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "capture.bin", fixture_read_response())
    assert main(["idcard", "decode", str(path), "--reveal"]) == 0
    out = capsys.readouterr().out
    assert "证件号码：11010519491231002X" in out and "住址：北京市西城区某某路1号" in out


def test_decode_json_has_the_documented_keys(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "capture.bin", fixture_read_response())
    assert main(["idcard", "decode", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data)[: len(KEYS)] == KEYS
    assert data == {
        "card_type": "resident",
        "name": "张三",
        "sex": "男",
        "nation": "汉",
        "birth": "1949-12-31",
        "address": "北京市西城区*****",
        "id_number": "1101**********002X",
        "authority": "北京市公安局西城分局",
        "valid_from": "2020-01-01",
        "valid_to": "2040-01-01",
        "photo": "WLT 1024 bytes, not decoded",
    }


@pytest.mark.parametrize(
    ("card", "extra"),
    [
        (
            FOREIGN_PERMANENT,
            {
                "english_name": "SMITH JOHN",
                "nationality": "USA",
                "card_version": "17",
                "authority_code": "1100",
            },
        ),
        (HK_RESIDENT, {"pass_number": "H000*0001", "issue_count": "01"}),
    ],
    ids=["I", "J"],
)
def test_decode_json_adds_the_i_and_j_fields(
    tmp_path: Path, capsys, card: IdCard, extra: dict[str, str]
) -> None:
    path = write(tmp_path, "capture.bin", build_response(0x90, encode_read_data(card)))
    assert main(["idcard", "decode", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["card_type"] == card.card_type.value and data["name"] == card.name
    assert {k: data[k] for k in extra} == extra
    assert data["id_number"] != card.id_number


def test_decode_long_term_and_unknown_cards(tmp_path: Path, capsys) -> None:
    long_term = dataclasses.replace(RESIDENT_MALE, valid_to=None, valid_long_term=True)
    path = write(tmp_path, "a.bin", build_response(0x90, encode_read_data(long_term)))
    assert main(["idcard", "decode", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid_to"] == "长期"
    unknown = IdCard(card_type=CardType.UNKNOWN, raw_text="新版证件 440524188001010014")
    path = write(tmp_path, "b.bin", build_response(0x90, encode_read_data(unknown)))
    assert main(["idcard", "decode", str(path)]) == 0
    out = capsys.readouterr().out
    assert "未知类型证件" in out and "440524188001010014" not in out and "--reveal" in out


def test_wrapper_bytes_around_the_frame_are_skipped(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "usb.bin", b"\x00\x02" + fixture_read_response() + b"\r\n")
    assert main(["idcard", "decode", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == FIXTURE_CARD.name


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (fixture_read_response()[:-1] + b"\x00", "bad checksum"),
        (fixture_read_response()[:700], "truncated"),
        (b"hello, not a frame", "no frame preamble"),
        (bytes.fromhex("AAAAAA9669000400008084"), "未检测到身份证"),
        (bytes.fromhex("AAAAAA9669000400004145"), "读取证件失败"),
    ],
    ids=["checksum", "truncated", "garbage", "no-card", "status-41"],
)
def test_a_bad_frame_is_one_line_with_the_reason_and_exit_2(
    tmp_path: Path, capsys, data: bytes, reason: str
) -> None:
    path = write(tmp_path, "bad.bin", data)
    assert main(["idcard", "decode", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and reason in lines[0] and "bad.bin" in lines[0]


def test_a_missing_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["idcard", "decode", str(tmp_path / "nope.bin")]) == 2
    assert "无法读取文件" in capsys.readouterr().err


# -- check ------------------------------------------------------------------------------------------------------


def test_check_exits_0_only_if_all_are_valid(capsys) -> None:
    assert main(["idcard", "check", "11010519491231002X", "440524188001010014"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "1101**********002X  有效  出生 1949-12-31  性别 女",
        "4405**********0014  有效  出生 1880-01-01  性别 男",
    ]
    assert main(["idcard", "check", "11010519491231002X", "110105194912310021"]) == 1
    assert "无效  身份证号码校验位不正确" in capsys.readouterr().out


def test_check_lives_in_the_idcard_module_only() -> None:
    parser = build_parser()
    args = parser.parse_args(["idcard", "check", "1"])
    assert args.handler.__module__ == "hallclient.cli.idcard"
    assert parser.parse_args(["bench", "idcard", "--json"]).handler.__module__ == "hallclient.cli.idcard"


# -- listen -----------------------------------------------------------------------------------------------------


def test_listen_prints_each_card_masked(config: Path, capsys) -> None:
    assert main(["--config", str(config), "idcard", "listen", "--driver", "simulated", "--count", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "模拟读卡器" in lines[0]
    assert len(lines) == 4
    assert "韩梅梅  1101**********002X  有效期至 长期" in lines[1]
    assert "港澳台居民居住证  陈大文  8100**********0018" in lines[3] and "过期" in lines[3]
    assert not any(n in "\n".join(lines) for n in ("11010519491231002X", "440524188001010014"))


def test_listen_with_an_unknown_driver_names_the_known_ones(config: Path, capsys) -> None:
    assert main(["--config", str(config), "idcard", "listen", "--driver", "nope"]) == 1
    err = capsys.readouterr().err
    assert "未知的身份证读卡器驱动“nope”" in err and "pcsc" in err and "vendor-sdk" in err


def test_listen_without_a_vendor_library_says_so(config: Path, tmp_path: Path, capsys) -> None:
    code = main(
        [
            "--config",
            str(config),
            "idcard",
            "listen",
            "--driver",
            "vendor-sdk",
            "--library",
            str(tmp_path / "x.so"),
        ]
    )
    assert code == 1
    assert "未找到身份证阅读器厂商驱动（termb.dll/sdtapi.dll）" in capsys.readouterr().err


def test_listen_refuses_a_library_for_another_driver(config: Path, capsys) -> None:
    assert main(["--config", str(config), "idcard", "listen", "--driver", "pcsc", "--library", "x"]) == 2
    assert "vendor-sdk" in capsys.readouterr().err
