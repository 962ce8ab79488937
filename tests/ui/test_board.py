"""The hall display over a real SQLite store: calls made at clerk windows (through the services) appear
within the polling interval, flash, the last N are kept, counts follow, no name or ID number is shown,
and each call is announced exactly once (a recall again)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from hallclient.config import BoardSection, VoiceSection
from hallclient.domain.queue import Ticket
from hallclient.services.auth import ClerkSession
from hallclient.services.hall_display import HallDisplay
from hallclient.ui.board import BoardStation, open_board
from hallclient.ui.voice import start_voice_lane
from hallclient.wiring import Wiring
from tests.fakes.audio import FakePlayer
from tests.ui.helpers import CLERK_NAME, PASSWORD, dispose
from tests.ui.test_screenshots import shoot

POLL = 0.05  # seconds: the SQLite store is polled; the board must follow within a poll or two


class FakeAnnouncer:
    """Records what the board asked the voice to say, in order."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str, str]] = []

    def announce(self, ticket: str, window: str) -> None:
        self.said.append(("announce", ticket, window))

    def recall(self, ticket: str, window: str) -> None:
        self.said.append(("recall", ticket, window))


@pytest.fixture
def announcer() -> FakeAnnouncer:
    return FakeAnnouncer()


@pytest.fixture
def make_board(qtbot: QtBot, wiring: Wiring) -> Iterator[Callable[..., BoardStation]]:
    stations: list[BoardStation] = []

    def make(cfg: BoardSection | None = None, **options: object) -> BoardStation:
        st = open_board(
            HallDisplay(wiring.uow, wiring.clock, wiring.hall.timezone),
            wiring.queue_events(poll_interval=POLL),
            wiring.hall.name,
            wiring.hall.timezone,
            cfg or BoardSection(last_n=3, flash_seconds=0.8),
            **options,  # type: ignore[arg-type]
        )
        stations.append(st)
        st.window.resize(1600, 900)
        st.window.show()
        qtbot.waitUntil(lambda: st.window.snapshot is not None, timeout=5000)
        return st

    yield make
    for st in stations:
        st.shutdown()
    QApplication.processEvents()
    dispose(*(st.window for st in stations))


@pytest.fixture
def board(make_board: Callable[..., BoardStation], announcer: FakeAnnouncer) -> BoardStation:
    return make_board(announcer=announcer)


def clerk_at(wiring: Wiring, window_no: str) -> ClerkSession:
    staff_no = f"30{int(window_no):02d}"
    wiring.auth.add_clerk(staff_no, f"窗口{window_no}工作人员", PASSWORD)
    return wiring.auth.login(staff_no, PASSWORD, window_no, f"pc-{window_no}")


def call(wiring: Wiring, session: ClerkSession) -> Ticket:
    ticket = wiring.queue.call_next(session)
    assert ticket is not None
    return ticket


def recent(st: BoardStation) -> list[str]:
    return [row.text() for row in st.window.recent_rows if row.text()]


def test_a_call_made_at_a_window_shows_within_a_polling_interval(
    qtbot: QtBot, wiring: Wiring, session: ClerkSession, board: BoardStation
) -> None:
    wiring.queue.issue_ticket("general")
    call(wiring, session)
    w = board.window
    qtbot.waitUntil(lambda: w.cells["1"].number.text() == "A001", timeout=1000)
    assert w.banner.text() == "请 A001 号到 1 号窗口"
    assert recent(board) == ["A001　→　1 号窗口"]
    assert [c.number.text() for c in w.cells.values()] == ["A001", "—", "—", "—"]


def test_a_new_call_flashes_for_the_configured_time(
    qtbot: QtBot, wiring: Wiring, session: ClerkSession, board: BoardStation
) -> None:
    w = board.window
    assert not w.flashing and not w.flash_on
    wiring.queue.issue_ticket("general")
    call(wiring, session)
    qtbot.waitUntil(lambda: "1" in w.flashing and w.cells["1"].property("flash") == "on", timeout=2000)
    assert w.banner.property("flash") == "on"
    qtbot.waitUntil(lambda: w.flash_toggles >= 3, timeout=2000)  # on, off, on: it blinks
    qtbot.waitUntil(lambda: not w.flashing, timeout=3000)  # and stops after flash_seconds
    assert w.cells["1"].property("flash") == "off" and w.banner.property("flash") == "off"


def test_the_last_n_calls_newest_first(
    qtbot: QtBot, wiring: Wiring, session: ClerkSession, board: BoardStation
) -> None:
    for _ in range(5):
        wiring.queue.issue_ticket("general")
    for _ in range(4):
        t = call(wiring, session)
        wiring.queue.finish(session, t.id)
    call(wiring, session)
    qtbot.waitUntil(lambda: board.window.cells["1"].number.text() == "A005", timeout=2000)
    assert recent(board) == ["A005　→　1 号窗口", "A004　→　1 号窗口", "A003　→　1 号窗口"]
    assert len(board.window.recent_rows) == 3


def test_a_finished_window_shows_no_number(
    qtbot: QtBot, wiring: Wiring, session: ClerkSession, board: BoardStation
) -> None:
    wiring.queue.issue_ticket("general")
    t = call(wiring, session)
    qtbot.waitUntil(lambda: board.window.cells["1"].number.text() == "A001", timeout=2000)
    wiring.queue.finish(session, t.id)
    qtbot.waitUntil(lambda: board.window.cells["1"].number.text() == "—", timeout=2000)
    assert recent(board) == ["A001　→　1 号窗口"]  # still listed for whoever looked away


def test_waiting_counts_per_business_follow_the_queue(
    qtbot: QtBot, wiring: Wiring, board: BoardStation
) -> None:
    wiring.queue.issue_ticket("social")
    wiring.queue.issue_ticket("social")
    qtbot.waitUntil(lambda: board.window.waiting_labels["social"].text() == "B 社保医保　2 人", timeout=2000)


def test_each_call_is_announced_once_and_a_recall_again(
    qtbot: QtBot, wiring: Wiring, session: ClerkSession, board: BoardStation, announcer: FakeAnnouncer
) -> None:
    window3 = clerk_at(wiring, "3")
    for _ in range(3):
        wiring.queue.issue_ticket("general")
    call(wiring, session)
    t2 = call(wiring, window3)
    qtbot.waitUntil(lambda: len(announcer.said) == 2, timeout=2000)
    wiring.queue.issue_ticket("realty")  # more changes, more snapshots: nothing said again
    qtbot.waitUntil(lambda: board.window.waiting_labels["realty"].text().endswith("1 人"), timeout=2000)
    wiring.queue.recall(window3, t2.id)
    qtbot.waitUntil(lambda: len(announcer.said) == 3, timeout=2000)
    assert announcer.said == [("announce", "A001", "1"), ("announce", "A002", "3"), ("recall", "A002", "3")]


def test_calls_made_before_the_board_started_are_shown_but_not_announced(
    qtbot: QtBot, wiring: Wiring, session: ClerkSession, make_board: Callable[..., BoardStation]
) -> None:
    wiring.queue.issue_ticket("general")
    call(wiring, session)
    announcer = FakeAnnouncer()
    st = make_board(announcer=announcer)
    assert st.window.cells["1"].number.text() == "A001"
    assert st.window.banner.text() == "请 A001 号到 1 号窗口"
    assert announcer.said == [] and not st.window.flashing


def test_the_real_announcer_speaks_a_call(
    qtbot: QtBot, wiring: Wiring, session: ClerkSession, make_board: Callable[..., BoardStation]
) -> None:
    players: list[FakePlayer] = []

    def player() -> FakePlayer:
        players.append(FakePlayer(auto_finish=True))
        return players[-1]

    voice = start_voice_lane(VoiceSection(), player_factory=player)
    assert voice is not None
    make_board(voice=voice)  # the station's shutdown stops the voice lane too
    wiring.queue.issue_ticket("general")
    call(wiring, session)
    qtbot.waitUntil(lambda: bool(players) and [a.ticket for a in players[0].played] == ["A001"], timeout=3000)
    assert players[0].played[0].window == "1"


def test_no_names_and_no_id_numbers_on_the_board(
    qtbot: QtBot, wiring: Wiring, session: ClerkSession, board: BoardStation
) -> None:
    wiring.queue.issue_ticket("general")
    call(wiring, session)
    qtbot.waitUntil(lambda: board.window.cells["1"].number.text() == "A001", timeout=2000)
    texts = board.window.texts()
    assert not any(CLERK_NAME in t for t in texts)
    assert not any(re.search(r"\d{6,}", t) for t in texts)


def test_screenshot_of_the_board(
    qtbot: QtBot,
    tmp_path: Path,
    wiring: Wiring,
    session: ClerkSession,
    make_board: Callable[..., BoardStation],
) -> None:
    st = make_board(BoardSection(last_n=4, flash_seconds=30))
    window3 = clerk_at(wiring, "3")
    for code in ("general",) * 6 + ("social", "realty", "realty"):
        wiring.queue.issue_ticket(code)
    for _ in range(3):
        t = call(wiring, session)
        wiring.queue.finish(session, t.id)
    call(wiring, session)
    b = call(wiring, window3)
    w = st.window
    qtbot.waitUntil(lambda: w.cells["3"].number.text() == b.number and "3" in w.flashing, timeout=3000)
    qtbot.waitUntil(lambda: w.flash_on, timeout=2000)
    path = shoot(w, tmp_path, "board")
    assert path.stat().st_size > 10_000
