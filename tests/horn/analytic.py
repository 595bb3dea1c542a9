"""Closed-form radiation from spheres under e^(−iωt), the references the BEM solve is checked against."""

from __future__ import annotations

import numpy as np
from scipy.special import eval_legendre, spherical_jn, spherical_yn


def pulsating_sphere(r: np.ndarray, k: float, a: float, velocity: complex, rho: float, c: float) -> np.ndarray:
    """Pressure at distance r of a sphere of radius a whose whole surface moves with normal velocity U."""
    r = np.asarray(r, dtype=np.float64)
    ika = 1j * k * a
    return rho * c * velocity * (a / r) * ika / (ika - 1) * np.exp(1j * k * (r - a))


def _hankel(n: int, x: np.ndarray | float, derivative: bool = False) -> np.ndarray:
    """Spherical Hankel function of the first kind, hₙ = jₙ + i yₙ (outgoing under e^(−iωt))."""
    return spherical_jn(n, x, derivative=derivative) + 1j * spherical_yn(n, x, derivative=derivative)


def cap_velocity_coefficients(theta0: float, velocity: complex, terms: int) -> np.ndarray:
    """Legendre coefficients Vₙ of a velocity U on the cap θ < θ0 and zero on the rest of the sphere."""
    x0 = np.cos(theta0)
    coefficients = np.empty(terms, dtype=np.complex128)
    coefficients[0] = velocity * (1 - x0) / 2
    for n in range(1, terms):
        coefficients[n] = velocity / 2 * (eval_legendre(n - 1, x0) - eval_legendre(n + 1, x0))
    return coefficients


def cap_on_sphere(
    r: float,
    theta: np.ndarray,
    k: float,
    a: float,
    theta0: float,
    velocity: complex,
    rho: float,
    c: float,
    terms: int | None = None,
) -> np.ndarray:
    """Pressure at (r, θ) of a cap of half-angle θ0 moving with U on an otherwise rigid sphere of radius a.

    The series converges fast once n exceeds ka (hₙ(kr)/hₙ′(ka) shrinks like (a/r)^n); the default keeps
    well past that point.
    """
    if terms is None:
        terms = int(2 * k * a + 40)
    cos_theta = np.cos(np.asarray(theta, dtype=np.float64))
    coefficients = cap_velocity_coefficients(theta0, velocity, terms)
    total = np.zeros(cos_theta.shape, dtype=np.complex128)
    for n, v_n in enumerate(coefficients):
        total += v_n * _hankel(n, k * r) / _hankel(n, k * a, derivative=True) * eval_legendre(n, cos_theta)
    return 1j * rho * c * total
