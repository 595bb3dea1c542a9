"""Modal dialogs: confirmations that default to No, and inputs that show validation errors inline.

Titles and messages are plain text, never markup: they carry labels, paths and config errors a user wrote."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, SelectionList, Static

from engine.errors import HornqError

Validator = Callable[[str], str | None]


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; focus starts on No, and Escape means No."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no", tooltip="a confirmation: no (the default)"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="a confirmation: yes, act"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="dialog-detail", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("No", id="no", variant="primary")
                yield Button("Yes", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class InputDialog(ModalScreen[str | None]):
    """One line of input; ``validate`` returns an error message to show, or None to accept."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="input.cancel", tooltip="new job, label: close, change nothing")
    ]

    def __init__(
        self, title: str, value: str = "", *, placeholder: str = "", validate: Validator | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="value")
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("Enter accepts · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        error = self.validate(value) if self.validate else None
        if error:
            self.query_one("#error", Static).update(error)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def config_file_error(path_text: str, check: Callable[[Path], object]) -> str | None:
    """Run a config check for the new-job dialog and turn a refusal into the inline message."""
    if not path_text:
        return "give the path of a job config file (.toml)"
    try:
        check(Path(path_text).expanduser())
    except HornqError as exc:
        return str(exc)
    return None


class ExportDialog(ModalScreen[tuple[str, str] | None]):
    """Choose an export format (or the report: a picture of the charts) and a target directory."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel", tooltip="export: close, write nothing")]
    FORMATS = {"frd": "FRD", "csv": "CSV", "json": "JSON", "report": "Report: a PNG picture to share"}

    def __init__(self, directory: str, validate: Callable[[str, str], str | None]) -> None:
        super().__init__()
        self.directory = directory
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export results", classes="dialog-title", markup=False)
            with RadioSet(id="format"):
                for index, (name, title) in enumerate(self.FORMATS.items()):
                    yield RadioButton(title, value=index == 0, id=name)
            yield Input(self.directory, placeholder="directory", id="directory")
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("Tab moves · Enter in the directory exports · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#directory", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        pressed = self.query_one(RadioSet).pressed_button
        fmt = pressed.id if pressed is not None and pressed.id else "frd"
        error = self.validate(fmt, event.value.strip())
        if error:
            self.query_one("#error", Static).update(error)
            return
        self.dismiss((fmt, event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterDialog(ModalScreen[list[str] | None]):
    """Pick the statuses to show; none picked shows all."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filter.cancel", tooltip="filter: close, keep the filter"),
        Binding(
            "enter", "accept", "Apply", id="filter.apply", priority=True, tooltip="filter: show the ticked statuses"
        ),
    ]

    def __init__(self, statuses: list[str], chosen: list[str]) -> None:
        super().__init__()
        self.statuses = statuses
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Show jobs with status", classes="dialog-title", markup=False)
            yield SelectionList[str](*[(s, s, s in self.chosen) for s in self.statuses], id="statuses")
            yield Static("Space toggles · Enter applies · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_accept(self) -> None:
        self.dismiss(list(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)
