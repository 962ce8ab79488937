"""Benchmark drivers behind ``hallclient bench …`` (DESIGN.md §9): they print figures, tests never time them."""
