"""Frequency bands: every frequency on the coarsest mesh that still resolves it, never finer than configured."""

from __future__ import annotations

import itertools
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from engine.solvers.horn.bands import MAX_BANDS, THROAT_ELEMENTS, Band, dense_cost, plan_bands, single_band
from engine.solvers.horn.config import HornGeometry, sweep_frequencies
from engine.solvers.horn.sizing import estimated_triangles
from engine.solvers.horn.validation import parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = ("rosse-40deg", "osse-90x60")
#: auto_sizes rounds to the micrometre.
ROUNDING = 5e-4


def example(name: str, **sections: dict[str, Any]) -> dict[str, Any]:
    """A shipped example's horn meshed as ATH users often do, with fixed sizes (4 mm at the throat, 10 mm at the
    mouth) too coarse for its 20 kHz sweep; whole sections may be replaced."""
    raw = tomllib.loads((EXAMPLES / f"{name}.toml").read_text(encoding="utf-8"))
    for key in ("kind", "label", "executor"):
        raw.pop(key, None)
    fixed = {"mesh": {"throat_size": 4, "mouth_size": 10}, "sweep": {"f_min": 200, "f_max": 20000, "n": 40}}
    return parse({**raw, **fixed, **sections}, EXAMPLES).config


def auto_example(name: str, **sweep: Any) -> dict[str, Any]:
    """Auto sizes need a lower f_max than the examples' 20 kHz to stay within the triangle budget."""
    return example(name, mesh={"size": "auto"}, sweep={"f_min": 200, "f_max": 10_000, "n": 40, **sweep})


def plan(config: dict[str, Any], frequencies: list[float] | None = None) -> list[Band]:
    mesh = config["mesh"]
    return plan_bands(
        sweep_frequencies(config) if frequencies is None else frequencies,
        config["horn"],
        throat_size=mesh["throat_size"],
        mouth_size=mesh["mouth_size"],
        epw=mesh["elements_per_wavelength"],
        c=config["medium"]["c"],
        size_mode=mesh["size"],
    )


def wavelength_size(config: dict[str, Any], f: float) -> float:
    """Largest element (mm) with the configured elements per wavelength at f."""
    return 1000 * config["medium"]["c"] / (config["mesh"]["elements_per_wavelength"] * f)


def configs() -> list[dict[str, Any]]:
    return [example(name) for name in NAMES] + [auto_example(name) for name in NAMES]


@pytest.mark.parametrize("config", configs())
def test_bands_cover_every_frequency_once_in_sweep_order(config: dict[str, Any]) -> None:
    bands = plan(config)
    assert [band.index for band in bands] == list(range(len(bands)))
    assert [f for band in bands for f in band.frequencies] == sweep_frequencies(config)
    for band in bands:
        assert (band.f_low, band.f_high) == (min(band.frequencies), max(band.frequencies))
    assert all(low.f_high < high.f_low for low, high in itertools.pairwise(bands))


def test_frequencies_keep_the_given_order_within_a_band() -> None:
    config = example("rosse-40deg")
    falling = sweep_frequencies(config)[::-1]
    bands = plan(config, falling)
    assert sorted(f for band in bands for f in band.frequencies) == sorted(falling)
    for band in bands:
        assert list(band.frequencies) == sorted(band.frequencies, reverse=True)


@pytest.mark.parametrize("name", NAMES)
def test_auto_bands_resolve_their_top_frequency(name: str) -> None:
    config = auto_example(name)
    bands = plan(config)
    assert len(bands) > 1
    for band in bands:
        limit = wavelength_size(config, band.f_high) + ROUNDING
        assert band.throat_size <= limit
        assert band.mouth_size <= limit


@pytest.mark.parametrize("name", NAMES)
def test_manual_bands_coarser_than_configured_resolve_their_top_frequency(name: str) -> None:
    """The shipped sizes resolve 20 kHz with fewer than 6 elements per wavelength; coarser bands must not."""
    config = example(name)
    mesh = config["mesh"]
    for band in plan(config):
        limit = wavelength_size(config, band.f_high) + ROUNDING
        assert band.throat_size == mesh["throat_size"] or band.throat_size <= limit
        assert band.mouth_size == mesh["mouth_size"] or band.mouth_size <= limit


def test_a_finer_than_needed_manual_mesh_keeps_its_resolution() -> None:
    config = example(
        "rosse-40deg", mesh={"throat_size": 2, "mouth_size": 5}, sweep={"f_min": 500, "f_max": 5000, "n": 20}
    )
    bands = plan(config)
    assert len(bands) > 1
    for band in bands:
        assert band.throat_size <= 2 * 5000 / band.f_high + ROUNDING
        assert band.mouth_size <= 5 * 5000 / band.f_high + ROUNDING


@pytest.mark.parametrize("config", configs())
def test_sizes_never_finer_than_configured_and_coarser_towards_low_bands(config: dict[str, Any]) -> None:
    bands = plan(config)
    assert (bands[-1].throat_size, bands[-1].mouth_size) == (
        config["mesh"]["throat_size"],
        config["mesh"]["mouth_size"],
    )
    for low, high in itertools.pairwise(bands):
        assert low.throat_size >= high.throat_size
        assert low.mouth_size >= high.mouth_size
        assert low.estimated_triangles < high.estimated_triangles


@pytest.mark.parametrize("config", configs())
def test_geometry_caps_hold(config: dict[str, Any]) -> None:
    """At least 20 elements around the throat and 24 around the narrowest mouth, unless configured coarser."""
    horn, mesh = config["horn"], config["mesh"]
    geometry = HornGeometry.from_horn(horn)
    count = 1 if geometry.axisymmetric else 72
    mouth_radius = min(geometry.profile(2 * math.pi * i / count, 2)[-1][1] for i in range(count))
    throat_cap = 2 * math.pi * horn["r0"] / THROAT_ELEMENTS + ROUNDING
    mouth_cap = 2 * math.pi * mouth_radius / 24 + ROUNDING
    bands = plan(config)
    for band in bands:
        assert band.throat_size <= max(throat_cap, mesh["throat_size"])
        assert band.mouth_size <= max(mouth_cap, mesh["mouth_size"])
    assert bands[0].throat_size == pytest.approx(max(throat_cap - ROUNDING, mesh["throat_size"]), abs=2 * ROUNDING)


@pytest.mark.parametrize("name", NAMES)
def test_a_narrow_sweep_is_one_band(name: str) -> None:
    auto = auto_example(name, f_min=1000, f_max=2000, n=10)
    manual = example(name, sweep={"f_min": 1000, "f_max": 1100, "n": 5})
    for config in (auto, manual):
        bands = plan(config)
        assert len(bands) == 1
        assert bands[0].frequencies == tuple(sweep_frequencies(config))
        assert (bands[0].throat_size, bands[0].mouth_size) == (
            config["mesh"]["throat_size"],
            config["mesh"]["mouth_size"],
        )


@pytest.mark.parametrize("name", NAMES)
def test_a_wide_log_sweep_gets_a_handful_of_bands_and_costs_far_less(name: str) -> None:
    config = example(name)
    mesh = config["mesh"]
    frequencies = sweep_frequencies(config)
    bands = plan(config)
    assert 2 <= len(bands) <= MAX_BANDS
    top = bands[-1]
    assert (top.throat_size, top.mouth_size) == (mesh["throat_size"], mesh["mouth_size"])
    assert top.f_high == max(frequencies)
    assert bands[0].estimated_triangles * 3 < top.estimated_triangles
    single = single_band(frequencies, mesh["throat_size"], mesh["mouth_size"], config["horn"])
    assert dense_cost(single) > 2 * dense_cost(bands)


def test_single_band_is_the_configured_mesh() -> None:
    config = example("osse-90x60")
    mesh, frequencies = config["mesh"], sweep_frequencies(config)
    (band,) = single_band(frequencies, mesh["throat_size"], mesh["mouth_size"], config["horn"])
    assert band == Band(
        0,
        frequencies[0],
        frequencies[-1],
        tuple(frequencies),
        mesh["throat_size"],
        mesh["mouth_size"],
        estimated_triangles(config["horn"], mesh["throat_size"], mesh["mouth_size"]),
    )


def test_a_user_mesh_cannot_be_banded() -> None:
    config = example("rosse-40deg")
    with pytest.raises(ValueError, match="size_mode"):
        plan_bands([1000.0], config["horn"], throat_size=4, mouth_size=10, epw=6, c=343, size_mode="file")
