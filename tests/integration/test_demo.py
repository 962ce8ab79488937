"""``hallclient demo`` as a person runs it: a subprocess, offscreen, with its own platform and store."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devices.idcard.sample_cards import SAMPLE_CARDS

ROOT = Path(__file__).resolve().parents[2]
DEMO_TIMEOUT_S = 180
# The pattern of /work/shared/tools/selfcheck (a full 18-character resident ID number), unanchored.
FULL_ID = re.compile(r"[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]")
# The same, standing alone: a 21-digit case number (hall 6 + window 3 + date 8 + seq 4) holds an
# ID-shaped run, and printed documents carry case numbers by design.
STANDALONE_ID = re.compile(rf"(?<![0-9A-Za-z])(?:{FULL_ID.pattern})(?![0-9A-Za-z])")
MASKED_6_4 = re.compile(r"(?<![0-9])[0-9]{6}\*{4,}[0-9]{3}[0-9Xx](?![0-9A-Za-z])")
CARD_NUMBERS = tuple(card.id_number for card in SAMPLE_CARDS)
BINARY_SUFFIXES = {".png", ".pdf", ".db", ".db-wal", ".db-shm", ".db-journal", ".wav"}


@dataclass(frozen=True)
class DemoRun:
    out: Path
    home: Path
    proc: subprocess.CompletedProcess[str]

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.out / "summary.json").read_text(encoding="utf-8"))


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: install poppler-utils (scripts/setup does)", pytrace=False)
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    base = tmp_path_factory.mktemp("demo")
    out, home = base / "out", base / "home"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # Keep the user's config, data and logs out of it; and see what the demo writes there.
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    env = {k: v for k, v in env.items() if not k.startswith("HALLCLIENT_")}
    proc = subprocess.run(
        [sys.executable, "-m", "hallclient", "demo", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_S,
        check=False,
    )
    return DemoRun(out, home, proc)


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        [_poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def _pdfs(demo: DemoRun) -> list[Path]:
    return sorted((demo.out / "documents").glob("*.pdf"))


def test_the_demo_exits_0_and_its_summary_adds_up(demo: DemoRun) -> None:
    assert demo.proc.returncode == 0, f"demo failed:\n{demo.proc.stdout[-2000:]}\n{demo.proc.stderr[-4000:]}"
    s = demo.summary
    assert s["errors"] == []
    assert s["tickets_issued"] >= 3
    assert s["tickets_called"] >= 3
    assert s["cases_accepted"] >= 1
    assert s["notices_issued"] >= 1
    assert s["inquiries"] >= 1
    assert s["reviews"] >= 1
    assert s["bad_reviews"] >= 1
    assert s["outbox_created"] > 0
    assert s["outbox_synced"] == s["outbox_created"] == s["platform_records"]
    # 首问: a referred inquiry that window 2 answered; 好差评: the bad review opened its rectification.
    assert s["referrals"] >= 1
    assert s["referrals_answered"] == s["referrals"]
    assert s["rectifications_opened"] == s["bad_reviews"] >= 1
    assert sorted(s["pdfs"]) == [p.name for p in _pdfs(demo)]


def test_every_document_embeds_its_fonts(demo: DemoRun) -> None:
    pdfs = _pdfs(demo)
    assert pdfs, "the demo archived no documents"
    for pdf in pdfs:
        listing = subprocess.run(
            [_poppler("pdffonts"), str(pdf)], capture_output=True, text=True, check=True, timeout=60
        ).stdout.splitlines()[2:]
        assert listing, f"{pdf.name}: no fonts at all"
        # Columns from the right: emb sub uni object ID (the name and type may contain spaces).
        not_embedded = [line for line in listing if line.split()[-5] != "yes"]
        assert not_embedded == [], f"{pdf.name}: fonts not embedded: {not_embedded}"


def test_the_one_time_notice_shows_the_masked_id_and_never_the_full_number(demo: DemoRun) -> None:
    notices = [p for p in _pdfs(demo) if p.stem.endswith("one_time_notice")]
    assert notices, "no one-time notice among the documents"
    for notice in notices:
        text = _pdf_text(notice)
        assert "一次性告知书" in text
        assert MASKED_6_4.search(text), f"{notice.name}: no 6+4 masked ID number"
    for pdf in _pdfs(demo):
        text = _pdf_text(pdf)
        assert not STANDALONE_ID.search(text), f"{pdf.name} prints a full ID number"
        assert not [n for n in CARD_NUMBERS if n in text], f"{pdf.name} prints a card's ID number"


def _text_files(root: Path) -> list[Path]:
    return [
        p for p in root.rglob("*") if p.is_file() and not any(p.name.endswith(s) for s in BINARY_SUFFIXES)
    ]


def test_no_log_json_or_text_file_holds_a_full_id_number(demo: DemoRun) -> None:
    files = _text_files(demo.out) + (_text_files(demo.home) if demo.home.exists() else [])
    names = {p.name for p in files}
    assert "summary.json" in names and any(n.endswith(".log") for n in names), sorted(names)
    leaks = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if FULL_ID.search(text) or any(n in text for n in CARD_NUMBERS):
            leaks.append(str(path))
    for stream in (demo.proc.stdout, demo.proc.stderr):
        if FULL_ID.search(stream):
            leaks.append("the demo's console output")
    assert leaks == []


def test_the_demo_takes_at_least_ten_real_screenshots(demo: DemoRun) -> None:
    shots = [p for p in (demo.out / "screens").glob("*.png") if p.stat().st_size > 5 * 1024]
    assert len(shots) >= 10, sorted(p.name for p in (demo.out / "screens").glob("*.png"))
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in shots)
