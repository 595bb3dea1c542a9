"""Post-processing on synthetic pressures whose SPL, beamwidth and DI are known in closed form."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from engine.solvers.horn.post import (
    beamwidth_6db,
    build_results,
    directivity_index,
    mesh_metadata,
    normalized_polar,
    observation_points,
    phase_deg,
    polar_points,
    spl_db,
    throat_impedance,
)

from .conftest import RHO, C, fake_sweep


def test_spl_of_20_micropascal_rms_is_0_db() -> None:
    assert spl_db(20e-6 * math.sqrt(2)) == pytest.approx(0.0, abs=1e-12)


def test_spl_ignores_phase_and_rises_20_db_per_decade_of_pressure() -> None:
    p = 20e-6 * math.sqrt(2) * np.array([1.0, -10j, 100 * np.exp(0.3j)])
    assert spl_db(p) == pytest.approx([0.0, 20.0, 40.0])


def test_phase_is_in_degrees_of_the_complex_amplitude() -> None:
    assert phase_deg(np.array([1.0, 1j, -1j, -1.0])) == pytest.approx([0.0, 90.0, -90.0, 180.0])


def test_horizontal_polar_sweeps_from_the_axis_towards_plus_x() -> None:
    points = polar_points(2.0, [0, 90, 180], "horizontal")
    assert points == pytest.approx(np.array([[0, 2, 0], [0, 0, 0], [2, 0, -2]]), abs=1e-12)


def test_vertical_polar_sweeps_from_the_axis_towards_plus_y() -> None:
    points = polar_points(1.5, [0, 90, 180], "vertical")
    assert points == pytest.approx(np.array([[0, 0, 0], [0, 1.5, 0], [1.5, 0, -1.5]]), abs=1e-12)


def test_polar_points_lie_at_the_observation_distance() -> None:
    points = polar_points(2.0, np.arange(0, 181, 5), "horizontal")
    assert np.linalg.norm(points, axis=0) == pytest.approx(np.full(37, 2.0))


def test_unknown_plane_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown plane"):
        polar_points(2.0, [0], "diagonal")


def test_observation_points_are_the_planes_in_order_then_the_axis() -> None:
    points = observation_points(2.0, [0, 45, 90], ["vertical", "horizontal"])
    assert points.shape == (3, 7)
    assert points[:, :3] == pytest.approx(polar_points(2.0, [0, 45, 90], "vertical"))
    assert points[:, 3:6] == pytest.approx(polar_points(2.0, [0, 45, 90], "horizontal"))
    assert points[:, 6] == pytest.approx([0.0, 0.0, 2.0])


def test_normalized_polar_is_relative_to_the_chosen_angle_interpolated() -> None:
    spl = np.array([[100.0, 98.0, 90.0], [80.0, 80.0, 70.0]])
    relative = normalized_polar(spl, [0, 20, 40], reference_deg=10)
    assert relative == pytest.approx(np.array([[1.0, -1.0, -9.0], [0.0, 0.0, -10.0]]))


def test_normalisation_angle_outside_the_polars_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        normalized_polar(np.zeros((1, 3)), [0, 10, 20], reference_deg=30)


def test_beamwidth_is_twice_the_interpolated_minus_6_db_angle() -> None:
    angles = np.arange(0, 181, 5.0)
    linear_fall = 90.0 - angles / 10.0
    assert beamwidth_6db(linear_fall[None, :], angles) == pytest.approx([120.0])


def test_beamwidth_interpolates_between_coarse_angles() -> None:
    angles = [0.0, 30.0, 60.0]
    spl = np.array([[0.0, -4.0, -8.0], [0.0, -7.0, -9.0]])
    assert beamwidth_6db(spl, angles) == pytest.approx([90.0, 2 * 30 * 6 / 7])


def test_beamwidth_of_a_polar_that_never_falls_6_db_is_capped_at_twice_the_largest_angle() -> None:
    angles = np.arange(0, 181, 10.0)
    assert beamwidth_6db(np.full((2, angles.size), 94.0), angles) == pytest.approx([360.0, 360.0])


def test_directivity_index_of_an_omnidirectional_source_is_0_db() -> None:
    angles = np.arange(0, 181, 5.0)
    omni = np.full((3, angles.size), 2.0 + 1j)
    assert directivity_index(omni[:, 0], [omni, omni], angles) == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)


def test_directivity_index_of_a_cardioid_is_10_log_3() -> None:
    angles = np.arange(0, 181, 1.0)
    cardioid = ((1 + np.cos(np.radians(angles))) / 2)[None, :]
    assert directivity_index(cardioid[:, 0], [cardioid], angles) == pytest.approx([10 * math.log10(3)], abs=0.01)


def test_directivity_index_averages_the_two_planes_by_azimuth() -> None:
    """Omni in one plane, cardioid in the other: sphere mean (1 + 1/3)/2 = 2/3 of the axis power."""
    angles = np.arange(0, 181, 1.0)
    omni = np.ones((1, angles.size))
    cardioid = ((1 + np.cos(np.radians(angles))) / 2)[None, :]
    di = directivity_index(np.ones(1), [omni, cardioid], angles)
    assert di == pytest.approx([10 * math.log10(3 / 2)], abs=0.01)


def test_throat_impedance_is_mean_source_pressure_over_rho_c_velocity() -> None:
    z = throat_impedance(np.array([RHO * C * (0.5 - 0.5j)]), 2.0, RHO, C)
    assert z == pytest.approx([0.25 - 0.25j])


def test_mesh_metadata_warns_below_6_elements_per_wavelength() -> None:
    assert "warning" in mesh_metadata({"elements_per_wavelength": 4.2})
    assert "warning" not in mesh_metadata({"elements_per_wavelength": 6.0})


def test_results_have_exactly_the_documented_shape(synthetic_results: dict) -> None:
    assert set(synthetic_results) == {
        "job_id",
        "frequencies_hz",
        "observation",
        "on_axis_spl_db",
        "polar",
        "directivity_index_db",
        "beamwidth_6db_deg",
        "throat_impedance",
        "metadata",
    }
    assert synthetic_results["observation"] == {
        "distance_m": 2.0,
        "angles_deg": [0.0, 7.5, 30.0, 90.0, 180.0],
    }
    assert set(synthetic_results["polar"]) == {"horizontal", "vertical"}
    for plane in synthetic_results["polar"].values():
        assert set(plane) == {"spl_db", "phase_deg"}
        assert np.shape(plane["spl_db"]) == (3, 5)
        assert np.shape(plane["phase_deg"]) == (3, 5)
    assert set(synthetic_results["beamwidth_6db_deg"]) == {"horizontal", "vertical"}
    assert set(synthetic_results["throat_impedance"]) == {"real", "imag"}
    for key in ("frequencies_hz", "on_axis_spl_db", "directivity_index_db"):
        assert len(synthetic_results[key]) == 3


def test_results_are_plain_json_data(synthetic_results: dict) -> None:
    assert json.loads(json.dumps(synthetic_results, allow_nan=False)) == synthetic_results


def test_results_metadata_states_conventions_mesh_costs_and_versions(synthetic_results: dict) -> None:
    meta = synthetic_results["metadata"]
    assert meta["time_convention"] == "exp(-i omega t)"
    assert meta["spl_reference"] == "SPL dB re 20 uPa rms at distance_m"
    assert meta["drive"] == {"type": "velocity", "value": {"real": 1.0, "imag": 0.0}}
    assert meta["normalize_angle_deg"] == 0.0
    assert (meta["c"], meta["rho"]) == (C, RHO)
    assert meta["mesh"] == {"triangles": 2000, "nodes": 1002, "elements_per_wavelength": 6.5}
    assert meta["solve_seconds"] == [0.5, 0.5, 0.5]
    assert meta["gmres_iterations"] == [12, 12, 12]
    assert {"python", "numpy", "bempp-cl"} <= set(meta["versions"])


def test_results_read_the_field_columns_in_observation_point_order() -> None:
    angles = [0.0, 90.0]
    sweep = fake_sweep([1000.0], 5)
    results = build_results(
        "j",
        sweep,
        distance_m=2.0,
        angles_deg=angles,
        planes=["vertical", "horizontal"],
        c=C,
        rho=RHO,
        mesh_meta={},
    )
    assert results["polar"]["vertical"]["spl_db"][0] == pytest.approx(spl_db(sweep.field[0, 0:2]))
    assert results["polar"]["horizontal"]["spl_db"][0] == pytest.approx(spl_db(sweep.field[0, 2:4]))
    assert results["on_axis_spl_db"] == pytest.approx(spl_db(sweep.field[:, 4]))


def test_planes_not_requested_are_absent() -> None:
    sweep = fake_sweep([1000.0, 2000.0], 4)
    results = build_results(
        "j", sweep, distance_m=2.0, angles_deg=[0, 90, 180], planes=["horizontal"], c=C, rho=RHO, mesh_meta={}
    )
    assert list(results["polar"]) == ["horizontal"]
    assert list(results["beamwidth_6db_deg"]) == ["horizontal"]


def test_throat_impedance_uses_the_sweeps_source_velocity_unless_told_otherwise() -> None:
    sweep = fake_sweep([1000.0], 3)
    kwargs = {
        "distance_m": 2.0,
        "angles_deg": [0, 90],
        "planes": ["horizontal"],
        "c": C,
        "rho": RHO,
        "mesh_meta": {},
    }
    own = build_results("j", sweep, **kwargs)["throat_impedance"]
    halved = build_results("j", sweep, velocity=2.0, **kwargs)["throat_impedance"]
    assert (own["real"], own["imag"]) == (pytest.approx([0.5]), pytest.approx([-0.4]))
    assert (halved["real"], halved["imag"]) == (pytest.approx([0.25]), pytest.approx([-0.2]))


def test_field_that_does_not_match_the_observation_points_is_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        build_results(
            "j",
            fake_sweep([1000.0], 4),
            distance_m=2.0,
            angles_deg=[0, 90],
            planes=["horizontal", "vertical"],
            c=C,
            rho=RHO,
            mesh_meta={},
        )


def test_normalisation_angle_outside_the_polar_angles_is_refused_by_build_results() -> None:
    with pytest.raises(ValueError, match="normalisation angle"):
        build_results(
            "j",
            fake_sweep([1000.0], 3),
            distance_m=2.0,
            angles_deg=[0, 90],
            planes=["horizontal"],
            normalize_angle=120.0,
            c=C,
            rho=RHO,
            mesh_meta={},
        )


def test_mesh_metadata_from_numpy_values_stays_json_serialisable() -> None:
    meta = mesh_metadata({"triangles": np.int64(812), "elements_per_wavelength": np.float64(5.5)})
    assert json.loads(json.dumps(meta))["triangles"] == 812
    assert "warning" in meta
