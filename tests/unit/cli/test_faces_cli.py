"""``hallclient kiosk`` and ``hallclient board`` are commands; their settings are checked when read."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallclient.cli.base import build_parser
from hallclient.cli.faces import cmd_board, cmd_kiosk
from hallclient.config import ConfigError, load_config


def test_kiosk_and_board_are_commands() -> None:
    args = build_parser().parse_args(["kiosk", "--windowed"])
    assert args.handler is cmd_kiosk and args.windowed
    args = build_parser().parse_args(["board", "--no-voice"])
    assert args.handler is cmd_board and args.no_voice and not args.windowed


def test_kiosk_and_board_settings_from_a_file_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[kiosk]\nbusinesses = ["social", "general"]\nqr_template = "https://q.example.gov.cn/{ticket}"\n'
        '[board]\nlast_n = 6\nwindows = ["1", "2"]\n'
        '[devices]\nticket_printer = "escpos"\nticket_printer_port = "tcp:192.168.1.50"\n',
        encoding="utf-8",
    )
    cfg = load_config(path, env={"HALLCLIENT_BOARD_FLASH_SECONDS": "8", "HALLCLIENT_KIOSK_FOOTER": "甲、乙"})
    assert cfg.kiosk.businesses == ("social", "general")
    assert cfg.kiosk.footer == ("甲", "乙")
    assert (cfg.board.last_n, cfg.board.flash_seconds, cfg.board.windows) == (6, 8.0, ("1", "2"))
    assert (cfg.devices.ticket_printer, cfg.devices.ticket_printer_port) == ("escpos", "tcp:192.168.1.50")
    assert cfg.devices.ticket_printer_paper_mm == 80


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[board]\nlast_n = 0\n", "[board] last_n"),
        ("[board]\nflash_seconds = 99\n", "[board] flash_seconds"),
        ("[kiosk]\nresult_seconds = 1\n", "[kiosk] result_seconds"),
        ('[kiosk]\nqr_template = "https://q/{name}"\n', "{ticket} 和 {date}"),
    ],
)
def test_bad_kiosk_and_board_values_are_refused_with_the_key_named(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert words in caught.value.message
