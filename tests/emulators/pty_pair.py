"""A pty pair from ``socat``: the driver opens one end, an emulator the other (ENVIRONMENT.md "Serial")."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

READY_LINE = "starting data transfer loop"


class SocatPair:
    """``start()`` runs ``socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`` and returns once socat
    reports its transfer loop (the links exist by then); ``stop()`` terminates it (socat removes the links).
    Both are idempotent and safe from any thread, so an emulator can "unplug" the reader mid-test.
    """

    def __init__(
        self, directory: Path, *, reader_name: str = "reader", emulator_name: str = "emulator"
    ) -> None:
        self.reader_end = directory / reader_name
        self.emulator_end = directory / emulator_name
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._stderr: list[str] = []

    @staticmethod
    def available() -> bool:
        return shutil.which("socat") is not None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def log(self) -> str:
        return "".join(self._stderr)

    def start(self, timeout: float = 10.0) -> None:
        with self._lock:
            if self.running:
                return
            for link in (self.reader_end, self.emulator_end):
                link.unlink(missing_ok=True)  # a stale link from a killed socat
            ready = threading.Event()
            self._stderr = []
            process = subprocess.Popen(
                [
                    "socat",
                    "-d",
                    "-d",
                    f"pty,raw,echo=0,link={self.reader_end}",
                    f"pty,raw,echo=0,link={self.emulator_end}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )

            def drain() -> None:
                # Keep reading so socat never blocks on a full stderr pipe; flag readiness on the way.
                assert process.stderr is not None
                for line in process.stderr:
                    self._stderr.append(line)
                    if READY_LINE in line:
                        ready.set()
                ready.set()  # EOF: socat exited; start() reports it below

            threading.Thread(target=drain, name="socat-stderr", daemon=True).start()
            self._process = process
            if not ready.wait(timeout) or process.poll() is not None:
                self._stop_locked()
                raise RuntimeError(f"socat did not start within {timeout:g} s:\n{self.log}")
            if not (self.reader_end.exists() and self.emulator_end.exists()):
                self._stop_locked()
                raise RuntimeError(f"socat started but the pty links are missing:\n{self.log}")

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._stop_locked(timeout)

    def _stop_locked(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        for link in (self.reader_end, self.emulator_end):
            link.unlink(missing_ok=True)
