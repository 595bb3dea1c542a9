"""Actions on the jobs of the main screen's table: cancel, delete, re-run, edit, label, export, new job, cap, compare.

Each asks first when it destroys something or acts on marked jobs, naming them. Its reads and writes run in a
thread worker and come back as a message, so a database held by another process costs a toast naming what
failed, never a frozen screen or a traceback. Marks clear after the action that used them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import cast

from textual import work
from textual.screen import Screen
from textual.widgets import Label

from engine.config.job import check_label, parse_config
from engine.config.toml_out import dumps
from engine.errors import HornqError
from engine.paths import Home
from engine.solvers import entry
from engine.store import jobs, settings, studies
from engine.store.lifecycle import ACTIVE, Status
from engine.store.models import database
from tui import compare
from tui.dialogs import ConfirmDialog, ExportDialog, InputDialog
from tui.host import AppHost
from tui.messages import (
    ComparisonLoaded,
    ConfigLoaded,
    ExportDone,
    Failure,
    JobsActedOn,
    JobsQueued,
    Notice,
    explain,
    failed,
    is_busy,
)
from tui.new_job import NewJobDialog
from tui.poller import Poller, PollState
from tui.report import write_report
from tui.studies import StudyJobTable

#: What each bulk action reports when it went through.
DONE = {
    "cancel": "cancel requested for {} job(s)",
    "delete": "deleted {} job(s)",
    "label": "labelled {} job(s)",
    "re-run": "queued {} job(s) again",
}


class JobActions(Screen[None]):
    """The main screen's actions; the main screen composes the table and runs the poller they wake."""

    poller: Poller
    polled: PollState
    pending_select: str | None

    @property
    def hornq(self) -> AppHost:
        return cast(AppHost, self.app)

    @property
    def table(self) -> StudyJobTable:
        return self.query_one(StudyJobTable)

    def targets(self) -> list[str]:
        return self.table.targets()

    def confirm(self, verb: str, ids: list[str], note: str, then: Callable[[], object]) -> None:
        """Ask before acting, naming the jobs; with marks, saying they are marked (not the row under the cursor)."""
        question = f"{verb} {self.table.what(ids)}?"
        one_row = len(ids) == 1 and not self.table.marked and not self.table.selected_study
        detail = note if one_row else f"{self.table.listing(ids)}\n\n{note}"
        self.app.push_screen(ConfirmDialog(question, detail), lambda yes: then() if yes else None)

    @work(thread=True, group="jobs")
    def act(self, action: str, ids: list[str], call: Callable[[str], str | None]) -> None:
        """Run one store call per job; each failure is kept with its reason, and the rest go on."""
        done, failures, queued = [], [], []
        for job_id in ids:
            try:
                new = call(job_id)
            except Exception as exc:  # each job's failure is reported, none ends the app
                failures.append(Failure(job_id, explain(exc), is_busy(exc)))
                continue
            done.append(job_id)
            if new:
                queued.append(new)
        self.post_message(JobsActedOn(action, done, failures, queued))

    def on_jobs_acted_on(self, message: JobsActedOn) -> None:
        """Marks clear after the action that used them, except on jobs the database was too busy to reach, so
        trying again acts on exactly those."""
        table = self.table
        retry = {failure.job_id for failure in message.failed if failure.busy}
        table.unmark({*message.done, *(f.job_id for f in message.failed)} - retry)
        if message.action == "delete":
            removed = table.remove(message.done)
            self.polled.recount(len(table.views), removed)
        by_reason: dict[tuple[str, bool], list[str]] = {}
        for failure in message.failed:
            by_reason.setdefault((failure.reason, failure.busy), []).append(failure.job_id[:8])
        for (reason, busy), names in by_reason.items():
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            severity = "error" if busy else "warning"
            self.notify(f"{message.action} {shown}: {reason}", severity=severity, timeout=10, markup=False)
        if message.done:
            self.notify(DONE[message.action].format(len(message.done)))
        if message.queued:
            self.queued(message.queued[-1])
        self.poller.wake()

    def queued(self, job_id: str) -> None:
        """Select a new job as soon as the poller brings it, and make sure an engine will run it."""
        self.hornq.state.selected = job_id
        self.pending_select = job_id
        if self.hornq.start_engine:
            self.hornq.ensure_engine(announce=False)
        self.poller.wake()

    def action_new_job(self) -> None:
        def submitted(started: studies.Started | None) -> None:
            if started is not None and started.optimization is not None:
                self.notify(
                    f"started optimisation {started.optimization.name!r}: its points appear as the engine proposes "
                    "them (o on its header follows it)"
                )
                if self.hornq.start_engine:
                    self.hornq.ensure_engine(announce=False)
                self.poller.wake()
            elif started is not None and started.jobs:
                job_ids = [job.id for job in started.jobs]
                count = len(job_ids)
                self.notify(f"queued a study of {count} jobs" if count > 1 else f"queued {job_ids[0][:8]}")
                self.queued(job_ids[0])

        self.app.push_screen(NewJobDialog(), submitted)

    def action_cancel_jobs(self) -> None:
        ids = [i for i in self.targets() if self.table.views[i].status in ACTIVE]
        if not ids:
            self.notify("nothing to cancel: the job has already finished", severity="warning")
            return
        note = "Running jobs get the grace period, then are killed."
        self.confirm("Cancel", ids, note, lambda: self.act("cancel", ids, stop))

    def action_delete_jobs(self) -> None:
        targets = self.targets()
        active = [i for i in targets if self.table.views[i].status in ACTIVE]
        ids = [i for i in targets if i not in active]
        if active:
            self.notify(f"{len(active)} job(s) still queued or running: cancel them first", severity="warning")
        if ids:
            call = partial(delete, home=self.hornq.home)
            self.confirm("Delete", ids, "Results, mesh and log go with them.", lambda: self.act("delete", ids, call))

    def action_rerun(self) -> None:
        """On the cursor's job or a study's header, at once; on marked jobs, after naming them."""
        table = self.table
        ids = self.targets()
        if table.marked or table.selected_study:
            ids = [i for i in ids if table.views[i].status in (Status.ERROR, Status.CANCELLED)]
            if not ids:
                self.notify("none of the jobs failed or was cancelled", severity="warning")
                return
        if table.marked:
            note = "Each is queued again with its config; the failed ones stay in the history."
            self.confirm("Re-run", ids, note, lambda: self.act("re-run", ids, rerun))
        elif ids:
            self.act("re-run", ids, rerun)

    def action_rerun_edited(self) -> None:
        if self.table.selected_id:
            self.load_config(self.table.selected_id)

    @work(thread=True, group="edit", exclusive=True)
    def load_config(self, job_id: str) -> None:
        try:
            job = jobs.get(job_id)
            self.post_message(ConfigLoaded(job_id, job.label, dumps(jobs.stored_config(job))))
        except Exception as exc:  # shown as a toast naming the job
            self.post_message(failed(f"edit {job_id[:8]}", exc))

    def on_config_loaded(self, message: ConfigLoaded) -> None:
        edited = self.hornq.edit_text(message.text, suffix=".toml")
        if edited is not None:
            self.submit_edited(edited, message.label)

    @work(thread=True, group="edit", exclusive=True)
    def submit_edited(self, text: str, label: str | None) -> None:
        try:
            new = jobs.submit(parse_config(tomllib.loads(text), Path("/"), label=label))
        except tomllib.TOMLDecodeError as exc:
            self.post_message(Notice(f"not queued: invalid TOML: {exc}", "error"))
        except Exception as exc:  # refused config or storage trouble: nothing was queued
            self.post_message(failed("not queued", exc))
        else:
            self.post_message(JobsQueued([new.id]))

    def on_jobs_queued(self, message: JobsQueued) -> None:
        self.notify(f"queued {message.job_ids[0][:8]}")
        self.queued(message.job_ids[0])

    def action_label(self) -> None:
        ids = self.targets()
        if not ids:
            return
        current = self.table.views[ids[0]].label or ""

        def check(text: str) -> str | None:
            try:
                check_label(text)
            except HornqError as exc:
                return str(exc)
            return None

        def labelled(text: str | None) -> None:
            if text is not None:
                self.act("label", ids, partial(label, text=text))

        title = f"Label for {self.table.what(ids)}"
        if len(ids) > 1:
            title += " (" + ", ".join(i[:8] for i in ids[:3]) + (", …" if len(ids) > 3 else "") + ")"
        self.app.push_screen(InputDialog(title, current, validate=check), labelled)

    def action_export(self) -> None:
        views = self.table.views
        ids = [i for i in self.targets() if views[i].has_results and entry(views[i].kind, "export_results") is not None]
        if not ids:
            self.notify("export needs a complete job with results to export (a horn job)", severity="warning")
            return

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                self.export(ids, *choice)

        title = f"Export results of {self.table.what(ids)}"
        self.app.push_screen(ExportJobsDialog(title, str(Path.cwd() / "hornq-export")), chosen)

    @work(thread=True, group="export")
    def export(self, ids: list[str], fmt: str, directory: str) -> None:
        """Export each job's results into directory/<label or id>; stops at the first job that fails. The report
        is one picture of all the jobs (overlaid when several), as ``hornq report`` draws it."""
        if fmt == "report":
            try:
                self.post_message(ExportDone(ids, 1, str(write_report(ids, Path(directory).expanduser())), None))
            except Exception as exc:  # named in the toast
                self.post_message(ExportDone(ids, 0, directory, f"report: {explain(exc)}"))
            return
        written = 0
        for job_id in ids:
            try:
                job = jobs.get(job_id)
                write = entry(job.kind, "export_results")
                written += len(write(jobs.results(job_id), Path(directory).expanduser(), fmt, jobs.export_name(job)))
            except Exception as exc:  # named in the toast with the job it stopped at
                self.post_message(ExportDone(ids, written, directory, f"export {job_id[:8]}: {explain(exc)}"))
                return
        self.post_message(ExportDone(ids, written, directory, None))

    def on_export_done(self, message: ExportDone) -> None:
        self.table.unmark(message.job_ids)
        if message.error:
            self.notify(message.error, severity="error", timeout=10, markup=False)
        if message.written or not message.error:
            self.notify(f"wrote {message.written} file(s) to {message.directory}", markup=False)

    def action_cap(self, step: int) -> None:
        self.change_cap(step)

    @work(thread=True, group="settings")
    def change_cap(self, step: int) -> None:
        """Read and write the cap in one transaction, so quick presses each count; below one job it stays."""
        try:
            with database.atomic():
                cap = settings.get("max_concurrent_jobs") + step
                if cap < 1:
                    self.post_message(Notice("at least 1 job runs at once", "warning"))
                    return
                cap = settings.set_value("max_concurrent_jobs", str(cap))
        except Exception as exc:  # a refused value or a busy database: the cap stays as it was
            self.post_message(failed("concurrency cap", exc))
            return
        self.post_message(Notice(f"up to {cap} job(s) run at once"))
        self.poller.wake()

    def action_start_engine(self) -> None:
        self.hornq.ensure_engine(announce=True)

    def action_compare(self) -> None:
        request = compare.request(self.table)
        if request is None:
            self.notify("select a job or a study to compare (or mark several jobs)", severity="warning")
            return
        self.load_comparison(*request)

    @work(thread=True, group="compare", exclusive=True)
    def load_comparison(self, ids: list[str], study_id: str | None) -> None:
        try:
            chosen = compare.load(ids, study_id)
        except Exception as exc:  # no metrics to compare, or storage trouble
            self.post_message(failed("compare", exc))
            return
        if chosen is None:
            self.post_message(Notice("the study was deleted", "warning"))
        else:
            self.post_message(ComparisonLoaded(chosen))

    def on_comparison_loaded(self, message: ComparisonLoaded) -> None:
        self.app.push_screen(compare.ComparisonScreen(message.comparison))


def stop(job_id: str) -> None:
    jobs.request_stop(job_id)


def delete(job_id: str, home: Home) -> None:
    jobs.delete(job_id, home)


def rerun(job_id: str) -> str:
    return jobs.rerun(job_id).id


def label(job_id: str, text: str) -> None:
    jobs.set_label(job_id, text)


class ExportJobsDialog(ExportDialog):
    """The export dialog, titled with the jobs it exports; the export itself runs after it closes."""

    def __init__(self, title: str, directory: str) -> None:
        super().__init__(directory, lambda fmt, directory: None if directory else "give a directory")
        self.title_text = title

    def on_mount(self) -> None:
        self.query_one(".dialog-title", Label).update(self.title_text)
