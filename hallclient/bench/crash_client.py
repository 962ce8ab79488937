"""A window client to be killed: accepts cases through the real services and syncs, until SIGKILL.

One run::

    python -m hallclient.bench.crash_client STORE_URL PLATFORM_URL N

builds the real wiring on STORE_URL, signs the clerk in, then N times: accepts a case, takes its
review (same ordering key as the case), logs a first inquiry, and runs one sync round against
PLATFORM_URL; at the end it drains. It prints ``ready PID`` once it is working, ``step PID K``
after each committed step (case, review, inquiry, sync round) and ``done PID`` at the end (stdout,
one line each), so that a killer can aim at a random point of the work whatever the machine's speed.

``--fork-server`` starts a zygote instead: it imports everything once and, for each line
``run STORE_URL PLATFORM_URL N`` on stdin, forks a child that does one run (its lines as above),
prints ``pid PID`` and, when the child ended (or was killed), ``exit PID RC``. Forking a process
that has already imported SQLAlchemy, reportlab and requests takes milliseconds instead of the
0.7 s of a fresh interpreter, so a crash loop of hundreds of runs fits in a test tier. The zygote
holds no connection and runs no thread when it forks; each child opens its own store and HTTP
session, exactly like a fresh process.
"""

from __future__ import annotations

import datetime as dt
import os
import select
import signal
import socket
import sys
import uuid
from collections.abc import Sequence

from hallclient import wiring as wiring_mod
from hallclient.config import Config
from hallclient.domain.cases import MaterialCheck, MaterialStatus
from hallclient.domain.inquiries import InquiryAction, InquiryChannel, InquiryClassification
from hallclient.domain.queue import business_date
from hallclient.services.applicants import manual_applicant
from hallclient.services.auth import LoginError
from hallclient.services.inquiries import InquiryDraft

STAFF_NO = "9001"
PASSWORD = "Crash@2026pass"
WINDOW_NO = "1"
TOKEN = "crash-window-1"
ID_NUMBER = "11010519491231002X"  # the GB 11643 example number, not a person


def say(line: str) -> None:
    """One line to stdout in one write(2): a process killed mid-line leaves nothing half-written
    (print() writes the text and the newline separately, and SIGKILL can fall in between)."""
    os.write(sys.stdout.fileno(), (line + "\n").encode())


def client_config(store_url: str, platform_url: str) -> Config:
    return Config().with_overrides(
        {
            "store.url": store_url,
            "platform.url": platform_url,
            "platform.token": TOKEN,
            "window.number": WINDOW_NO,
        }
    )


def prepare_store(store_url: str, platform_url: str) -> None:
    """Create the schema and the clerk once, before any run can be killed."""
    w = wiring_mod.build(client_config(store_url, platform_url))
    try:
        with w.uow() as uow:
            known = uow.staff.clerk_by_staff_no(STAFF_NO) is not None
        if not known:
            w.auth.add_clerk(STAFF_NO, "压测窗口", PASSWORD)
    finally:
        w.close()


def one_run(store_url: str, platform_url: str, iterations: int) -> int:
    pid = os.getpid()
    w = wiring_mod.build(client_config(store_url, platform_url))
    try:
        try:
            session = w.auth.login(STAFF_NO, PASSWORD, WINDOW_NO, socket.gethostname(), take_over=True)
        except LoginError:
            w.auth.add_clerk(STAFF_NO, "压测窗口", PASSWORD)
            session = w.auth.login(STAFF_NO, PASSWORD, WINDOW_NO, socket.gethostname(), take_over=True)
        # Short back-off: a killed run's records must become due again within the loop.
        engine = w.sync_engine(base_delay=0.05, max_delay=0.5)
        item = next(i for i in w.catalogue.items if i.materials)
        checks = [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
        say(f"ready {pid}")
        step = 0

        def stepped() -> None:
            nonlocal step
            step += 1
            say(f"step {pid} {step}")

        for _ in range(iterations):
            started = w.clock.now()
            today = business_date(started, w.hall.timezone)
            applicant = manual_applicant("测试申请人", ID_NUMBER, "", today)
            outcome = w.cases.submit(session, item, applicant, checks)
            stepped()
            w.reviews.submit(
                session,
                str(uuid.uuid4()),
                5,
                [],
                "",
                started - dt.timedelta(seconds=1),
                case_no=outcome.case_no,
            )
            stepped()
            w.inquiries.record(
                session,
                InquiryDraft(
                    InquiryChannel.WINDOW,
                    "材料咨询",
                    InquiryClassification.OWN_DUTY,
                    InquiryAction.ANSWERED,
                    answer="已告知",
                ),
            )
            stepped()
            engine.run_once()
            stepped()
        engine.drain(max_rounds=20)
        engine.close()
        say(f"done {pid}")
        return 0
    finally:
        w.close()


def fork_server() -> int:
    """One child at a time: fork, report its pid, kill it when told, report how it ended.

    The zygote itself sends SIGKILL (``kill PID`` on stdin): it reaps its child only after the
    child ended, so the pid it kills is still that child's and never a recycled one.
    """
    from printing.fonts import register_fonts

    register_fonts()  # once here (0.1-0.2 s), not in every child
    commands = _Commands()
    while (line := commands.next()) is not None:
        words = line.split()
        if not words or words[0] == "quit":
            break
        if words[0] == "kill":
            continue  # for a child that had already ended: nothing to do
        if words[0] != "run" or len(words) != 4:
            say(f"error bad command {line!r}")
            continue
        _, store_url, platform_url, n = words
        pid = os.fork()
        if pid == 0:  # the child: one run, then leave without running the zygote's clean-up
            code = 1
            try:
                code = one_run(store_url, platform_url, int(n))
            finally:
                os._exit(code)
        say(f"pid {pid}")
        ended = os.pidfd_open(pid)
        try:
            while True:
                readable, _, _ = select.select([ended, commands.fd], [], [])
                if ended in readable:
                    break
                command = commands.next()
                if command is None:
                    os.kill(pid, signal.SIGKILL)  # the driver went away: so does the client
                elif command == f"kill {pid}":
                    os.kill(pid, signal.SIGKILL)
        finally:
            os.close(ended)
        _, status = os.waitpid(pid, 0)
        say(f"exit {pid} {os.waitstatus_to_exitcode(status)}")
    return 0


class _Commands:
    """Lines from stdin read straight from the descriptor (select and a buffered reader do not mix)."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno()
        self._buffer = b""

    def next(self) -> str | None:
        while b"\n" not in self._buffer:
            chunk = os.read(self.fd, 4096)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode().strip()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--fork-server"]:
        return fork_server()
    if len(args) != 3:
        print("usage: crash_client STORE_URL PLATFORM_URL N | --fork-server", file=sys.stderr)
        return 2
    return one_run(args[0], args[1], int(args[2]))


if __name__ == "__main__":
    raise SystemExit(main())
