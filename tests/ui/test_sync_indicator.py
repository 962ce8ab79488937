"""The status bar's sync indicator: clock skew warning, parked and exported records, the hall lease."""

from __future__ import annotations

from hallclient.sync.worker import SyncStatus
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.wiring import Wiring


def test_a_clock_off_by_more_than_two_minutes_is_shown_and_cleared(
    wiring: Wiring, window: ClerkWindow
) -> None:
    window.on_sync_status(SyncStatus(True, None, 0, None, "", 95.0))
    assert window.clock_label.isHidden()

    window.on_sync_status(SyncStatus(True, None, 0, None, "", -250.4))
    assert not window.clock_label.isHidden()
    assert window.clock_label.text() == "本机时间与平台相差 250 秒，请校准时钟"

    window.on_sync_status(SyncStatus(True, None, 0, None, "", 3.0))
    assert window.clock_label.isHidden()


def test_parked_and_exported_records_are_counted_next_to_the_pending_ones(
    wiring: Wiring, window: ClerkWindow
) -> None:
    status = SyncStatus(True, None, 0, None, "", 0.0, rejected=2, exported=5)
    window.on_sync_status(status)
    assert window.pending_label.text() == "待上报：0 条，被拒待更正 2 条，已导出待他机上报 5 条"


def test_a_window_without_the_hall_lease_says_another_window_reports(
    wiring: Wiring, window: ClerkWindow
) -> None:
    window.on_sync_status(SyncStatus(True, None, 4, wiring.clock.now(), "", 0.0, lease_held=False))
    assert window.pending_label.text().endswith("（由其他窗口上报）")
