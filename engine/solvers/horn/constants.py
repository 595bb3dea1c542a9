"""Names the horn modules share: mesh physical tags, observation planes and the mesh resolution floor.

Pure constants, so validation in the CLI, the mesher, the BEM solve and the exports agree without importing
each other.
"""

from __future__ import annotations

#: Physical tags of the surface triangles in a .msh: the horn's inner wall, the driven throat disc, the
#: rest of the closed body (outer shell, mouth lip, rear closure), and a mouth opening between an interior
#: and an exterior domain (never generated; the solve is single-domain exterior and leaves it out).
WALL, SOURCE, SECONDARY, INTERFACE = 1, 2, 3, 4
TAG_NAMES = {WALL: "wall", SOURCE: "source", SECONDARY: "secondary", INTERFACE: "interface"}

#: Polar planes through the horn axis (+z): horizontal is the x–z plane (azimuth p = 0), vertical the y–z
#: plane (p = 90°).
HORIZONTAL, VERTICAL = "horizontal", "vertical"
PLANES = (HORIZONTAL, VERTICAL)

#: Fewest elements per wavelength at the top frequency for results to be trusted; also the default target.
MIN_ELEMENTS_PER_WAVELENGTH = 6
