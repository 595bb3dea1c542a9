"""Ring integrals of the Helmholtz kernels over straight generatrix elements, compiled with numba.

Each matrix entry integrates a kernel over a cone frustum: Gauss–Legendre along the element (ds), times r_y,
times the azimuth φ ∈ [0, π] doubled (the integrand is even in φ). With x = (r_x, 0, z_x) and
y = (r_y cos φ, r_y sin φ, z_y), R² = R0² + 2 r_x r_y h with h = 1 − cos φ, R0 the distance of the two points in
the r–z half-plane, so every kernel peaks at φ = 0 with a width w = R0/√(r_x r_y): the integrand is analytic in
the strip |Im φ| < β = 2 asinh(w/2) and turns at most k·min(r_x, r_y, r_x r_y/R0) times per radian.

Two azimuth rules, whichever needs fewer points: the trapezoidal rule, spectrally accurate for this periodic
integrand once the strip is wide; and for narrow peaks Gauss panels [0, w], [w, 4w], [4w, 16w], … up to π, with
extra points for the phase a panel spans. Both were fitted to ~1e-8 of the integrand's absolute integral. All the
rings of one element share the rule made for its narrowest peak and fastest phase; along an element the points
grade towards the point nearest x as the azimuth panels do towards φ = 0.

Each ring is summed in one loop that the compiler vectorises (hence the polynomial sine and cosine: library calls
do not vectorise, and rules are padded with zero weights to whole vectors). With x = kR, d = x − y,
f1 = e^{ix}(ix − 1) + 1 and f2 = e^{ix}(3 − 3ix − x²) − 3, every kernel is summed as a static part (k = 0) and a
dynamic remainder:

    G            = e^{ix} / (4πR)
    ∂G/∂n_y      = (n_y·d)(1 − f1) / (4πR³)
    ∂G/∂n_x      = −(n_x·d)(1 − f1) / (4πR³)
    −∂²G/∂n_x∂n_y = [(3 + f2)(n_x·d)(n_y·d)/R² − (1 − f1)(n_x·n_y)] / (4πR³)

On an element's own midpoint only the remainders are used (with f1 and f2 by series for small x, so nothing
cancels): the static double layer and hypersingular self terms come from the closed-surface identities
∫_S ∂G0/∂n_y dS = −½ and W0[1] = 0, which hold exactly for the faceted body of revolution too.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

FOUR_PI = 4 * math.pi
#: Reassociation (vectorised sums) and fused multiply-adds only: no assumptions about NaN, infinity or signs.
FAST = {"reassoc", "contract"}
#: Trapezoidal intervals on [0, π]: SINGULAR/β + WAVE·kr + WAVE_ROOT·(kr)^⅓, kr = k·min(r_x, r_y, r_x r_y/R0).
TRAPEZOID_SINGULAR = 10.2
TRAPEZOID_WAVE = 0.52
TRAPEZOID_WAVE_ROOT = 2.9
#: Graded panels: each GRADED_RATIO times the last, GRADED_POINTS Gauss points plus PHASE_POINTS per radian of kR.
GRADED_RATIO = 4.0
GRADED_POINTS = 8
PHASE_POINTS = 0.5
MAX_POINTS = 48
#: Graded panels that span at most TEMPLATE_PHASE radians of kR are scaled from one template (any w ≥ 4e-14).
TEMPLATE_PHASE = 1.0
TEMPLATE_PANELS = 24
#: Rules are padded to whole vectors of this many nodes; their length is RULE_NODES plus 2 per radian of k·r.
LANES = 4
RULE_NODES = 1024
#: A near element is integrated in panels graded like the azimuth's, of ALONG_POINTS Gauss points (plus phase).
ALONG_POINTS = 6
#: An element is far from x beyond NEAR element lengths; far elements are cut into pieces of k·length ≤ PIECE_KL
#: with FAR_POINTS Gauss points each, FEW_POINTS beyond FAR piece lengths, and 2 beyond FEWEST piece lengths on
#: pieces of k·length ≤ FEWEST_KL.
NEAR = 2.0
FAR = 4.0
FEWEST = 12.0
FAR_POINTS = 4
FEW_POINTS = 3
PIECE_KL = 1.5
FEWEST_KL = 0.3
#: An element's own integral: each half by OWN_POINTS Gauss points in u with s = (L/2)·u^OWN_POWER, which
#: smooths the logarithmic singularity at the midpoint; its remainders f1 and f2 by series below kR = SERIES_BELOW.
OWN_POINTS = 8
OWN_POWER = 4.0
SERIES_BELOW = 0.3
#: Accumulator slots of the single layer and the static (k = 0) and dynamic parts of the double layer, adjoint
#: double layer and hypersingular operator; a complex value takes its slot and the next.
V, K0, KD, A0, AD, W0, WD = 0, 2, 3, 5, 6, 8, 9
SLOTS = 11


def _gauss_table() -> tuple[np.ndarray, np.ndarray]:
    """Row n: the n-point Gauss–Legendre rule on [0, 1]."""
    nodes = np.zeros((MAX_POINTS + 1, MAX_POINTS))
    weights = np.zeros((MAX_POINTS + 1, MAX_POINTS))
    for n in range(1, MAX_POINTS + 1):
        x, w = np.polynomial.legendre.leggauss(n)
        nodes[n, :n], weights[n, :n] = (x + 1) / 2, w / 2
    return nodes, weights


_GX, _GW = _gauss_table()


def _graded_template() -> tuple[np.ndarray, np.ndarray]:
    """The graded panels [0, 1], [1, 4], [4, 16], … in units of the peak width w, GRADED_POINTS each."""
    edges = np.concatenate([[0.0], GRADED_RATIO ** np.arange(TEMPLATE_PANELS)])
    x, w = _GX[GRADED_POINTS, :GRADED_POINTS], _GW[GRADED_POINTS, :GRADED_POINTS]
    span = np.diff(edges)[:, None]
    return (edges[:-1, None] + span * x).ravel(), (span * w).ravel()


_TX, _TW = _graded_template()
#: π/2 in two parts (Cody–Waite) for the argument reduction of x up to ~10⁶.
_PIO2_HI = 1.57079632673412561417e00
_PIO2_LO = 6.07710050650619224932e-11


@njit(cache=True, fastmath=FAST, error_model="numpy")
def _sincos(x):
    """sin x and cos x (x ≥ 0) to 3e-14, branch-free so that loops calling it vectorise."""
    n = math.floor(x * (2.0 / math.pi) + 0.5)
    r = (x - n * _PIO2_HI) - n * _PIO2_LO
    z = r * r
    s = r + r * z * (
        -1 / 6 + z * (1 / 120 + z * (-1 / 5040 + z * (1 / 362880 + z * (-1 / 39916800 + z * (1 / 6227020800)))))
    )
    c = 1.0 + z * (
        -0.5
        + z * (1 / 24 + z * (-1 / 720 + z * (1 / 40320 + z * (-1 / 3628800 + z * (1 / 479001600 - z / 87178291200)))))
    )
    half = math.floor(0.5 * n)
    odd = n - 2.0 * half
    negative_sine = half - 2.0 * math.floor(0.5 * half)
    turned = math.floor(0.5 * (n + 1.0))
    negative_cosine = turned - 2.0 * math.floor(0.5 * turned)
    return (s + odd * (c - s)) * (1.0 - 2.0 * negative_sine), (c + odd * (s - c)) * (1.0 - 2.0 * negative_cosine)


@njit(cache=True, fastmath=FAST, error_model="numpy")
def _azimuth(rule, rx, ry, r0, k):
    """Fill ``rule`` with azimuth nodes (h = 1 − cos φ) and weights (for ∫₀^{2π}) for rings at distance r0 in
    the half-plane; returns their number, padded with zero weights to whole vectors."""
    rr = rx * ry
    room = rule.shape[1] - LANES
    if rr <= 0.0:
        return _trapezoid(rule, np.int64(1))  # typed, so that no second variant compiles for a literal 1
    w = r0 / math.sqrt(rr)
    wave = k * min(rx, ry, rr / r0)
    intervals = TRAPEZOID_SINGULAR / (2.0 * math.asinh(0.5 * w)) + TRAPEZOID_WAVE * wave
    intervals += TRAPEZOID_WAVE_ROOT * wave ** (1 / 3)
    panels = 1.0 + max(0.0, math.ceil(math.log(math.pi / w) / math.log(GRADED_RATIO)))
    graded = (GRADED_POINTS + 1) * panels + PHASE_POINTS * k * (math.sqrt(r0 * r0 + 4.0 * rr) - r0)
    if intervals < graded and intervals < room:
        return _trapezoid(rule, math.ceil(intervals))
    reach = math.pi if k == 0.0 else min(math.pi, TEMPLATE_PHASE / (k * math.sqrt(rr)))
    panels = 0 if w > reach else min(TEMPLATE_PANELS, 1 + int(math.log(reach / w) / math.log(GRADED_RATIO)))
    count = panels * GRADED_POINTS
    for q in range(count):
        half, _ = _sincos(0.5 * w * _TX[q])
        rule[0, q] = 2.0 * half * half
        rule[1, q] = 2.0 * w * _TW[q]
    a = 0.0 if panels == 0 else w * GRADED_RATIO ** (panels - 1)
    b = min(w if panels == 0 else GRADED_RATIO * a, math.pi)
    r_a = math.sqrt(r0 * r0 + 4.0 * rr * math.sin(0.5 * a) ** 2)
    while a < math.pi:
        r_b = math.sqrt(r0 * r0 + 4.0 * rr * math.sin(0.5 * b) ** 2)
        points = GRADED_POINTS + math.ceil(PHASE_POINTS * k * (r_b - r_a))
        pieces = 1 + (points - 1) // MAX_POINTS
        points = min(points, MAX_POINTS, room - count)
        step = (b - a) / pieces
        for piece in range(pieces):
            lo = a + step * piece
            for q in range(points):
                half, _ = _sincos(0.5 * (lo + step * _GX[points, q]))
                rule[0, count + q] = 2.0 * half * half
                rule[1, count + q] = 2.0 * step * _GW[points, q]
            count += points
        a, r_a = b, r_b
        b = min(GRADED_RATIO * b, math.pi)
    return _padded(rule, count)


@njit(cache=True, fastmath=FAST, error_model="numpy")
def _trapezoid(rule, intervals):
    """The trapezoidal rule on [0, π], doubled, in ``rule``; returns its padded number of nodes."""
    for q in range(intervals + 1):
        half, _ = _sincos(0.5 * math.pi * q / intervals)
        rule[0, q] = 2.0 * half * half
        rule[1, q] = 2.0 * math.pi / intervals
    rule[1, 0] *= 0.5
    rule[1, intervals] *= 0.5
    return _padded(rule, intervals + 1)


@njit(cache=True)
def _padded(rule, count):
    whole = -(-count // LANES) * LANES
    rule[:, count:whole] = 0.0
    return whole


@njit(cache=True, fastmath=FAST, error_model="numpy")
def _ring(acc, rule, nodes, k, rx, nrx, nzx, ry, nry, nzy, dr, dz, weight, own):
    """Add every kernel's azimuth integral between x and the ring through y (dr, dz = x − y) to ``acc``; ``own``
    when y is on x's element, whose dynamic parts are used alone and must not cancel."""
    r0sq, rr2 = dr * dr + dz * dz, 2.0 * rx * ry
    qx, qy = nrx * dr + nzx * dz, nry * dr + nzy * dz
    nxr, nyr, nrnr, nznz = nrx * ry, nry * rx, nrx * nry, nzx * nzy
    vr = vi = k0 = kr = ki = a0 = ar = ai = w0 = wr = wi = 0.0
    for m in range(nodes):
        h = rule[0, m]
        r = math.sqrt(r0sq + rr2 * h)
        reciprocal = 1.0 / r
        single = rule[1, m] * weight * reciprocal
        inv = single * reciprocal * reciprocal
        x = k * r
        y = x * x
        s, c = _sincos(x)
        # f1 and f2 in closed form, replaced by their series where they would cancel
        f1r = 1.0 - c - x * s
        f1i = x * c - s
        f2r = (3.0 - y) * c + 3.0 * x * s - 3.0
        f2i = (3.0 - y) * s - 3.0 * x * c
        if own and x < SERIES_BELOW:
            f1r = y * (
                -1 / 2 + y * (3 / 24 + y * (-5 / 720 + y * (7 / 40320 + y * (-9 / 3628800 + y * 11 / 479001600))))
            )
            f1i = x * y * (-2 / 6 + y * (4 / 120 + y * (-6 / 5040 + y * (8 / 362880 + y * (-10 / 39916800)))))
            f2r = y * (
                1 / 2 + y * (3 / 24 + y * (-15 / 720 + y * (35 / 40320 + y * (-63 / 3628800 + y * 99 / 479001600))))
            )
            f2i = x * y * y * (8 / 120 + y * (-24 / 5040 + y * (48 / 362880 + y * (-80 / 39916800))))
        nyd = (qy - nyr * h) * inv
        nxd = (qx + nxr * h) * inv
        nn = (nrnr * (1.0 - h) + nznz) * inv
        t = (qy - nyr * h) * nxd * reciprocal * reciprocal
        vr += c * single
        vi += s * single
        k0 += nyd
        kr -= f1r * nyd
        ki -= f1i * nyd
        a0 -= nxd
        ar += f1r * nxd
        ai += f1i * nxd
        w0 += 3.0 * t - nn
        wr += f2r * t + f1r * nn
        wi += f2i * t + f1i * nn
    acc[V] += vr
    acc[V + 1] += vi
    acc[K0] += k0
    acc[KD] += kr
    acc[KD + 1] += ki
    acc[A0] += a0
    acc[AD] += ar
    acc[AD + 1] += ai
    acc[W0] += w0
    acc[WD] += wr
    acc[WD + 1] += wi


@njit(cache=True, fastmath=FAST, error_model="numpy")
def element(rule, acc, k, rx, zx, nrx, nzx, ar, az, br, bz, nry, nzy):
    """The integrals over the element a–b seen from x (not on it), into ``acc``."""
    length = math.hypot(br - ar, bz - az)
    tr, tz = (br - ar) / length, (bz - az) / length
    nearest = min(length, max(0.0, (rx - ar) * tr + (zx - az) * tz))
    distance = max(math.hypot(rx - ar - nearest * tr, zx - az - nearest * tz), 1e-9 * length)
    nodes = _azimuth(rule, rx, max(ar, br), distance, k)
    acc[:] = 0.0
    if distance >= NEAR * length:
        pieces = max(1, math.ceil(k * length / PIECE_KL))
        piece = length / pieces
        points = FEW_POINTS if distance >= FAR * piece else FAR_POINTS
        if distance >= FEWEST * piece and k * piece <= FEWEST_KL:
            points = 2
        for p in range(pieces):
            for q in range(points):
                s = (p + _GX[points, q]) * piece
                ry, dz = ar + s * tr, zx - az - s * tz
                weight = piece * _GW[points, q] * ry / FOUR_PI
                _ring(acc, rule, nodes, k, rx, nrx, nzx, ry, nry, nzy, rx - ry, dz, weight, False)
        return
    for side in (-1.0, 1.0):
        extent = nearest if side < 0 else length - nearest
        lo, hi = 0.0, min(distance, extent)
        while lo < extent:
            points = min(MAX_POINTS, ALONG_POINTS + math.ceil(PHASE_POINTS * k * (hi - lo)))
            for q in range(points):
                s = nearest + side * (lo + (hi - lo) * _GX[points, q])
                ry, dz = ar + s * tr, zx - az - s * tz
                weight = (hi - lo) * _GW[points, q] * ry / FOUR_PI
                _ring(acc, rule, nodes, k, rx, nrx, nzx, ry, nry, nzy, rx - ry, dz, weight, False)
            lo, hi = hi, min(GRADED_RATIO * hi, extent)


@njit(cache=True, fastmath=FAST, error_model="numpy")
def own_element(rule, acc, k, rx, nr, nz, length):
    """The single layer, static double layer and remainders over the element whose midpoint is x, into ``acc``."""
    tr, tz = nz, -nr  # n = (−t_z, t_r)
    acc[:] = 0.0
    for side in (-1.0, 1.0):
        for q in range(OWN_POINTS):
            u = _GX[OWN_POINTS, q]
            s = 0.5 * length * u**OWN_POWER
            ds = 0.5 * length * OWN_POWER * u ** (OWN_POWER - 1.0) * _GW[OWN_POINTS, q]
            ry = rx + side * s * tr
            nodes = _azimuth(rule, rx, ry, s, k)
            _ring(acc, rule, nodes, k, rx, nr, nz, ry, nr, nz, -side * s * tr, -side * s * tz, ds * ry / FOUR_PI, True)


@njit(cache=True)
def own_static_double_layer(starts, ends, normals):
    """∫ ∂G0/∂n_y over each element at its own midpoint, integrated directly (the identity's cross-check)."""
    out = np.zeros(starts.shape[0])
    rule = np.empty((2, RULE_NODES + LANES))
    acc = np.zeros(SLOTS)
    for i in range(starts.shape[0]):
        rx = 0.5 * (starts[i, 0] + ends[i, 0])
        length = math.hypot(ends[i, 0] - starts[i, 0], ends[i, 1] - starts[i, 1])
        own_element(rule, acc, 0.0, rx, normals[i, 0], normals[i, 1], length)
        out[i] = acc[K0]
    return out


@njit(cache=True)
def ring_single_layer(rx, zx, ry, zy, k):
    """r_y ∫₀^{2π} G dφ between x and the ring through y, for checks."""
    rule = np.empty((2, RULE_NODES + LANES + 2 * math.ceil(k * max(rx, ry))))
    acc = np.zeros(SLOTS)
    nodes = _azimuth(rule, rx, ry, math.hypot(rx - ry, zx - zy), k)
    _ring(acc, rule, nodes, k, rx, 0.0, 1.0, ry, 0.0, 1.0, rx - ry, zx - zy, ry / FOUR_PI, False)
    return complex(acc[V], acc[V + 1])
