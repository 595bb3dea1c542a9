"""The results screen and its charts, driven by keys in a real app, plus snapshots at 80×24 and 120×40."""

from __future__ import annotations

import copy
import math

import pytest
from rich.color import Color as RichColor
from textual.color import Color

from tests.tui.results_app import ResultsApp, fixture_charted, load_fixture
from tui.line_charts import BeamwidthChart, ImpedanceChart, OnAxisChart, TracePlot
from tui.plotting import format_frequency, frequency_ticks, nice_ticks
from tui.polar_map import BAND_COLORS, FLOOR_BAND, PolarMap, band_of, normalized_polar
from tui.results import TABS, ResultsScreen, results_header

# ---------------------------------------------------------------------------------------------------- snapshots


def test_snapshot_on_axis_at_80x24(snap_compare) -> None:
    assert snap_compare("results_app.py", terminal_size=(80, 24))


def test_snapshot_on_axis_at_120x40(snap_compare) -> None:
    assert snap_compare("results_app.py", terminal_size=(120, 40))


def test_snapshot_horizontal_polar_map_at_80x24(snap_compare) -> None:
    assert snap_compare("results_app.py", press=["4"], terminal_size=(80, 24))


def test_snapshot_vertical_polar_map_at_120x40(snap_compare) -> None:
    assert snap_compare("results_app.py", press=["5"], terminal_size=(120, 40))


def test_snapshot_overlay_on_axis_at_80x24(snap_compare) -> None:
    assert snap_compare(ResultsApp(overlay=True), terminal_size=(80, 24))


def test_snapshot_overlay_directivity_at_120x40(snap_compare) -> None:
    assert snap_compare(ResultsApp(overlay=True), press=["2"], terminal_size=(120, 40))


def test_snapshot_overlay_impedance_in_paper_theme_at_80x24(snap_compare) -> None:
    assert snap_compare(ResultsApp(overlay=True, theme="hornq-paper"), press=["3"], terminal_size=(80, 24))


# ---------------------------------------------------------------------------------------------------- keys


async def test_number_keys_switch_to_each_tab_in_order() -> None:
    app = ResultsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert screen.active_tab == "on-axis"
        for key, tab in reversed(list(zip("12345", TABS, strict=True))):
            await pilot.press(key)
            assert screen.active_tab == tab


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_escape_or_q_closes_the_results_screen(key: str) -> None:
    app = ResultsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4", key)
        assert not isinstance(app.screen, ResultsScreen)
        assert app.screen.query_one("#base")


async def test_n_and_p_cycle_both_polar_maps_through_overlaid_jobs() -> None:
    app = ResultsApp(overlay=True)
    async with app.run_test(size=(80, 24)) as pilot:
        maps = list(app.screen.query(PolarMap))
        await pilot.press("4", "n")
        assert [m.job_index for m in maps] == [1, 1]
        assert "horn-60x40" in maps[0].render_line(0).text
        await pilot.press("n")
        assert [m.job_index for m in maps] == [0, 0]
        await pilot.press("p")
        assert [m.job_index for m in maps] == [1, 1]


async def test_job_cycling_keys_do_nothing_off_the_polar_tabs_or_with_one_job() -> None:
    app = ResultsApp(overlay=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "n")
        assert all(m.job_index == 0 for m in app.screen.query(PolarMap))
    app = ResultsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4", "n")
        assert all(m.job_index == 0 for m in app.screen.query(PolarMap))


# ---------------------------------------------------------------------------------------------------- polar map


def cell_colors(polar_map: PolarMap, y: int) -> list[tuple[RichColor | None, RichColor | None]]:
    """(upper half, lower half) colours of every map cell on widget line ``y``."""
    region = polar_map.map_region
    strip = polar_map.render_line(y).crop(region.x, region.right)
    cells = []
    for segment in strip:
        assert segment.style is not None
        cells += [(segment.style.color, segment.style.bgcolor)] * len(segment.text)
    return cells


def band_color(band: int, polar_map: PolarMap) -> RichColor:
    if band == FLOOR_BAND:
        return Color.parse(polar_map.app.theme_variables["panel"]).rich_color
    return Color.parse(BAND_COLORS[band]).rich_color


async def test_polar_map_on_axis_row_is_in_the_0_db_band_at_every_frequency() -> None:
    app = ResultsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        polar_map = app.screen.query_one("#polar-map-h", PolarMap)
        region = polar_map.map_region
        assert region.width >= 60 and region.height >= 12
        bottom = cell_colors(polar_map, region.bottom - 1)
        assert len(bottom) == region.width
        assert {lower for _, lower in bottom} == {band_color(0, polar_map)}


async def test_polar_map_far_off_axis_at_high_frequency_is_below_the_scale() -> None:
    app = ResultsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        polar_map = app.screen.query_one("#polar-map-h", PolarMap)
        region = polar_map.map_region
        top_right_upper, _ = cell_colors(polar_map, region.y)[-1]
        assert top_right_upper == band_color(FLOOR_BAND, polar_map)
        low_left_upper, _ = cell_colors(polar_map, region.y)[0]
        assert low_left_upper != band_color(FLOOR_BAND, polar_map), "the wide low-frequency beam reaches 180°"


async def test_polar_map_bands_fall_monotonically_off_axis_at_the_top_frequency() -> None:
    """The beam of a horn only narrows off axis, so band numbers never decrease going up the last column."""
    app = ResultsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        polar_map = app.screen.query_one("#polar-map-h", PolarMap)
        region = polar_map.map_region
        lookup = {band_color(band, polar_map): band for band in range(FLOOR_BAND + 1)}
        column = []
        for y in range(region.bottom - 1, region.y - 1, -1):
            upper, lower = cell_colors(polar_map, y)[-1]
            column += [lookup[lower], lookup[upper]]
        assert column == sorted(column)
        assert column[0] == 0 and column[-1] == FLOOR_BAND


async def test_polar_map_resamples_to_its_new_size_on_resize() -> None:
    app = ResultsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        polar_map = app.screen.query_one("#polar-map-h", PolarMap)
        small = polar_map.levels_grid().shape
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        region = polar_map.map_region
        assert polar_map.levels_grid().shape == (region.height * 2, region.width)
        assert polar_map.levels_grid().shape[1] > small[1]


def test_polar_levels_are_relative_to_the_normalisation_angle() -> None:
    results = load_fixture()
    results["metadata"]["normalize_angle_deg"] = 10
    data = normalized_polar(results, "horizontal")
    assert data is not None
    ten = list(data.angles).index(10.0)
    assert all(abs(level) < 1e-9 for level in data.levels[:, ten])
    raw = results["polar"]["horizontal"]["spl_db"]
    assert list(data.levels[:, 0]) == pytest.approx([row[0] - row[ten] for row in raw])


def test_level_bands_are_3_db_wide_down_to_minus_30() -> None:
    assert [band_of(v) for v in (2.0, 0.0, -2.9, -3.0, -29.9, -30.0, -80.0, math.nan)] == [
        0,
        0,
        0,
        1,
        9,
        FLOOR_BAND,
        FLOOR_BAND,
        FLOOR_BAND,
    ]


# ---------------------------------------------------------------------------------------------------- missing data


async def test_missing_vertical_plane_shows_a_message_and_nothing_crashes() -> None:
    results = copy.deepcopy(load_fixture())
    del results["polar"]["vertical"]
    del results["beamwidth_6db_deg"]["vertical"]
    del results["throat_impedance"]
    del results["metadata"]
    app = ResultsApp([("horizontal-only", results)])
    async with app.run_test(size=(80, 24)) as pilot:
        for key in "12345":
            await pilot.press(key)
            await pilot.pause()
        vertical = app.screen.query_one("#polar-map-v", PolarMap)
        assert vertical.data is None
        lines = [vertical.render_line(y).text for y in range(vertical.size.height)]
        assert any("No vertical polar" in line for line in lines)
        beamwidth = app.screen.query_one(BeamwidthChart)
        assert [t.quantity for t in beamwidth.traces()] == ["hor"]
        assert app.screen.query_one(ImpedanceChart).traces() == []
        assert app.screen.query_one("#polar-map-h", PolarMap).data is not None


async def test_header_names_the_jobs_and_warns_about_a_coarse_mesh() -> None:
    header = results_header(fixture_charted(overlay=True)).plain.splitlines()
    assert header[0].startswith("horn-90x60") and "6.8 el/λ" in header[0] and "⚠" not in header[0]
    assert header[1].startswith("horn-60x40") and "⚠ 4.3 el/λ < 6" in header[1]
    assert results_header([("bare", {})]).plain == "bare"


# ---------------------------------------------------------------------------------------------------- line charts


async def test_overlay_gives_each_job_its_own_colour_and_legend_entry() -> None:
    app = ResultsApp(overlay=True)
    async with app.run_test(size=(80, 24)):
        chart = app.screen.query_one(OnAxisChart)
        plot = chart.query_one(TracePlot)
        assert [t.job_label for t in plot.traces] == ["horn-90x60", "horn-60x40"]
        assert len(set(plot.trace_colors)) == 2
        legend = chart.query_one(".chart-legend").render()
        assert "horn-90x60" in legend.plain and "horn-60x40" in legend.plain


async def test_set_results_redraws_the_chart_with_the_new_data() -> None:
    app = ResultsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        screen.set_results(fixture_charted(overlay=True)[1:])
        await pilot.pause()
        plot = screen.query_one(OnAxisChart).query_one(TracePlot)
        assert [t.job_label for t in plot.traces] == ["horn-60x40"]
        assert plot.traces[0].y == load_fixture("results_b.json")["on_axis_spl_db"]
        assert "horn-60x40" in screen.query_one("#results-header").render().plain


async def test_line_colours_follow_the_app_theme() -> None:
    app = ResultsApp(theme="hornq-dusk")
    async with app.run_test(size=(80, 24)) as pilot:
        plot = app.screen.query_one(OnAxisChart).query_one(TracePlot)
        assert plot.trace_colors == ["#7FA7D9"]
        app.theme = "hornq-paper"
        await pilot.pause()
        assert plot.trace_colors == ["#2F5F98"]


def test_frequency_ticks_read_like_a_log_axis_and_thin_out_when_narrow() -> None:
    ticks = frequency_ticks(200, 20000, 70)
    assert [format_frequency(t) for t in ticks] == ["200", "500", "1k", "2k", "5k", "10k", "20k"]
    assert [format_frequency(t) for t in frequency_ticks(200, 20000, 16)] == ["1k", "10k"]


def test_value_ticks_are_round_and_enclose_the_data() -> None:
    assert nice_ticks(92.5, 104.0, 6) == [90, 95, 100, 105]
    assert nice_ticks(56.0, 270.0, 5, (15, 30, 45, 90)) == [0, 90, 180, 270]


def single_frequency() -> dict:
    results = load_fixture()
    for key in ("frequencies_hz", "on_axis_spl_db", "directivity_index_db"):
        results[key] = results[key][-1:]
    for plane in results["polar"].values():
        plane["spl_db"] = plane["spl_db"][-1:]
    return results


@pytest.mark.parametrize(
    ("charted", "shown"),
    [
        ([], "No results"),
        ([("single-frequency", single_frequency())], "dB re 0°"),
        ([("junk", {"polar": "x", "frequencies_hz": "abc"})], "No vertical polar"),
    ],
    ids=["no-jobs", "single-frequency", "malformed"],
)
async def test_results_screen_opens_on_empty_odd_or_malformed_results(charted, shown: str) -> None:
    app = ResultsApp(charted)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in "12345":
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        polar_map = app.screen.query_one("#polar-map-v", PolarMap)
        text = "\n".join(polar_map.render_line(y).text for y in range(polar_map.size.height))
        assert shown in text
