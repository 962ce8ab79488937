"""``hallclient bench sync`` runs end to end and reports what the issue asks for (figures are not judged here)."""

from __future__ import annotations

import json

import pytest

from hallclient.cli import main

KEYS = ("records", "seconds", "records_per_s", "duplicates_on_platform", "missing_on_platform", "peak_rss_mb")


@pytest.mark.timeout(120)
def test_bench_sync_with_faults_prints_the_figures_as_json(capsys):
    code = main(["bench", "sync", "--records", "600", "--faults", "error=0.2,drop=0.1,seed=4", "--json"])

    figures = json.loads(capsys.readouterr().out)
    assert code == 0
    assert all(k in figures for k in KEYS)
    assert figures["records"] == 600
    assert (
        figures["missing_on_platform"],
        figures["duplicates_on_platform"],
        figures["out_of_order_keys"],
    ) == (0, 0, 0)
    assert figures["failed_rounds"] > 0  # the faults were really there
