"""The shipped clips are exactly what scripts/make-voice-clips generates (so they can be regenerated)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devices.voice import DEFAULT_CLIP_DIR

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng not installed: only the clip generator needs it"
)
def test_the_generator_reproduces_the_shipped_clips(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "make-voice-clips"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in DEFAULT_CLIP_DIR.iterdir())
    for name in made:
        assert (tmp_path / name).read_bytes() == (DEFAULT_CLIP_DIR / name).read_bytes(), name
