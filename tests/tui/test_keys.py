"""Keys as the user has them: keymap.toml remaps a binding by its per-screen id, and the keys work, the help, the
command palette and the first screen's hint all name the key as it is typed."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.notifications import Notify
from textual.widgets import Static
from textual.widgets._option_list import OptionList

from engine.paths import Home
from tests.tui.conftest import plain, select, settle, wait_until
from tui.app import DIALOGS, SCREENS, HornqApp, known_ids
from tui.dialogs import ConfirmDialog
from tui.help import HelpScreen
from tui.keys import RENAMED
from tui.main import MainScreen
from tui.new_job import NewJobDialog
from tui.results import ResultsScreen


def help_text(app: HornqApp) -> str:
    return "".join(plain(static.content) for static in app.screen.query(Static))


async def palette_entries(pilot, query: str) -> list[str]:
    """Open the command palette, type the query, and read the entries it offers."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.press(*query)
    options = pilot.app.screen.query_one(OptionList)
    await wait_until(pilot, lambda: options.option_count > 0)
    await settle(pilot, 0.3)
    return [str(options.get_option_at_index(i).prompt).splitlines()[0] for i in range(options.option_count)]


async def test_a_keymap_remaps_a_key_and_help_palette_and_hint_name_the_new_key(make_app, home: Home) -> None:
    (home.root / "keymap.toml").write_text('[keys]\n"main.new" = "N"\n')
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "then press N and give its path" in str(app.main.query_one("#empty", Static).render())
        await pilot.press("n")
        assert isinstance(app.screen, MainScreen), "n no longer opens the dialog"
        await pilot.press("N")
        assert isinstance(app.screen, NewJobDialog)
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {row.id: row for _, section in app.screen.sections for row in section}
        assert (rows["main.new"].shown_keys, rows["app.help"].shown_keys, rows["main.search"].shown_keys) == (
            "N",
            "?",
            "/",
        )
        shown = help_text(app)
        assert "main.new" in shown and "queue a job from a config file" in shown
        assert not any(name in shown for name in ("question_mark", "slash", "plus", "minus"))
        await pilot.press("escape")
        assert "New (N)" in await palette_entries(pilot, "new")


async def test_an_old_keymap_id_still_works_and_each_keymap_problem_gets_one_line(
    make_app, sample: dict[str, str], home: Home
) -> None:
    (home.root / "keymap.toml").write_text('[keys]\ncancel = "k"\n"main.new" = "d"\nno_such_action = "z"\n')
    messages: list = []
    app = make_app()
    async with app.run_test(message_hook=messages.append) as pilot:
        select(app, sample["queued"])
        await pilot.press("k")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape", "d")
        assert isinstance(app.screen, NewJobDialog)
        toasts = [m.notification.message for m in messages if isinstance(m, Notify)]
        assert toasts[:2] == [
            "keymap.toml: binding ids now name their screen: write main.cancel for cancel",
            "keymap.toml: no binding has the id no_such_action (? lists the ids)",
        ]
        assert "keymap.toml: d is main.new and also main.delete on the job table" in toasts


async def test_the_palette_offers_the_screens_actions_with_their_keys_and_runs_them(
    make_app, sample: dict[str, str]
) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        select(app, sample["queued"])
        assert "Export (x)" in await palette_entries(pilot, "export")
        await pilot.press("escape")
        assert (await palette_entries(pilot, "cancel"))[0] == "Cancel (c)"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.question == "Cancel job 000000a1 (wide mouth)?"


async def test_help_on_the_charts_lists_their_keys_first_and_every_screen_after(
    make_app, sample: dict[str, str]
) -> None:
    app = make_app(poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        select(app, sample["horn"])
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        await pilot.press("question_mark")
        shown = help_text(app)
        order = [shown.index(title) for title in ("Charts (this screen)", "Everywhere", "Job table", "Compare")]
        assert order == sorted(order)
        for binding_id in ("results.tab.impedance", "results.close", "compare.sort", "metric-chart.next"):
            assert binding_id in shown


def test_every_binding_has_an_id_that_names_its_screen_and_old_ids_have_new_ones() -> None:
    namespaces = {
        "Job table": {"main"},
        "Job detail": {"detail"},
        "Charts": {"results"},
        "Compare": {"compare"},
        "Metric chart": {"metric-chart"},
        "confirmation": {"confirm"},
        "input dialog": {"input"},
        "export dialog": {"export"},
        "filter dialog": {"filter"},
        "help": {"help"},
    }
    ids = []
    for title, screen, widgets in [*SCREENS, *((title, cls, ()) for title, cls in DIALOGS), ("App", HornqApp, ())]:
        hornq_classes = {c for cls in (screen, *widgets) for c in cls.__mro__ if c.__module__.startswith("tui.")}
        bindings = [b for cls in hornq_classes for b in vars(cls).get("BINDINGS", [])]
        assert bindings and all(b.id and b.description for b in bindings), title
        assert {b.id.split(".")[0] for b in bindings} <= namespaces.get(title, {"app"}), title
        ids += [b.id for b in bindings]
    assert len(ids) == len(set(ids)) and set(RENAMED.values()) <= known_ids()
