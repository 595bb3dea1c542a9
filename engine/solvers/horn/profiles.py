"""R-OSSE and OS-SE horn profiles, in millimetres and degrees as users write them.

Pure ``math`` on purpose: config validation samples these in the CLI process, which must stay
import-cheap. ``x`` is the axial distance from the throat, ``y`` (or ``r``) the radius.
"""

from __future__ import annotations

import math

from engine.errors import ConfigError

ROSSE_PARAMS = ("R", "a", "r0", "a0", "k", "r", "m", "b", "q")
OSSE_PARAMS = ("r0", "a0", "a", "k", "L", "s", "n", "q")

Point = tuple[float, float]


def _tan(degrees: float) -> float:
    return math.tan(math.radians(degrees))


def rosse_length(R: float, a: float, r0: float, a0: float, k: float, where: str = "horn") -> float:
    """Axial length L of an R-OSSE horn; ConfigError when the parameters give no real positive length."""
    c1, c2, c3 = (k * r0) ** 2, 2 * k * r0 * _tan(a0), _tan(a) ** 2
    if c3 <= 0:
        raise ConfigError(f"{where}.a: coverage angle {a:g}° gives no R-OSSE length (must be between 0 and 90)")
    discriminant = c2 * c2 - 4 * c3 * (c1 - (R + r0 * (k - 1)) ** 2)
    if discriminant < 0:
        raise ConfigError(
            f"{where}: R-OSSE parameters have no real length (negative discriminant "
            f"{discriminant:.4g}); increase R or reduce r0, k or a0"
        )
    length = (math.sqrt(discriminant) - c2) / (2 * c3)
    if not length > 0:
        raise ConfigError(
            f"{where}: R-OSSE length L = {length:.4g} mm is not positive; "
            f"the mouth radius R must exceed the throat radius r0"
        )
    return length


def rosse_point(
    t: float,
    R: float,
    a: float,
    r0: float,
    a0: float,
    k: float,
    r: float,
    m: float,
    b: float,
    q: float,
    length: float | None = None,
) -> Point:
    """Profile point (x, y) at parameter t ∈ [0, 1]; pass ``length`` to skip recomputing L."""
    L = rosse_length(R, a, r0, a0, k) if length is None else length
    c1, c2, c3 = (k * r0) ** 2, 2 * k * r0 * _tan(a0), _tan(a) ** 2
    apex0 = math.sqrt(r * r + m * m)
    x = L * (apex0 - math.sqrt(r * r + (t - m) ** 2)) + b * L * (math.sqrt(r * r + (1 - m) ** 2) - apex0) * t * t
    tq = t**q
    y = (1 - tq) * (math.sqrt(c1 + c2 * L * t + c3 * L * L * t * t) + r0 * (1 - k)) + tq * (
        R + L * (1 - math.sqrt(1 + c3 * (t - 1) ** 2))
    )
    return x, y


def rosse_profile(params: dict[str, float], n: int, tmax: float = 1.0) -> list[Point]:
    """``n`` points for t evenly spaced over [0, tmax]; ``params`` holds the names in ROSSE_PARAMS."""
    args = [params[name] for name in ROSSE_PARAMS]
    length = rosse_length(*args[:5])
    return [rosse_point(tmax * i / (n - 1), *args, length=length) for i in range(n)]


def osse_radius(x: float, r0: float, a0: float, a: float, k: float, L: float, s: float, n: float, q: float) -> float:
    """OS-SE radius r(x) for 0 ≤ x ≤ L: oblate-spheroid flare plus the super-ellipse mouth termination."""
    base = math.sqrt((k * r0) ** 2 + 2 * k * r0 * x * _tan(a0) + (x * _tan(a)) ** 2) + r0 * (1 - k)
    u = q * x / L
    term = s * L / q * (1 - (1 - u**n) ** (1 / n)) if u < 1 else s * L / q
    return base + term


def osse_profile(params: dict[str, float], n: int) -> list[Point]:
    """``n`` points for x evenly spaced over [0, L]; ``params`` holds the names in OSSE_PARAMS."""
    args = [params[name] for name in OSSE_PARAMS]
    length = params["L"]
    return [(x, osse_radius(x, *args)) for x in (length * i / (n - 1) for i in range(n))]


def check_profile(points: list[Point], wall_thickness: float, where: str = "horn") -> None:
    """Refuse profiles the mesher cannot close: radius must stay positive, the wall must not start
    behind the throat, and the outer shell (offset by the wall thickness) must not fold over itself."""
    for x, y in points:
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ConfigError(f"{where}: the profile is not finite (x = {x}, y = {y})")
        if y <= 0:
            raise ConfigError(f"{where}: the profile reaches the axis (radius {y:.3g} mm at x = {x:.3g} mm)")
        if x < -1e-9:
            raise ConfigError(f"{where}: the profile goes behind the throat (x = {x:.3g} mm)")
    outer = offset_profile(points, wall_thickness)
    for i in range(1, len(points)):
        inner_step = (points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1])
        outer_step = (outer[i][0] - outer[i - 1][0], outer[i][1] - outer[i - 1][1])
        if inner_step[0] * outer_step[0] + inner_step[1] * outer_step[1] <= 0:
            x, y = points[i]
            raise ConfigError(
                f"{where}.wall_thickness: {wall_thickness:g} mm is more than the profile's tightest bend "
                f"radius ({outer_bend_radius(points):.1f} mm, near x = {x:.1f} mm, y = {y:.1f} mm): "
                f"the outer shell would fold; use a thinner wall or a gentler mouth"
            )


def outer_bend_radius(points: list[Point]) -> float:
    """Smallest radius of the circles through three consecutive points that turn towards the wall's
    outside: an offset by more than this folds over itself."""
    smallest = math.inf
    for (xa, ya), (xb, yb), (xc, yc) in zip(points, points[1:], points[2:], strict=False):
        cross = (xb - xa) * (yc - ya) - (yb - ya) * (xc - xa)
        if cross <= 0:
            continue
        sides = math.hypot(xb - xa, yb - ya) * math.hypot(xc - xb, yc - yb) * math.hypot(xc - xa, yc - ya)
        smallest = min(smallest, sides / (2 * cross))
    return smallest


def offset_profile(points: list[Point], distance: float) -> list[Point]:
    """Offset a profile to the outside of the wall (left of the direction of travel throat → mouth)."""
    result = []
    last = len(points) - 1
    for i, (x, y) in enumerate(points):
        (xa, ya), (xb, yb) = points[max(i - 1, 0)], points[min(i + 1, last)]
        dx, dy = xb - xa, yb - ya
        norm = math.hypot(dx, dy) or 1.0
        result.append((x - distance * dy / norm, y + distance * dx / norm))
    return result
