"""ATH's mesh, ABEC sweep and polar settings as hornq's ``[mesh]``, ``[sweep]``, ``[observation]`` and ``[solver]``.

* ``Mesh.ThroatResolution``/``Mesh.MouthResolution`` (element sizes in mm) are ``mesh.throat_size``/``mouth_size``;
  one left out takes ATH's default (4 and 8 mm).
* ``ABEC.f1``, ``ABEC.f2``, ``ABEC.NumFrequencies`` and ``ABEC.Abscissa`` (1 log, 2 linear) are the sweep.
* Each ``ABEC.Polars:NAME = {…}`` block is a polar plane: ``MapAngleRange = start,end,count`` (degrees, ``count``
  angles), ``Distance`` (m), ``NormAngle`` (degrees) and ``Inclination``: none or 0 is the horizontal plane
  (hornq's x–z), 90 or 270 the vertical one (y–z). hornq uses one angle range, distance and normalisation for
  both planes: the first block's.
* ``Mesh.Quadrants`` says which part of the horn ATH meshes, by the quadrants of the mouth plane it keeps
  (x horizontal, y vertical, quadrant 1 at x > 0, y > 0): 1234 the whole horn, 12 the half y ≥ 0 (mirrored about
  the x–z plane: hornq's "half"), 1 the quarter x ≥ 0, y ≥ 0 (hornq's "quarter"), 14 the half x ≥ 0 (mirrored
  about the y–z plane, which hornq does not do: it solves the whole horn). A round horn is solved along its
  profile, where quadrants do not apply.
* ``ABEC.SimType`` 2 is a free-standing horn, as hornq solves it; 1 (an infinite baffle) it cannot.
* ``Report.Title`` is the job's label.
"""

from __future__ import annotations

from engine.errors import ConfigError
from engine.solvers.horn.ath.draft import Draft, Setting, number, numbers, whole
from engine.solvers.horn.ath.reader import Entry

#: The element sizes (mm) ATH meshes with when the file gives none.
ATH_THROAT_RESOLUTION, ATH_MOUTH_RESOLUTION = 4.0, 8.0
ABSCISSAE = {1: "log", 2: "linear"}
QUADRANTS = {1234: "none", 12: "half", 1: "quarter", 14: "none"}
POLARS = "ABEC.Polars:"


def map_settings(draft: Draft) -> None:
    _mesh(draft)
    _sweep(draft)
    _observation(draft)
    _solver(draft)
    _simulation(draft)
    title = draft.take("Report.Title")
    if title is not None:
        draft.label = Setting(title.value, f"Report.Title, line {title.line}")


def _mesh(draft: Draft) -> None:
    for key, ath_key, default in (
        ("throat_size", "Mesh.ThroatResolution", ATH_THROAT_RESOLUTION),
        ("mouth_size", "Mesh.MouthResolution", ATH_MOUTH_RESOLUTION),
    ):
        entry = draft.take(ath_key)
        if entry is None:
            draft.set("mesh", key, default, f"not in the ATH file: ATH's default {ath_key}")
        else:
            draft.set("mesh", key, number(entry), f"{ath_key}, line {entry.line}")


def _sweep(draft: Draft) -> None:
    for key, ath_key in (("f_min", "ABEC.f1"), ("f_max", "ABEC.f2")):
        entry = draft.take(ath_key)
        if entry is not None:
            draft.set("sweep", key, number(entry), f"{ath_key}, line {entry.line}")
    entry = draft.take("ABEC.NumFrequencies")
    if entry is not None:
        draft.set("sweep", "n", whole(entry), f"ABEC.NumFrequencies, line {entry.line}")
    entry = draft.take("ABEC.Abscissa")
    if entry is not None:
        spacing = ABSCISSAE.get(whole(entry))
        if spacing is None:
            raise ConfigError(f"line {entry.line}: ABEC.Abscissa = {entry.value}: expected 1 (log) or 2 (linear)")
        draft.set("sweep", "spacing", spacing, f"ABEC.Abscissa, line {entry.line}")
    table = draft.sections.get("sweep", {})
    if "f_min" not in table or "f_max" not in table:
        draft.remark("sweep", "the ATH file gives no complete sweep (ABEC.f1, ABEC.f2): hornq's usual range filled in")
    for key, default in (("f_min", 200.0), ("f_max", 20000.0)):
        if key not in table:
            draft.set("sweep", key, default, "not in the ATH file")


def _observation(draft: Draft) -> None:
    """The polar planes and their common angles, distance and normalisation, from the ABEC.Polars blocks."""
    blocks: dict[int, list[Entry]] = {}
    for entry in draft.entries:
        if entry.block and entry.block[0].startswith(POLARS):
            blocks.setdefault(entry.opened, []).append(entry)
    planes: list[str] = []
    first: dict[str, Entry] = {}
    for entries in blocks.values():
        by_name = {entry.name: entry for entry in entries if len(entry.block) == 1 and entry.name}
        plane = _plane(draft, by_name.get("Inclination"))
        if plane is None:
            for entry in entries:
                draft.mark(entry)
            continue
        if plane not in planes:
            planes.append(plane)
        for name in ("MapAngleRange", "Distance", "NormAngle"):
            entry = by_name.get(name)
            if entry is None:
                continue
            if name not in first:
                first[name] = entry
                draft.mark(entry)
            elif entry.value.replace(" ", "") == first[name].value.replace(" ", ""):
                draft.mark(entry)
            else:
                draft.note(entry, f"hornq uses one {name} for every plane: line {first[name].line}'s")
    angles = _angles(draft, first.get("MapAngleRange"))
    if "Distance" in first:
        entry = first["Distance"]
        draft.set("observation", "distance", number(entry), f"{entry.key}, line {entry.line}")
    if planes:
        draft.set("observation", "planes", planes, "the ABEC.Polars blocks' Inclination")
    else:
        draft.remark("observation", "no horizontal or vertical ABEC.Polars block: hornq's usual planes, both")
    norm = first.get("NormAngle") or draft.take("Report.NormAngle")
    if norm is not None:
        _normalize(draft, norm, angles)


def _plane(draft: Draft, inclination: Entry | None) -> str | None:
    if inclination is None:
        return "horizontal"
    draft.mark(inclination)
    turn = number(inclination) % 180
    if turn == 0:
        return "horizontal"
    if turn == 90:
        return "vertical"
    draft.note(inclination, "hornq computes horizontal and vertical polars only; this block's plane is left out")
    return None


def _angles(draft: Draft, entry: Entry | None) -> list[float] | None:
    """The polar angles of ``MapAngleRange = start,end,count``, written as hornq's start/end/step."""
    if entry is None:
        return None
    start, end, count = numbers(entry, 3)
    origin = f"{entry.key}, line {entry.line}"
    if not float(count).is_integer() or count < 1:
        raise ConfigError(f"line {entry.line}: {entry.key}: the angle count {count:g} is not a whole number ≥ 1")
    if count == 1:
        draft.set("observation", "angles", [start], origin)
        return [start]
    step = round((end - start) / (count - 1), 9)
    draft.set("observation", "angle_start", start, origin)
    draft.set("observation", "angle_end", end, origin)
    draft.set("observation", "angle_step", step, f"{origin}: {count:g} angles")
    return [round(start + i * step, 9) for i in range(int(count))]


def _normalize(draft: Draft, entry: Entry, angles: list[float] | None) -> None:
    """``normalize_angle`` must be a polar angle: another one becomes the nearest angle, with a note."""
    angle = number(entry)
    choices = angles if angles is not None else [5.0 * i for i in range(37)]
    nearest = min(choices, key=lambda choice: abs(choice - angle))
    origin = f"{entry.key}, line {entry.line}"
    if nearest != angle:
        draft.note(entry, f"not one of the polar angles; hornq normalises to the nearest, {nearest:g}°")
        origin += f" (nearest polar angle to {angle:g}°)"
    draft.set("observation", "normalize_angle", nearest, origin)


def _solver(draft: Draft) -> None:
    entry = draft.take("Mesh.Quadrants")
    horn = draft.sections.get("horn", {})
    varies = any(isinstance(setting.value, str) for key, setting in horn.items() if key != "formula")
    if entry is None:
        return
    if not varies:
        draft.remark("solver", f"Mesh.Quadrants (line {entry.line}): a round horn is solved whole along its profile")
        return
    quadrants = whole(entry)
    symmetry = QUADRANTS.get(quadrants)
    if symmetry is None:
        draft.note(entry, 'not one of 1234, 12, 14, 1; hornq chooses the symmetry ("auto")')
        return
    if quadrants == 14:
        draft.remark("solver", f"Mesh.Quadrants = 14 (line {entry.line}) mirrors about the y–z plane: hornq solves")
        draft.remark("solver", "the whole horn instead (its half is the one mirrored about the x–z plane)")
    draft.set("solver", "symmetry", symmetry, f"Mesh.Quadrants = {quadrants}, line {entry.line}")


def _simulation(draft: Draft) -> None:
    entry = draft.take("ABEC.SimType")
    if entry is not None and number(entry) != 2:
        draft.note(entry, "hornq solves the horn free-standing (ABEC.SimType = 2), not in an infinite baffle")
