"""Metrics of horn results, on synthetic arrays whose answers are known in closed form."""

from __future__ import annotations

import math

import pytest

from engine.solvers.horn.metrics import (
    DEFAULTS,
    METRICS,
    Curve,
    MetricSettings,
    best,
    compute,
    control_frequency,
    coverage_deg,
)

OCTAVES = [500.0 * 2 ** (i / 4) for i in range(21)]  # 500 Hz … 16 kHz, four points per octave


def results(freqs: list[float], **arrays) -> dict:
    flat = [0.0] * len(freqs)
    data = {
        "frequencies_hz": freqs,
        "directivity_index_db": flat,
        "on_axis_spl_db": flat,
        "beamwidth_6db_deg": {"horizontal": flat, "vertical": flat},
        "throat_impedance": {"real": flat, "imag": flat},
    }
    data.update(arrays)
    return data


def values(data: dict, coverage: dict | None = None, settings: MetricSettings = DEFAULTS) -> dict:
    return compute(data, coverage or {"horizontal": None, "vertical": None}, settings)["values"]


def test_di_at_the_points_follows_a_line_in_log_frequency_and_is_null_outside_the_sweep() -> None:
    di = [3 + 3 * math.log2(f / 1000) for f in OCTAVES]
    found = values(results(OCTAVES, directivity_index_db=di))
    assert [found[f"di_{p}"] for p in ("1k", "2k", "4k", "8k", "16k")] == pytest.approx([3, 6, 9, 12, 15])
    short = values(results(OCTAVES[:13], directivity_index_db=di[:13]))  # stops at 4 kHz
    assert short["di_4k"] == pytest.approx(9) and short["di_8k"] is None and short["di_16k"] is None


def test_values_between_sweep_points_are_interpolated_on_log_frequency() -> None:
    sweep = [700.0, 1400.0]
    found = values(results(sweep, directivity_index_db=[0.0, 10.0]))
    assert found["di_1k"] == pytest.approx(10 * math.log(1000 / 700) / math.log(2), abs=1e-4)


def test_mean_di_weighs_every_octave_of_the_band_equally() -> None:
    di = [3 + 3 * math.log2(f / 1000) for f in OCTAVES]
    found = values(results(OCTAVES, directivity_index_db=di))
    # A straight line in log f averages to its value at the band's geometric centre, √(1 k · 10 k).
    assert found["di_mean"] == pytest.approx(3 + 3 * math.log2(math.sqrt(10)), abs=1e-3)
    linear_sweep = [500.0 + 250 * i for i in range(63)]  # the same line, sampled linearly
    found = values(results(linear_sweep, directivity_index_db=[3 + 3 * math.log2(f / 1000) for f in linear_sweep]))
    assert found["di_mean"] == pytest.approx(3 + 3 * math.log2(math.sqrt(10)), abs=0.05)


def test_beamwidth_spread_is_max_minus_min_over_the_band_per_plane() -> None:
    horizontal = [90.0] * len(OCTAVES)
    vertical = [40 + 20 * math.log10(f / 1000) for f in OCTAVES]  # 40° at 1 kHz to 60° at 10 kHz
    found = values(results(OCTAVES, beamwidth_6db_deg={"horizontal": horizontal, "vertical": vertical}))
    assert found["bw_h_spread"] == pytest.approx(0) and found["bw_h_4k"] == pytest.approx(90)
    assert found["bw_v_spread"] == pytest.approx(20, abs=1e-3)
    narrow = values(
        results(OCTAVES, beamwidth_6db_deg={"horizontal": horizontal, "vertical": vertical}),
        settings=MetricSettings(band_hz=(1000, 2000)),
    )
    assert narrow["bw_v_spread"] == pytest.approx(20 * math.log10(2), abs=1e-3)


def test_on_axis_deviation_of_a_tilt_is_its_half_range_over_root_three() -> None:
    # SPL rising 6 dB linearly in log f across the band deviates from its mean uniformly in ±3 dB: rms 3/√3.
    spl = [90 + 6 * math.log10(f / 1000) for f in OCTAVES]
    assert values(results(OCTAVES, on_axis_spl_db=spl))["on_axis_dev"] == pytest.approx(math.sqrt(3), abs=1e-3)
    assert values(results(OCTAVES, on_axis_spl_db=[94.0] * len(OCTAVES)))["on_axis_dev"] == pytest.approx(0)


def test_impedance_ripple_counts_only_the_real_part_above_the_chosen_frequency() -> None:
    real = [3.0 if f < 1000 else 1 + 0.1 * math.sin(i) for i, f in enumerate(OCTAVES)]
    inside = [r for r, f in zip(real, OCTAVES, strict=True) if f >= 1000]
    found = values(results(OCTAVES, throat_impedance={"real": real, "imag": [0.0] * len(OCTAVES)}))
    assert found["z_ripple"] == pytest.approx(max(inside) - min(inside), abs=1e-4)
    higher = values(
        results(OCTAVES, throat_impedance={"real": real, "imag": real}), settings=MetricSettings(ripple_above_hz=20000)
    )
    assert higher["z_ripple"] is None


def test_pattern_control_starts_where_the_beamwidth_enters_the_tolerance_for_good() -> None:
    # 180° below 1 kHz, 80° from 2 kHz: a straight fall in log f between, so 80° + 15 % = 92° is reached at
    # the fraction (180 − 92) / (180 − 80) of the octave.
    sweep = [250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0]
    widths = [180.0, 180.0, 180.0, 80.0, 80.0, 85.0, 60.0]
    curve = Curve.of(sweep, widths)
    assert curve is not None
    assert control_frequency(curve, 80, 0.15, 10000) == pytest.approx(1000 * 2 ** (88 / 100), rel=1e-6)
    # A beamwidth that loses the coverage at the top of the band never holds it.
    assert control_frequency(curve, 80, 0.15, 16000) is None
    assert control_frequency(Curve.of(sweep, [80.0] * 7), 80, 0.15, 10000) == pytest.approx(250)


def test_pattern_control_needs_the_coverage_of_each_plane() -> None:
    sweep = [1000.0, 2000.0, 4000.0, 8000.0, 16000.0]
    data = results(sweep, beamwidth_6db_deg={"horizontal": [80.0] * 5, "vertical": [60.0] * 5})
    found = values(data, {"horizontal": 80.0, "vertical": None})
    assert found["control_h_hz"] == pytest.approx(1000) and found["control_v_hz"] is None


def test_coverage_is_twice_the_horns_angle_at_each_planes_azimuth() -> None:
    assert coverage_deg({"horn": {"a": 40.0}}) == {"horizontal": 80.0, "vertical": 80.0}
    assert coverage_deg({"horn": {"a": "30 + 15*cos(p)^2"}}) == {"horizontal": 90.0, "vertical": 60.0}
    assert coverage_deg({"horn": None, "mesh": {"file": "x.msh"}}) == {"horizontal": None, "vertical": None}


def test_every_metric_is_present_and_missing_data_gives_nulls_not_errors() -> None:
    found = compute(
        {"frequencies_hz": [1000.0, 2000.0], "directivity_index_db": [1.0, "x"]}, {"horizontal": 80.0, "vertical": 80.0}
    )
    assert list(found["values"]) == [metric.key for metric in METRICS]
    assert all(value is None for value in found["values"].values())
    assert found["settings"]["band_hz"] == [1000.0, 10000.0] and found["settings"]["points_hz"][0] == 1000.0


def test_best_marks_every_row_tied_at_the_lowest_value_of_lower_is_better_metrics() -> None:
    rows = [{"on_axis_dev": 1.0, "di_mean": 9.0}, {"on_axis_dev": 0.5}, {"on_axis_dev": 0.5}, {}]
    winners = best(rows)
    assert winners["on_axis_dev"] == [1, 2]
    assert "di_mean" not in winners  # neither direction is better for DI
