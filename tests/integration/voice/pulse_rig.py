"""A throwaway PulseAudio server with a null sink, a recorder on its monitor, and loudness measurements.

What works here as root (checked on Debian 12, PulseAudio 16.1): a per-user daemon, not ``--system``, with
HOME and XDG_RUNTIME_DIR pointed at a temporary folder (its cookie, runtime and state files go there), no
default script (``-n``) and exactly two modules: a native-protocol socket in that folder with anonymous
access, and ``module-null-sink``. PulseAudio warns that it "is not intended to be run as root" and that
D-Bus is absent; both are harmless. Clients find it through ``PULSE_SERVER=unix:<folder>/native``.

The null sink keeps 2 s of latency when idle, so a stream that starts right after another one is heard
up to ~2 s later: announcements are separated by silence in the recording, never overlapped.
"""

from __future__ import annotations

import array
import io
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

from tests.emulators.waiting import wait_until

SINK = "hc_null"
RATE = 22050  # the clips' rate: recorded as is, no resampling on our side
WINDOW_S = 0.01
LOUD = 0.01  # RMS (of full scale) of a 10 ms window that counts as sound; the null sink's silence is 0
GAP_S = 0.3  # quiet longer than this separates two announcements (tokens are ~60 ms apart)


class PulseUnavailable(RuntimeError):
    pass


@dataclass
class PulseServer:
    folder: Path
    process: subprocess.Popen[bytes]

    @property
    def env(self) -> dict[str, str]:
        return pulse_env(self.folder)

    def pactl(self, *args: str) -> str:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, check=True, timeout=10
        ).stdout

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def pulse_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "DBUS_"))}
    env.update(
        HOME=str(folder),
        XDG_RUNTIME_DIR=str(folder),
        XDG_CONFIG_HOME=str(folder / "config"),
        PULSE_SERVER=f"unix:{folder / 'native'}",
    )
    return env


def start_pulse(folder: Path) -> PulseServer:
    """Start the daemon in ``folder`` and wait (bounded) until it answers; PulseUnavailable says why not."""
    for tool in ("pulseaudio", "pactl", "parecord"):
        if shutil.which(tool) is None:
            raise PulseUnavailable(
                f"{tool} not found: scripts/setup installs pulseaudio and pulseaudio-utils"
            )
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "pulseaudio.log").open("wb")
    process = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--use-pid-file=no",
            "-n",
            "--log-target=stderr",
            "-L",
            f"module-native-protocol-unix socket={folder / 'native'} auth-anonymous=1",
            "-L",
            f"module-null-sink sink_name={SINK}",
        ],
        env=pulse_env(folder),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    server = PulseServer(folder, process)

    def answers() -> bool:
        if process.poll() is not None:
            return True
        return (
            subprocess.run(["pactl", "info"], env=server.env, capture_output=True, timeout=5).returncode == 0
        )

    try:
        wait_until(answers, timeout=15, interval=0.05, what="pulseaudio to answer")
    except TimeoutError:
        server.stop()
        raise PulseUnavailable(
            f"pulseaudio did not answer within 15 s; log: {folder / 'pulseaudio.log'}"
        ) from None
    if process.poll() is not None:
        raise PulseUnavailable(
            f"pulseaudio exited with {process.returncode}: "
            + (folder / "pulseaudio.log").read_text(errors="replace")[-2000:]
        )
    return server


class Recording:
    """``parecord`` on the null sink's monitor, mono 16-bit at RATE, into a WAV file.

    ``--latency-msec=20``: without it parecord writes in 2 s chunks, and waiting for the start and the
    tail of a recording would cost 2 s each.
    """

    def __init__(self, server: PulseServer, path: Path) -> None:
        self.path = path
        path.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                "parecord",
                f"--device={SINK}.monitor",
                f"--rate={RATE}",
                "--channels=1",
                "--format=s16le",
                "--file-format=wav",
                "--latency-msec=20",
                str(path),
            ],
            env=server.env,
            stdin=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Recording has begun once sample data (not only the header) reaches the file: the monitor of a
        # null sink that has just started delivers nothing for its first ~1.8 s (its 2 s of latency).
        wait_until(lambda: self._size() > 4096, timeout=10, what="parecord to start writing")

    def _size(self) -> int:
        if self.process.poll() is not None:
            raise RuntimeError(f"parecord exited: {self.process.stderr.read().decode(errors='replace')}")  # type: ignore[union-attr]
        return self.path.stat().st_size if self.path.exists() else 0

    def stop(self, tail_s: float = 0.5) -> bytes:
        """Let ``tail_s`` more seconds arrive (what was still in flight), then stop and return the WAV."""
        target = self._size() + int(tail_s * RATE * 2)
        wait_until(lambda: self._size() >= target, timeout=10, what="the recording's tail")
        self.process.send_signal(signal.SIGINT)  # parecord closes the file properly (header with the length)
        self.process.wait(timeout=10)
        return self.path.read_bytes()


def play(calls: list[str], env: dict[str, str], *args: str, timeout: float = 90) -> dict[str, object]:
    """Run tests/integration/voice/play_announcement.py in its own process; its JSON report."""
    root = Path(__file__).resolve().parents[3]
    cmd = [sys.executable, "-m", "tests.integration.voice.play_announcement", *args]
    for call in calls:
        cmd += ["--call", call]
    env = {**env, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    done = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"player exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    report["stderr"] = done.stderr
    return report


# -- measurements ------------------------------------------------------------------------------------


def window_rms(wav: bytes) -> tuple[list[float], int]:
    """RMS (fraction of full scale) of each 10 ms window of a mono 16-bit WAV; and its rate."""
    with wave.open(io.BytesIO(wav), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2), w.getparams()
        rate = w.getframerate()
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    n = int(rate * WINDOW_S)
    return [
        math.sqrt(sum(v * v for v in samples[i : i + n]) / n) / 32768
        for i in range(0, len(samples) - n + 1, n)
    ], rate


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    rms: float  # over the segment

    @property
    def length_s(self) -> float:
        return self.end_s - self.start_s


def segments(wav: bytes) -> list[Segment]:
    """Stretches of sound separated by more than GAP_S of quiet."""
    rms, _ = window_rms(wav)
    loud = [i for i, v in enumerate(rms) if v > LOUD]
    out: list[Segment] = []
    if not loud:
        return out
    gap = int(GAP_S / WINDOW_S)
    first = prev = loud[0]
    for i in [*loud[1:], None]:
        if i is None or i - prev > gap:
            part = rms[first : prev + 1]
            out.append(
                Segment(
                    first * WINDOW_S, (prev + 1) * WINDOW_S, math.sqrt(sum(v * v for v in part) / len(part))
                )
            )
            if i is not None:
                first = i
        if i is not None:
            prev = i
    return out


def loud_time(wav: bytes) -> float:
    """Seconds of sound: 10 ms windows above LOUD. Two announcements that overlap have less than the sum."""
    rms, _ = window_rms(wav)
    return sum(v > LOUD for v in rms) * WINDOW_S


def span(wav: bytes) -> Segment:
    """From the first to the last sound, however many pauses lie between."""
    parts = segments(wav)
    assert parts, "no sound at all"
    rms, _ = window_rms(wav)
    start, end = int(parts[0].start_s / WINDOW_S), int(parts[-1].end_s / WINDOW_S)
    body = rms[start:end]
    return Segment(parts[0].start_s, parts[-1].end_s, math.sqrt(sum(v * v for v in body) / len(body)))
