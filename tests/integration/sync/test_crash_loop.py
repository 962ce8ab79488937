"""The crash test: a window client accepting cases and syncing is killed with SIGKILL at random points,
again and again; in the end every case and record it created is on the platform exactly once, in
order per ordering key. More runs: ``hallclient bench sync-crash --runs N``.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from hallclient.bench.sync_crash import run_crash_loop

RUNS = 100  # the floor for this tier; about 40 s on 2 cores (forked clients)
SPAWNED = 3  # of which this many start a fresh interpreter, like a PC booting the client


@pytest.mark.timeout(240)
def test_a_client_killed_at_random_points_loses_nothing_and_duplicates_nothing(tmp_path):
    result = run_crash_loop(tmp_path, RUNS, spawned=SPAWNED, faults="drop=0.15,seed=11", seed=20261207)

    assert result.runs == RUNS and result.failed == 0
    assert result.killed >= RUNS // 2, "most runs must die mid-way, or the test proves little"
    assert result.local_cases, "the clients accepted no case"

    # every record created locally is on the platform exactly once, and nothing else is
    local_ids = [rid for rid, _, _ in result.local]
    arrived = Counter(rid for rid, _, _ in result.platform)
    assert [rid for rid in local_ids if arrived[rid] != 1] == []
    assert set(arrived) == set(local_ids)
    assert all(status == "sent" for _, _, status in result.local)

    # every case created locally: its case.accept record arrived once
    accepted = Counter(key for _, key, kind in result.platform if kind == "case.accept")
    assert {case_no: accepted[case_no] for case_no in result.local_cases} == dict.fromkeys(
        result.local_cases, 1
    )

    # per ordering key (a case: accept, then its review) in the order the client committed them
    created: dict[str, list[str]] = defaultdict(list)
    for rid, key, _ in result.local:
        created[key].append(rid)
    came: dict[str, list[str]] = defaultdict(list)
    for rid, key, _ in result.platform:
        came[key].append(rid)
    assert {k: v for k, v in created.items() if came[k] != v} == {}
    assert any(len(ids) > 1 for ids in created.values()), "no key with more than one record: order untested"
    assert result.duplicate_answers > 0, (
        "no push was repeated: the kills and drops never hit a push in flight"
    )
