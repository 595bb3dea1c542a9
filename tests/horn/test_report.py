"""A report draws the results' own numbers, the polar maps the app computes, and says what was solved and how."""

from __future__ import annotations

import base64
import json
import struct
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from engine.config.job import parse_config
from engine.solvers.horn.report.document import Reported
from engine.solvers.horn.report.figure import build_figure
from engine.solvers.horn.report.files import write_report
from engine.solvers.horn.report.polar import COLUMNS, CONTOUR_LEVELS, EMPHASIS_DB
from tui.line_charts import ImpedanceChart
from tui.polar_map import normalized_polar, resample_polar

DATA = Path(__file__).resolve().parents[1] / "tui" / "data"
EXAMPLE = Path(__file__).resolve().parents[2] / "engine" / "solvers" / "horn" / "example.toml"
JOB_A = "3f2a9c1e-5b7d-4e21-9a0c-6d1f2b3c4d5e"
JOB_B = "77aa0b2d-1c3e-4f50-8a6b-7c8d9e0f1a2b"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The solver metadata a 3-D job on OpenCL records (the stored test results predate it).
SOLVER = {
    "backend": "opencl",
    "precision": "single",
    "symmetry": "quarter",
    "method": "3d",
    "formulation": "burton-miller",
    "banded": True,
    "bands": [
        {"f_low_hz": low, "f_high_hz": high, "frequencies": 12, "triangles": triangles, "elements_per_wavelength": epw}
        for low, high, triangles, epw in ((200.0, 2520.0, 1204, 9.1), (3000.0, 20000.0, 4812, 6.8))
    ],
}


def horn_config(**horn: Any) -> dict[str, Any]:
    """The shipped example's normalised config, with horn parameters changed."""
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["horn"].update(horn)
    spec = parse_config(raw, EXAMPLE.parent)
    return {"kind": "horn", **spec.validated.config}


def stored_results(name: str = "results.json") -> dict[str, Any]:
    results = json.loads((DATA / name).read_text(encoding="utf-8"))
    results["metadata"]["solver"] = SOLVER
    return results


def first(results: dict[str, Any], solved: int) -> dict[str, Any]:
    """The results of the first ``solved`` frequencies, marked partial as a stopped job's are."""
    count = len(results["frequencies_hz"])

    def cut(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: cut(item) for key, item in value.items()}
        return value[:solved] if isinstance(value, list) and len(value) == count else value

    return {**cut(results), "partial": {"solved": solved, "of": count}}


def rosse(results: dict[str, Any] | None = None) -> Reported:
    return Reported(JOB_A, "rosse 40", results or stored_results(), horn_config(a="40 + 8*cos(p)^2"))


def wide() -> Reported:
    return Reported(JOB_B, "wide mouth", stored_results("results_b.json"), horn_config(R=150))


def axes_titled(figure: Figure, start: str) -> list[Axes]:
    """The figure's axes (its subfigures' included) whose title starts with ``start``."""
    return [ax for ax in figure.axes if ax.get_title(loc="left").startswith(start)]


def data_lines(ax: Axes) -> list[Line2D]:
    """The lines drawing results (each labelled "job: quantity"), not reference lines."""
    return [line for line in ax.lines if not line.get_label().startswith("_")]


def texts(figure: Figure) -> str:
    return "\n".join(text.get_text() for text in figure.findobj(Text))


@pytest.fixture(scope="module")
def single() -> Figure:
    return build_figure([rosse()])


@pytest.fixture(scope="module")
def overlay() -> Figure:
    return build_figure([rosse(), wide()])


def test_each_line_chart_draws_the_results_arrays(single: Figure) -> None:
    results = stored_results()
    expected = {
        "On-axis SPL": [results["on_axis_spl_db"]],
        "Directivity index": [results["directivity_index_db"]],
        "−6 dB beamwidth": [results["beamwidth_6db_deg"]["horizontal"], results["beamwidth_6db_deg"]["vertical"]],
    }
    for title, arrays in expected.items():
        (ax,) = axes_titled(single, title)
        assert [list(line.get_xdata()) for line in data_lines(ax)] == [results["frequencies_hz"]] * len(arrays)
        assert [list(line.get_ydata()) for line in data_lines(ax)] == arrays


def test_the_impedance_is_drawn_in_the_apps_e_plus_j_omega_t_convention(single: Figure) -> None:
    results = stored_results()
    (ax,) = axes_titled(single, "Throat impedance")
    real, imag = (list(line.get_ydata()) for line in data_lines(ax))
    app = {trace.quantity: trace.y for trace in ImpedanceChart([("rosse 40", results)]).traces()}
    assert real == results["throat_impedance"]["real"] == app["Re"]
    assert imag == [-x for x in results["throat_impedance"]["imag"]] == app["Im"]
    assert r"e^{+j\omega t}" in ax.get_title(loc="left")


def test_the_polar_maps_show_the_normalised_spl_the_app_computes(single: Figure) -> None:
    results = stored_results()
    for plane, title in (("horizontal", "Horizontal polar map"), ("vertical", "Vertical polar map")):
        (ax,) = axes_titled(single, title)
        (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
        levels = np.asarray(mesh.get_array())
        app = resample_polar(normalized_polar(results, plane), COLUMNS, levels.shape[0])[::-1]
        assert levels.shape == (361, COLUMNS)
        np.testing.assert_allclose(levels, app, atol=1e-9)


def test_a_map_normalised_to_10_degrees_is_0_db_there_and_says_so() -> None:
    results = stored_results()
    results["metadata"]["normalize_angle_deg"] = 10.0
    figure = build_figure([rosse(results)])
    (ax,) = axes_titled(figure, "Horizontal polar map")
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    levels = np.asarray(mesh.get_array())
    np.testing.assert_allclose(levels[20], 0.0, atol=1e-9)  # rows every 0.5°: row 20 is 10°
    assert ax.get_title(loc="left").endswith("dB re 10°")


def test_contours_are_drawn_every_3_db_with_the_6_db_contour_bold(single: Figure) -> None:
    (ax,) = axes_titled(single, "Vertical polar map")
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    drawn = sorted(float(level) for c in contours for level in c.levels)
    assert drawn == sorted(CONTOUR_LEVELS) == [-30.0, -27.0, -24.0, -21.0, -18.0, -15.0, -12.0, -9.0, -6.0, -3.0]
    (bold,) = [c for c in contours if list(c.levels) == [EMPHASIS_DB]]
    thin = max(width for c in contours if c is not bold for width in c.get_linewidths())
    assert min(bold.get_linewidths()) > 3 * thin


def test_the_colour_scale_is_perceptually_uniform_in_3_db_bands_with_a_db_colour_bar(single: Figure) -> None:
    (ax,) = axes_titled(single, "Horizontal polar map")
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert mesh.cmap.name == "magma"
    assert list(mesh.norm.boundaries) == list(np.arange(-30.0, 1.0, 3.0))
    assert mesh.colorbar is not None and mesh.colorbar.ax.get_ylabel() == "dB re 0°"


def test_the_caption_states_the_horn_parameters_as_given_and_the_solver_settings(single: Figure) -> None:
    caption = texts(single)
    for fact in (
        "R-OSSE profile",
        "R = 130 mm",
        "a = 40 + 8*cos(p)^2 (°)",
        "r0 = 12.7 mm",
        "a0 = 9°",
        "wall_thickness = 5 mm",
        "method: 3-D Burton–Miller",
        "backend: opencl, single precision",
        "symmetry: quarter",
        "band 1: 200 Hz–2.52 kHz, 1,204 triangles, 9.1 elements/λ",
        "6.8 elements/λ at the top",
        "frequencies: 200 Hz–20 kHz, 24 points, log spacing",
        "0–180° in 5° steps at 2 m, normalised to 0°",
    ):
        assert fact in caption
    assert "rosse 40 (3f2a9c1e)" in caption


def test_an_overlay_draws_one_line_per_job_in_its_own_colour_and_a_legend_naming_them(overlay: Figure) -> None:
    (ax,) = axes_titled(overlay, "On-axis SPL")
    assert [list(line.get_ydata()) for line in data_lines(ax)] == [
        stored_results()["on_axis_spl_db"],
        stored_results("results_b.json")["on_axis_spl_db"],
    ]
    assert len({line.get_color() for line in data_lines(ax)}) == 2
    (legend,) = overlay.subfigs[0].legends
    assert [text.get_text() for text in legend.get_texts()] == ["rosse 40 (3f2a9c1e)", "wide mouth (77aa0b2d)"]


def test_an_overlay_gives_each_job_its_own_pair_of_polar_maps(overlay: Figure) -> None:
    assert len(axes_titled(overlay, "Horizontal polar map")) == len(axes_titled(overlay, "Vertical polar map")) == 2
    caption = texts(overlay)
    assert "R = 130 mm" in caption and "R = 150 mm" in caption


def test_partial_results_are_marked_and_keep_the_sweeps_frequency_axis() -> None:
    figure = build_figure([rosse(first(stored_results(), 6))])
    assert "PARTIAL: 6 of 24 frequencies solved" in texts(figure)
    (ax,) = axes_titled(figure, "On-axis SPL")
    assert len(data_lines(ax)[0].get_xdata()) == 6
    assert ax.get_xlim() == pytest.approx((200.0, 20000.0))


def test_a_png_is_written_large_enough_to_read_when_posted(tmp_path: Path) -> None:
    path = tmp_path / "rosse.png"
    write_report([{"job_id": JOB_A, "label": "rosse 40", "results": stored_results(), "config": horn_config()}], path)
    content = path.read_bytes()
    width, height = struct.unpack(">II", content[16:24])
    assert content.startswith(PNG_SIGNATURE) and width >= 2000 and height >= 2000


def test_an_svg_is_well_formed_xml_with_its_text_as_vectors(tmp_path: Path) -> None:
    path = tmp_path / "rosse.svg"
    write_report([{"job_id": JOB_A, "label": "rosse 40", "results": stored_results(), "config": horn_config()}], path)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 100


def test_an_html_page_holds_its_images_inline_and_its_caption_as_text_without_external_links(tmp_path: Path) -> None:
    path = tmp_path / "rosse.html"
    reported = {"job_id": JOB_A, "label": "rosse 40", "results": first(stored_results(), 6), "config": horn_config()}
    write_report([reported], path)
    page = path.read_text(encoding="utf-8")
    image = page.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(image).startswith(PNG_SIGNATURE)
    assert "<th>R</th><td>130 mm</td>" in page and "<th>symmetry</th><td>quarter</td>" in page
    assert "PARTIAL: 6 of 24 frequencies solved" in page
    assert "://" not in page and "<script" not in page and "<link" not in page
