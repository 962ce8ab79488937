"""A pcscd of our own for the PC/SC tests, with the vpcd virtual readers (ENVIRONMENT.md "Smart cards").

``Pcscd.start()`` runs ``pcscd --foreground`` (logs to a file) and returns once pyscard lists the reader
``Virtual PCD 00 00``; ``stop()`` terminates that one process by its PID.

pcscd's socket path is compiled in (``/run/pcscd/pcscd.comm``) and vpcd listens on TCP 35963/35964, so
normally there is one pcscd per host, and two test runs at once (CI and a developer, two developers on one
machine) take each other's readers. When it can (root, and ``unshare`` allowed), ``Pcscd`` therefore runs
its daemon **isolated**: in a private mount namespace where a directory of its own is bind-mounted over
``/run/pcscd``, with a reader.conf directory of its own (``pcscd -c``) whose vpcd listens on a free port
pair. Clients find that socket through ``PCSCLITE_CSOCK_NAME`` (read by libpcsclite on its first call), the
emulator connects to :attr:`Pcscd.port`. Nothing on the host is touched, and nothing left over can collide.

Without isolation (``HALLCLIENT_PCSCD_SHARED=1``, or ``unshare`` refused) it runs host-wide on the default
socket and ports, and ``start()`` first looks for a leftover: a process listening on a vpcd port, or a live
PID in ``/run/pcscd/pcscd.pid``. A leftover would answer our emulator instead of the pcscd we start, so the
run would hang; it is reported by PID and command line and never killed (it is not ours).

The child gets ``PR_SET_PDEATHSIG``: if the test process dies without its teardown (SIGKILL, a crash), the
kernel sends pcscd SIGTERM, so a killed test run does not leave a pcscd behind.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

READER = "Virtual PCD 00 00"
VPCD_PORTS = (35963, 35964)
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
RUN_DIR = Path("/run/pcscd")
DEFAULT_SOCKET = RUN_DIR / "pcscd.comm"
SOCKET_VARIABLE = "PCSCLITE_CSOCK_NAME"
SHARED_VARIABLE = "HALLCLIENT_PCSCD_SHARED"
_PR_SET_PDEATHSIG = 1
# In the private mount namespace: our directory over /run/pcscd, then pcscd itself (same PID: exec).
_ISOLATED = 'mkdir -p /run/pcscd && mount --bind "$1" /run/pcscd && exec pcscd --foreground --info -c "$2"'


class PcscdError(RuntimeError):
    pass


def missing_parts() -> list[str]:
    """What this machine lacks to run the PC/SC tests (empty when all is there)."""
    missing = []
    if shutil.which("pcscd") is None:
        missing.append("pcscd (apt install pcscd)")
    if not VPCD_DRIVER.exists() or not VPCD_CONF.exists():
        missing.append("the vpcd reader driver (apt install vsmartcard-vpcd)")
    return missing


def port_holders(ports: tuple[int, ...] = VPCD_PORTS) -> list[str]:
    """``"PID (command line) on port N"`` for every process listening on one of ``ports`` (Linux /proc)."""
    inodes: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            port = int(parts[1].rsplit(":", 1)[1], 16)
            if parts[3] == "0A" and port in ports:  # 0A: LISTEN
                inodes[parts[9]] = port
    holders = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fds = list((proc / "fd").iterdir())
        except OSError:
            continue  # gone, or not ours to look at
        for fd in fds:
            try:
                link = os.readlink(fd)
            except OSError:
                continue  # closed meanwhile (the listing's own descriptor, for one)
            if link.startswith("socket:[") and link[8:-1] in inodes:
                holders.append(f"PID {proc.name} ({_cmdline(proc)}) on port {inodes[link[8:-1]]}")
    if inodes and not holders:
        holders.append(f"an unknown process on port(s) {sorted(set(inodes.values()))}")
    return holders


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def running_pcscd() -> str | None:
    """The live pcscd named by ``/run/pcscd/pcscd.pid``, if any."""
    try:
        pid = int((RUN_DIR / "pcscd.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    proc = Path(f"/proc/{pid}")
    try:
        state = next(
            (line for line in (proc / "status").read_text().splitlines() if line.startswith("State:")), ""
        )
    except OSError:
        return None  # a stale pid file: pcscd cleans it up itself when it starts
    if "zombie" in state:
        return None
    return f"PID {pid} ({_cmdline(proc)})"


def can_isolate() -> bool:
    """Root, ``unshare``, and the kernel lets us make a mount namespace (not in every container)."""
    if os.environ.get(SHARED_VARIABLE) == "1" or os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def free_port_pair() -> int:
    """A port P with P and P+1 free (vpcd listens on CHANNELID + slot, for its two slots)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("", 0))
            port = first.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("", port + 1))
                except OSError:
                    continue
            return int(port)
    raise PcscdError("no free pair of TCP ports for vpcd")


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class Pcscd:
    """``isolated``: None decides by :func:`can_isolate`. :attr:`socket` and :attr:`port` are where clients
    and the card emulator find this daemon; :meth:`use` points this process's PC/SC clients at it."""

    def __init__(self, workdir: Path, *, isolated: bool | None = None) -> None:
        self.workdir = workdir
        self.log_path = workdir / "pcscd.log"
        self.isolated = can_isolate() if isolated is None else isolated
        self.port = free_port_pair() if self.isolated else VPCD_PORTS[0]
        self.socket = workdir / "run" / "pcscd.comm" if self.isolated else DEFAULT_SOCKET
        self.ports = (self.port, self.port + 1)  # vpcd's two slots
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def use(self) -> None:
        """Make this process's PC/SC clients (and its children) talk to this daemon. libpcsclite reads the
        variable once, on its first call: call this before anything in the process uses PC/SC."""
        os.environ[SOCKET_VARIABLE] = str(self.socket)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def start(self, timeout: float = 15.0) -> None:
        if self.running:
            return
        if self.isolated:
            command = self._isolated_command()
        else:
            self._check_no_leftover()
            # --foreground: no daemon, logs to stdout; --info: reader and card events, no APDUs.
            command = ["pcscd", "--foreground", "--info"]
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        try:
            self._wait_for_reader(timeout)
        except BaseException:
            self.stop()
            raise

    def _isolated_command(self) -> list[str]:
        run, conf = self.workdir / "run", self.workdir / "reader.conf.d"
        run.mkdir(parents=True, exist_ok=True)
        conf.mkdir(parents=True, exist_ok=True)
        for stale in ("pcscd.comm", "pcscd.pid"):  # a pcscd of ours killed hard: nobody else uses this dir
            (run / stale).unlink(missing_ok=True)
        (conf / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:0x{self.port:X}\n'
            f"LIBPATH      {VPCD_DRIVER}\nCHANNELID    0x{self.port:X}\n"
        )
        return [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            _ISOLATED,
            "pcscd",
            str(run),
            str(conf),
        ]

    def _check_no_leftover(self) -> None:
        leftovers = port_holders(self.ports)
        other = running_pcscd()
        if other is not None and not any(other.split(" (")[0] in h for h in leftovers):
            leftovers.append(f"{other} named by {RUN_DIR / 'pcscd.pid'}")
        if leftovers:
            raise PcscdError(
                "another pcscd (or vpcd listener) is running, so ours could not own the virtual readers: "
                + "; ".join(leftovers)
                + ". It is probably left over from an earlier run: stop it (kill <PID>) and run the tests again."
            )

    def _wait_for_reader(self, timeout: float) -> None:
        from smartcard.System import readers

        self.use()
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise PcscdError(
                    f"pcscd exited with status {self._process.returncode} while starting:\n{self.log()}"
                    + _root_hint()
                )
            try:
                names = [str(r) for r in readers()]
                if READER in names:
                    return
                last = f"readers: {names}"
            except Exception as exc:  # the service is not up yet: "Service not available"
                last = f"{type(exc).__name__}: {exc}"
            if time.monotonic() >= deadline:
                raise PcscdError(
                    f"pcscd did not list {READER!r} within {timeout:g} s ({last}):\n{self.log()}"
                )
            # pcscd has no readiness signal we can wait on: ask again shortly, bounded by the deadline.
            time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # pcscd removes /run/pcscd/* on SIGTERM
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)


def _root_hint() -> str:
    if os.geteuid() != 0:
        return f"\n(pcscd needs to create {RUN_DIR}: run the PC/SC tests as root, as scripts/test does in CI)"
    return ""
