"""Profile formulas (R-OSSE and OS-SE as ATH defines them) and the azimuth-expression parser that feeds them."""

from __future__ import annotations

import math

import pytest

from engine.errors import ConfigError
from engine.solvers.horn import profiles
from engine.solvers.horn.expr import MAX_LENGTH, parse_expression

REFERENCE = {"R": 130.0, "a": 40.0, "r0": 12.7, "a0": 9.0, "k": 1.0, "r": 0.25, "m": 0.8, "b": 0.25, "q": 3.0}


def test_rosse_reference_horn_is_151_4_mm_long() -> None:
    length = profiles.rosse_length(REFERENCE["R"], REFERENCE["a"], REFERENCE["r0"], REFERENCE["a0"], 1.0)
    assert length == pytest.approx(151.4, abs=0.05)


def test_rosse_reference_mouth_point_is_58_8_mm_out_at_radius_130() -> None:
    x, y = profiles.rosse_point(1.0, *(REFERENCE[name] for name in profiles.ROSSE_PARAMS))
    assert (x, y) == (pytest.approx(58.8, abs=0.05), pytest.approx(130.0, abs=1e-9))


def test_rosse_profile_starts_at_the_throat_radius_on_the_throat_plane() -> None:
    points = profiles.rosse_profile(REFERENCE, 20)
    assert points[0] == (pytest.approx(0.0, abs=1e-12), pytest.approx(12.7))
    assert points[-1][1] == pytest.approx(130.0)


def test_rosse_tmax_truncates_the_profile_before_the_mouth() -> None:
    full = profiles.rosse_profile(REFERENCE, 11)
    truncated = profiles.rosse_profile(REFERENCE, 6, tmax=0.5)
    assert truncated[-1] == pytest.approx(full[5])


def test_osse_with_k1_a0_0_and_no_termination_is_the_oblate_spheroid() -> None:
    # r0 = 10, a = 45° (tan a = 1), s = 0:  r(x) = sqrt(100 + x²); at x = 24 that is sqrt(676) = 26.
    args = {"r0": 10.0, "a0": 0.0, "a": 45.0, "k": 1.0, "L": 100.0, "s": 0.0, "n": 2.0, "q": 1.0}
    assert profiles.osse_radius(0.0, **args) == pytest.approx(10.0)
    assert profiles.osse_radius(24.0, **args) == pytest.approx(26.0)


def test_osse_termination_adds_s_l_over_q_times_the_superellipse_term() -> None:
    # s = 1, q = 1, n = 2, L = 100 at x = 60: u = 0.6, term = 100 (1 - sqrt(1 - 0.36)) = 100 (1 - 0.8) = 20,
    # base = sqrt(100 + 3600) = 60.8276; at x = L the term is the full s L / q = 100.
    args = {"r0": 10.0, "a0": 0.0, "a": 45.0, "k": 1.0, "L": 100.0, "s": 1.0, "n": 2.0, "q": 1.0}
    assert profiles.osse_radius(60.0, **args) == pytest.approx(60.8276 + 20.0, abs=1e-4)
    assert profiles.osse_radius(100.0, **args) == pytest.approx(math.sqrt(10100.0) + 100.0)


def test_rosse_with_negative_discriminant_is_refused_as_having_no_real_length() -> None:
    # a0 = 0 makes c2 = 0, and R < r0 makes the discriminant −4 c3 (r0² − R²) negative.
    with pytest.raises(ConfigError, match="no real length"):
        profiles.rosse_length(R=5.0, a=40.0, r0=12.7, a0=0.0, k=1.0)


def test_rosse_with_a_real_but_negative_length_is_refused() -> None:
    with pytest.raises(ConfigError, match="not positive"):
        profiles.rosse_length(R=12.0, a=40.0, r0=12.7, a0=40.0, k=1.0)


def test_offset_profile_lies_one_wall_thickness_from_a_straight_profile() -> None:
    cone = [(float(x), 10.0 + x) for x in range(5)]
    outer = profiles.offset_profile(cone, 2.0)
    for (x, y), (ox, oy) in zip(cone, outer, strict=True):
        assert math.hypot(ox - x, oy - y) == pytest.approx(2.0)
        assert oy > y and ox < x  # outside: away from the axis and towards the rear


def test_wall_thicker_than_the_tightest_bend_is_refused() -> None:
    points = profiles.rosse_profile(REFERENCE, 96)  # bend radius at the rolled-back mouth ≈ 17 mm
    profiles.check_profile(points, 5.0)
    with pytest.raises(ConfigError, match="wall_thickness"):
        profiles.check_profile(points, 40.0)


@pytest.mark.parametrize(
    ("text", "p", "expected"),
    [
        ("45 + 10*cos(p)^2", 0.0, 55.0),
        ("45 + 10*cos(p)^2", math.pi / 2, 45.0),
        ("-2^2", 0.0, -4.0),
        ("2^-1", 0.0, 0.5),
        ("2^3^2", 0.0, 512.0),
        ("sqrt(abs(sin(p))) * pi", math.pi / 2, math.pi),
        ("exp(log(3)) / (1 + 1)", 0.0, 1.5),
        ("tan(p) + 1e1 - .5", 0.0, 9.5),
    ],
)
def test_expression_evaluates_arithmetic_functions_and_powers(text: str, p: float, expected: float) -> None:
    assert parse_expression(text)(p) == pytest.approx(expected)


def test_expression_without_p_is_marked_constant() -> None:
    assert parse_expression("30 + 2*pi").constant
    assert not parse_expression("30 + p").constant


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os')", "unexpected character"),
        ("__import__", "unknown name '__import__'"),
        ("p.real", "unexpected character '.'"),
        ("().__class__", "unexpected character '.'"),
        ("x + 1", "unknown name 'x'"),
        ("9^9^9", "exponents are limited"),
        ("2**8", "'\\^'"),
        ("sin(p", "ends too early"),
        ("1 2", "unexpected '2'"),
        ("1/0", "divides by zero"),
        ("", "is empty"),
        ("(" * 50 + "1" + ")" * 50, "nested too deeply"),
    ],
)
def test_expression_refuses_anything_but_arithmetic_of_p(text: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        parse_expression(text, "horn.a")


def test_expression_error_quotes_the_expression_and_key_on_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_expression("45 + q", "horn.a")
    assert str(caught.value).startswith("horn.a: expression '45 + q'")
    assert "\n" not in str(caught.value)


def test_expression_longer_than_the_limit_is_refused_with_the_limit() -> None:
    with pytest.raises(ConfigError, match=f"limit {MAX_LENGTH}"):
        parse_expression("1+" * MAX_LENGTH + "1")


def test_expression_that_overflows_at_some_azimuth_is_refused_there() -> None:
    expression = parse_expression("exp(1000*p)", "horn.a")
    assert expression(0.0) == 1.0
    with pytest.raises(ConfigError, match="too large"):
        expression(1.0)
