from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

PdfTool = Callable[..., str]


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed; it reads the rendered PDF back")
    return path


@pytest.fixture
def pdf_file(tmp_path: Path) -> Callable[[bytes], Path]:
    counter = iter(range(1_000))

    def write(pdf: bytes) -> Path:
        path = tmp_path / f"doc{next(counter)}.pdf"
        path.write_bytes(pdf)
        return path

    return write


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=30).stdout


@pytest.fixture
def pdftotext() -> Callable[..., str]:
    """Text of a PDF (or of pages first..last), by poppler, as a reader's viewer sees it."""
    tool = _require("pdftotext")

    def extract(
        path: Path,
        *,
        layout: bool = False,
        raw: bool = False,
        first: int | None = None,
        last: int | None = None,
    ) -> str:
        args = [tool]
        if layout:
            args.append("-layout")
        if raw:
            args.append("-raw")
        if first is not None:
            args += ["-f", str(first)]
        if last is not None:
            args += ["-l", str(last)]
        return _run(*args, str(path), "-")

    return extract


@pytest.fixture
def pdffonts() -> Callable[[Path], list[dict[str, str]]]:
    tool = _require("pdffonts")

    def fonts(path: Path) -> list[dict[str, str]]:
        lines = _run(tool, str(path)).splitlines()[2:]  # two header lines
        result = []
        for line in lines:
            # The type column may contain a blank ("CID TrueType"): read the fixed columns from the right.
            tokens = line.split()
            result.append({"name": tokens[0], "emb": tokens[-5], "sub": tokens[-4]})
        return result

    return fonts


@pytest.fixture
def page_count() -> Callable[[Path], int]:
    tool = _require("pdfinfo")

    def count(path: Path) -> int:
        for line in _run(tool, str(path)).splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
        raise AssertionError("pdfinfo printed no page count")

    return count
