"""Themes: the shipped ones work in a real app and are comfortable to read; user files load or fail in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.color import Color

from themes import builtin_themes, load_theme_file, load_user_themes
from tui.plotting import THEME_SERIES

GOOD = """
name = "studio-night"
dark = true
primary = "#88C0D0"
background = "#20242B"
[variables]
"footer-key-foreground" = "#88C0D0"
"""


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""

    def luminance(color: str) -> float:
        channels = [c / 255 for c in Color.parse(color).rgb]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_builtin_themes_are_one_dark_and_one_light() -> None:
    themes = {theme.name: theme for theme in builtin_themes()}
    assert {"hornq-dusk", "hornq-paper"} <= set(themes)
    assert themes["hornq-dusk"].dark is True
    assert themes["hornq-paper"].dark is False


@pytest.mark.parametrize("theme", builtin_themes(), ids=lambda theme: theme.name)
def test_builtin_theme_text_contrast_is_comfortable_not_glaring(theme) -> None:
    """Readable for hours: well above WCAG AAA (7:1), but no pure white on pure black (21:1)."""
    colors = theme.to_color_system().generate()
    assert 7 <= contrast(colors["foreground"], colors["background"]) <= 16
    assert Color.parse(colors["background"]).rgb not in {(0, 0, 0), (255, 255, 255)}


@pytest.mark.parametrize("theme", builtin_themes(), ids=lambda theme: theme.name)
def test_builtin_theme_chart_colours_stand_out_from_the_canvas(theme) -> None:
    """Chart lines take these theme colours and are drawn on ``surface``: each must reach 3:1 (WCAG graphics)."""
    colors = theme.to_color_system().generate()
    for name in THEME_SERIES:
        assert contrast(colors[name], colors["surface"]) >= 3, name


async def test_builtin_themes_register_and_apply_in_an_app() -> None:
    app = App()
    async with app.run_test() as pilot:
        for theme in builtin_themes():
            app.register_theme(theme)
        app.theme = "hornq-dusk"
        await pilot.pause()
        assert app.current_theme.name == "hornq-dusk"
        assert app.theme_variables["background"].upper() == "#1C2027"
        app.theme = "hornq-paper"
        await pilot.pause()
        assert app.current_theme.dark is False
        assert app.theme_variables["background"].upper() == "#F4F1E8"


def test_user_theme_file_loads_with_its_variables(tmp_path: Path) -> None:
    path = tmp_path / "night.toml"
    path.write_text(GOOD)
    theme = load_theme_file(path)
    assert theme.name == "studio-night"
    assert theme.primary == "#88C0D0"
    assert theme.variables == {"footer-key-foreground": "#88C0D0"}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('name = "x"\nprimary = "#123456"\nprimry = "#123456"\n', "primry"),
        ('primary = "#123456"\n', "name"),
        ('name = "x"\nprimary = "#123456"\nbackground = "darkish"\n', "background"),
        ('name = "x"\nprimary = "#123456"\nsurface = 12\n', "surface"),
        ('name = "x"\n', "primary"),
        ('name = "x"\nprimary = "#123456"\ndark = "yes"\n', "dark"),
        ('name = "x"\nprimary = "#123456"\n[variables]\n"border" = 3\n', "variables.border"),
    ],
    ids=[
        "unknown-key",
        "missing-name",
        "invalid-colour",
        "colour-not-a-string",
        "missing-primary",
        "dark-not-bool",
        "variable-not-a-string",
    ],
)
def test_bad_theme_file_raises_one_line_naming_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(ValueError) as caught:
        load_theme_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert field in message


def test_user_theme_directory_reports_bad_files_and_keeps_good_ones(tmp_path: Path) -> None:
    (tmp_path / "a-good.toml").write_text(GOOD)
    (tmp_path / "b-colour.toml").write_text('name = "b"\nprimary = "not-a-colour"\n')
    (tmp_path / "c-syntax.toml").write_text('name = "c\nprimary = "#fff"\n')
    (tmp_path / "d-duplicate.toml").write_text(GOOD)
    (tmp_path / "notes.txt").write_text("not a theme")

    themes, errors = load_user_themes(tmp_path)

    assert [theme.name for theme in themes] == ["studio-night"]
    assert len(errors) == 3
    assert all("\n" not in error for error in errors)
    assert errors[0].startswith(str(tmp_path / "b-colour.toml")) and "primary" in errors[0]
    assert errors[1].startswith(str(tmp_path / "c-syntax.toml")) and "TOML" in errors[1]
    assert errors[2].startswith(str(tmp_path / "d-duplicate.toml")) and "already defined" in errors[2]


def test_missing_user_theme_directory_is_not_an_error(tmp_path: Path) -> None:
    assert load_user_themes(tmp_path / "themes") == ([], [])


async def test_user_theme_registers_and_applies(tmp_path: Path) -> None:
    (tmp_path / "night.toml").write_text(GOOD)
    themes, errors = load_user_themes(tmp_path)
    assert errors == []
    app = App()
    async with app.run_test() as pilot:
        app.register_theme(themes[0])
        app.theme = "studio-night"
        await pilot.pause()
        assert app.theme_variables["primary"].upper() == "#88C0D0"
