"""Render, check and time announcements without Qt or a sound card.

python -m devices.voice render A003 12 -o call.wav [--clip-dir DIR] [--template T] [--repeat N]
python -m devices.voice check [--clip-dir DIR]      # a hall's own recordings: all there, one format?
python -m devices.voice bench [--n 2000]            # figures: ms per announcement
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from devices.voice.backends import ClipVoice
from devices.voice.clips import render_announcement
from devices.voice.errors import VoiceError
from devices.voice.tokens import DEFAULT_TEMPLATE


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench(voice: ClipVoice, n: int) -> dict[str, float]:
    """Milliseconds per announcement: warm (a kept ClipVoice) and cold (render_announcement reads files)."""
    calls = [(f"{chr(65 + i % 26)}{i % 1000:03d}", str(1 + i % 40)) for i in range(n)]
    warm: list[float] = []
    for ticket, window in calls:
        t0 = time.perf_counter()
        voice.prepare(ticket, window)
        warm.append((time.perf_counter() - t0) * 1000)
    cold: list[float] = []
    for ticket, window in calls[: max(1, n // 10)]:
        tokens = voice.tokens(ticket, window)
        t0 = time.perf_counter()
        render_announcement(tokens, voice.clips.folder)
        cold.append((time.perf_counter() - t0) * 1000)
    return {
        "n": n,
        "prepare_p50_ms": round(statistics.median(warm), 3),
        "prepare_p99_ms": round(_percentile(warm, 0.99), 3),
        "render_announcement_cold_p50_ms": round(statistics.median(cold), 3),
        "render_announcement_cold_p99_ms": round(_percentile(cold, 0.99), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devices.voice", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clip-dir", default="", help="folder of clips (default: the shipped ones)")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE)
    parser.add_argument("--repeat", type=int, default=2)
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser("render", help="write one announcement as a WAV file")
    render.add_argument("ticket")
    render.add_argument("window")
    render.add_argument("-o", "--output", type=Path, required=True)
    sub.add_parser("check", help="check that every clip the template needs is there, in one format")
    bench_cmd = sub.add_parser("bench", help="time announcements")
    bench_cmd.add_argument("--n", type=int, default=2000)
    args = parser.parse_args(argv)
    try:
        voice = ClipVoice(args.clip_dir or None, args.template, args.repeat)
        if args.command == "render":
            announcement = voice.prepare(args.ticket, args.window)
            args.output.write_bytes(announcement.wav)
            print(f"{args.output}: {announcement.duration_s:.2f} s, {' '.join(announcement.tokens)}")
        elif args.command == "check":
            voice.check()
            print(f"{voice.clips.folder}: 所有片段齐全且格式一致")
        else:
            for key, value in bench(voice, args.n).items():
                print(f"{key}: {value}")
    except VoiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
