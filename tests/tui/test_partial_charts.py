"""Charts of partial results say so in their header."""

from __future__ import annotations

from tui.results import results_header


def test_the_header_of_partial_results_says_how_much_is_solved() -> None:
    partial = {"frequencies_hz": [1000.0, 4000.0], "partial": {"solved": 2, "of": 40}}
    assert "PARTIAL: 2 of 40 frequencies solved" in results_header([("horn", partial)]).plain


def test_the_header_of_complete_results_does_not_say_partial() -> None:
    assert "PARTIAL" not in results_header([("horn", {"frequencies_hz": [1000.0, 4000.0]})]).plain
