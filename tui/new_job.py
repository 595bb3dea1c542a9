"""The new-job dialog: a config file's path, its estimate shown while it is typed, and the file started on Enter:
its job or study queued, or its optimisation handed to the engine."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from textual import work
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker

from engine.store import studies
from tui.dialogs import InputDialog
from tui.messages import SubmitRefused, explain


class FileStarted(Message):
    """The dialog's file was started: its jobs queued, or its optimisation handed to the engine."""

    def __init__(self, started: studies.Started) -> None:
        super().__init__()
        self.started = started


class EstimateShown(Message):
    """What a config file will cost (or nothing to say), for the path it was made for."""

    def __init__(self, path: str, text: str) -> None:
        super().__init__()
        self.path = path
        self.text = text


class NewJobDialog(InputDialog):
    """Starts a config file from a worker (a job, a study, an optimisation): a refusal shows under the path and the
    dialog stays, to fix it.

    While the path is typed, the job's estimate (run time, memory, warnings) is made in a worker once typing
    pauses and shown under the path, so it is on screen before Enter queues the job.
    """

    #: Seconds typing must pause before the path is estimated: not a file read per keystroke.
    ESTIMATE_AFTER = 0.3

    def __init__(self) -> None:
        super().__init__("New job (or [study]) from a config file", placeholder="path/to/horn.toml")
        self.submitting: Worker[None] | None = None
        self.pending: Timer | None = None

    def on_mount(self) -> None:
        super().on_mount()
        estimate = Static("", id="estimate", classes="dialog-detail", markup=False)
        self.query_one(".dialog", Vertical).mount(estimate, after=self.query_one("#error"))

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.pending is not None:
            self.pending.stop()
        self.query_one("#estimate", Static).update("")
        path = event.value.strip()
        if path:
            self.pending = self.set_timer(self.ESTIMATE_AFTER, partial(self.estimate, path))

    @work(thread=True, group="estimate", exclusive=True)
    def estimate(self, path: str) -> None:
        from engine.store.estimates import estimate_file, summary_lines

        try:
            document = estimate_file(Path(path).expanduser())
        except Exception:  # advisory only: a path not yet typed out, a refused config, a busy database; Enter says why
            return
        self.post_message(EstimateShown(path, "\n".join(summary_lines(document))))

    def on_estimate_shown(self, message: EstimateShown) -> None:
        if message.path == self.query_one(Input).value.strip():  # not a path typed over since
            self.query_one("#estimate", Static).update(message.text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # replaces the dialog's own handler, which closes at once
        if self.submitting is not None and not self.submitting.is_finished:
            return  # Enter again while the file is being queued: it must not be queued twice
        if event.value.strip():
            self.submitting = self.submit(event.value.strip())
        else:
            self.query_one("#error", Static).update("give the path of a job config file (.toml)")

    @work(thread=True, group="submit")
    def submit(self, path: str) -> None:
        try:
            started = studies.start_file(Path(path).expanduser())
        except Exception as exc:  # refused config or storage trouble: shown inline, nothing queued
            self.post_message(SubmitRefused(explain(exc)))
            return
        self.post_message(FileStarted(started))

    def on_submit_refused(self, message: SubmitRefused) -> None:
        self.query_one("#error", Static).update(message.reason)

    def on_file_started(self, message: FileStarted) -> None:
        self.dismiss(message.started)
