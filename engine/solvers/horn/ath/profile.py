"""ATH's horn profile as hornq's ``[horn]``: an ``R-OSSE = {…}`` block, or OS-SE from an ``OSSE = {…}`` block or
from ATH's top-level keys.

hornq's parameter names are ATH's R-OSSE names, and its OS-SE names are the short ones an ``OSSE`` block may use.
Where ATH spells an OS-SE parameter otherwise: ``Throat.Diameter`` is a diameter (hornq's ``r0`` is a radius),
``Throat.Angle`` is ``a0``, ``Coverage.Angle`` is ``a``, ``Length`` is ``L``, ``OS.k`` is ``k`` and
``Term.s``/``Term.n``/``Term.q`` are ``s``/``n``/``q``. A value inside the profile block wins over the same
parameter at top level (ATH ignores the top-level one). ``Scale`` multiplies the profile's lengths (R, r0, L),
which scales both profiles exactly; the wall and the mesh sizes keep their millimetres.
"""

from __future__ import annotations

from engine.errors import ConfigError
from engine.solvers.horn.ath.draft import Draft, number, number_or_expression, plain
from engine.solvers.horn.ath.reader import Entry
from engine.solvers.horn.spec import OSSE_SPEC, ROSSE_SPEC

#: An OS-SE parameter's spellings: inside an ``OSSE`` block (short, then ATH's), and at top level.
OSSE_NAMES: dict[str, tuple[str, ...]] = {
    "r0": ("r0", "Throat.Diameter"),
    "a0": ("a0", "Throat.Angle"),
    "a": ("a", "Coverage.Angle"),
    "k": ("k", "OS.k"),
    "L": ("L", "Length"),
    "s": ("s", "Term.s"),
    "n": ("n", "Term.n"),
    "q": ("q", "Term.q"),
}
#: Parameters hornq needs whatever the formula's defaults: without them there is no horn.
REQUIRED = {"R-OSSE": ("R", "a", "r0"), "OS-SE": ("r0", "a", "L")}
#: Parameters that are lengths, scaled by ``Scale``.
LENGTHS = ("R", "r0", "L")
#: The default ATH builds a free-standing horn's wall with.
ATH_WALL_THICKNESS = 5.0


def map_profile(draft: Draft) -> None:
    """``[horn]`` from the profile block or keys; ConfigError naming the ATH key when there is no usable profile."""
    rosse, osse = _blocks(draft, "R-OSSE"), _blocks(draft, "OSSE")
    if rosse and osse:
        raise ConfigError(f"line {osse[0]}: an OSSE block beside the R-OSSE block of line {rosse[0]}: give one profile")
    for blocks in (rosse, osse):
        if len(blocks) > 1:
            raise ConfigError(f"line {blocks[1]}: a second profile block (the first is on line {blocks[0]})")
    _check_throat_profile(draft)
    if rosse:
        formula, found = "R-OSSE", _rosse_parameters(draft)
    elif osse or any(draft.find(names[1]) for names in OSSE_NAMES.values()):
        formula, found = "OS-SE", _osse_parameters(draft, bool(osse))
    else:
        raise ConfigError(
            "no horn profile: expected an R-OSSE = {…} block, an OSSE = {…} block, or OS-SE keys "
            "(Throat.Diameter, Coverage.Angle, Length, …)"
        )
    missing = [name for name in REQUIRED[formula] if name not in found]
    if missing:
        names = ", ".join(f"R-OSSE.{name}" if formula == "R-OSSE" else OSSE_NAMES[name][1] for name in missing)
        raise ConfigError(f"the {formula} profile has no {names} (hornq needs {', '.join(REQUIRED[formula])})")
    draft.set("horn", "formula", formula, "ATH " + ("R-OSSE block" if formula == "R-OSSE" else "OS-SE profile"))
    _scale(draft, found)
    for name, (value, origin) in found.items():
        draft.set("horn", name, value, origin)
    spec = ROSSE_SPEC if formula == "R-OSSE" else OSSE_SPEC
    defaults = [name for name in spec if name not in found]
    if defaults:
        draft.remark("horn", f"not in the ATH file, so hornq's defaults: {', '.join(defaults)}")
    _wall(draft)


def _blocks(draft: Draft, name: str) -> list[int]:
    """The lines that open the top-level blocks called ``name`` (those with entries)."""
    return sorted({entry.opened for entry in draft.within(name)})


def _check_throat_profile(draft: Draft) -> None:
    for key in ("Throat.Profile", "OSSE.Throat.Profile", "R-OSSE.Throat.Profile"):
        entry = draft.take(key)
        if entry is not None and number(entry) != 1:
            raise ConfigError(
                f"line {entry.line}: Throat.Profile = {entry.value}: hornq builds the OS-SE throat profile (1) only"
            )


def _rosse_parameters(draft: Draft) -> dict[str, tuple[float | str, str]]:
    found: dict[str, tuple[float | str, str]] = {}
    for name, param in ROSSE_SPEC.items():
        entry = draft.take(f"R-OSSE.{name}")
        if entry is not None:
            found[name] = (_value(entry, param.expression), f"R-OSSE {name}, line {entry.line}")
    for names in OSSE_NAMES.values():
        entry = draft.find(names[1])
        if entry is not None:
            draft.note(entry, "an OS-SE key; the R-OSSE block defines this horn (its length follows from R and a)")
    return found


def _osse_parameters(draft: Draft, in_block: bool) -> dict[str, tuple[float | str, str]]:
    found: dict[str, tuple[float | str, str]] = {}
    for name, (short, long) in OSSE_NAMES.items():
        candidates = [f"OSSE.{short}", f"OSSE.{long}", long] if in_block else [long]
        entries = [entry for entry in (draft.find(key) for key in candidates) if entry is not None]
        if not entries:
            continue
        chosen = entries[0]
        draft.take(chosen.key)
        for other in entries[1:]:
            draft.note(other, f"ATH uses the OSSE block's {name} (line {chosen.line})")
        value = _value(chosen, OSSE_SPEC[name].expression)
        if chosen.name == "Throat.Diameter":
            found[name] = (_half(value), f"Throat.Diameter / 2, line {chosen.line}")
        else:
            found[name] = (value, f"{chosen.key}, line {chosen.line}")
    return found


def _value(entry: Entry, may_vary: bool) -> float | str:
    if may_vary:
        return number_or_expression(entry)
    return number(entry)


def _half(value: float | str) -> float | str:
    return plain(value / 2) if isinstance(value, float) else f"({value})/2"


def _scale(draft: Draft, found: dict[str, tuple[float | str, str]]) -> None:
    entry = draft.take("Scale")
    if entry is None:
        return
    scale = number(entry)
    if scale <= 0:
        raise ConfigError(f"line {entry.line}: Scale = {entry.value}: must be positive")
    for name in LENGTHS:
        if name in found and scale != 1:
            value, origin = found[name]
            scaled = plain(value * scale) if isinstance(value, float) else f"{scale:g}*({value})"
            found[name] = (scaled, f"{origin}, × Scale {scale:g} (line {entry.line})")


def _wall(draft: Draft) -> None:
    entry = draft.take("Mesh.WallThickness")
    if entry is not None:
        draft.set("horn", "wall_thickness", number(entry), f"Mesh.WallThickness, line {entry.line}")
        return
    draft.remark(
        "horn",
        f"ATH's default wall is {ATH_WALL_THICKNESS:g} mm, hornq's is thinner: a wall thicker than the mouth's "
        "tightest bend folds",
    )
