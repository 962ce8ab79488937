"""Fixtures for the PC/SC tests: our own pcscd with the vpcd readers, and a virtual card to insert.

Imported by ``conftest.py`` (so the shared contract test can build a ``pcsc`` rig). The pcscd runs once per
test session, isolated from any other pcscd on the host when the machine allows it (tests/emulators/pcscd.py);
each test gets a card emulator that is removed (and seen removed by pcscd) in teardown, before pcscd is ever
stopped. ``HALLCLIENT_SKIP_PCSCD=1`` skips these tests knowingly; without it a machine lacking
pcscd or vsmartcard-vpcd FAILS the tests (scripts/setup installs both), so a broken CI is never silent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from devices.idcard.model import IdCard
from devices.idcard.sample_cards import SOCIAL_SECURITY_CARDS
from tests.contracts.card_reader import ReaderRig
from tests.emulators.pcscd import READER, Pcscd, PcscdError, missing_parts
from tests.emulators.vpcd_card import SocialSecurityChip, VpcdCardEmulator

SKIP_VARIABLE = "HALLCLIENT_SKIP_PCSCD"


class ReaderWatch:
    """Waits, with PC/SC's own blocking call, until pcscd sees the reader empty or holding a card."""

    def __init__(self) -> None:
        from smartcard import scard

        self._scard = scard
        self._context = self._establish()

    def _establish(self) -> object:
        scard = self._scard
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise PcscdError(f"no PC/SC context: {scard.SCardGetErrorMessage(hresult)}")
        return context

    def state(self) -> int:
        scard = self._scard
        hresult, states = scard.SCardGetStatusChange(self._context, 0, [(READER, scard.SCARD_STATE_UNAWARE)])
        if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
            # pcscd was restarted (a test does that): this context belongs to the old one.
            scard.SCardReleaseContext(self._context)
            self._context = self._establish()
            hresult, states = scard.SCardGetStatusChange(
                self._context, 0, [(READER, scard.SCARD_STATE_UNAWARE)]
            )
        return int(states[0][1])

    def events(self) -> int:
        """The reader's card-event counter (pcsc-lite counts every insertion and every removal)."""
        return self.state() >> 16

    def wait(self, *, present: bool, after: int | None = None, timeout: float = 5.0) -> None:
        """Until the reader is (not) ``present`` and, with ``after``, its counter has moved past ``after``.

        The counter matters: pcscd marks a reader empty as soon as a transmission fails, before its poll
        thread has seen the card go; a card put back in between is then never an event at all.
        """
        scard = self._scard
        state = self.state()
        while bool(state & scard.SCARD_STATE_PRESENT) != present or (
            after is not None and state >> 16 <= after
        ):
            hresult, states = scard.SCardGetStatusChange(
                self._context, int(timeout * 1000), [(READER, state & ~scard.SCARD_STATE_CHANGED)]
            )
            if hresult != scard.SCARD_S_SUCCESS:
                raise TimeoutError(f"pcscd did not see the card {'inserted' if present else 'removed'}")
            state = int(states[0][1])

    def close(self) -> None:
        self._scard.SCardReleaseContext(self._context)


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{SKIP_VARIABLE}=1: PC/SC tests skipped on request")
    missing = missing_parts()
    if missing:
        pytest.fail(
            f"cannot run the PC/SC tests: missing {', '.join(missing)} (scripts/setup installs them), "
            f"or set {SKIP_VARIABLE}=1 to skip them knowingly",
            pytrace=False,
        )
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd"))
    try:
        daemon.start()
    except PcscdError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def reader_watch(pcscd: Pcscd) -> Iterator[ReaderWatch]:
    watch = ReaderWatch()
    yield watch
    watch.close()


@pytest.fixture
def vpcd_card(pcscd: Pcscd, reader_watch: ReaderWatch) -> Iterator[VpcdCardEmulator]:
    """The card emulator for reader ``Virtual PCD 00 00``; no card inserted yet."""
    emulator = VpcdCardEmulator(port=pcscd.port)
    yield emulator
    events = reader_watch.events()
    emulator.remove()  # disconnect before pcscd ever stops, and leave the reader empty for the next test
    reader_watch.wait(present=False, after=events if emulator.card is not None else None)
    assert emulator.forbidden == [], "a driver sent a PIN or selected EF07/EF08"
    assert emulator.errors == []


def pcsc_rig(request: pytest.FixtureRequest) -> ReaderRig:
    import devices

    emulator: VpcdCardEmulator = request.getfixturevalue("vpcd_card")
    watch: ReaderWatch = request.getfixturevalue("reader_watch")

    def present(card: IdCard) -> None:
        emulator.insert(SocialSecurityChip(card))

    def lift() -> None:
        events = watch.events()
        emulator.remove()
        watch.wait(present=False, after=events)  # out only once the reader noticed (pcscd polls ~0.4 s)

    return ReaderRig(
        make_reader=lambda: devices.create_card_reader("pcsc", port="Virtual PCD 00 00"),
        present=present,
        lift=lift,
        cards=SOCIAL_SECURITY_CARDS,
    )
