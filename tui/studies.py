"""Studies in the job table: each study's jobs grouped under a header row that folds them away.

The header shows the study's name, what it varies and its progress (points whose latest attempt has finished,
out of all points, counted from the jobs the table holds). Folding a study removes its job rows but keeps the
jobs, so updates keep arriving; marks, cancel, re-run and compare on a header act on the study's jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.binding import Binding

from engine.config.sweeps import label_for
from engine.store.lifecycle import ACTIVE, TERMINAL, Status
from engine.store.studies import Title
from engine.store.watch import JobView
from engine.text import one_line
from tui import cells
from tui.jobtable import SORT_KEYS, IdCell, JobTable
from tui.optimize import OptimizationLoaded, OptimizationScreen, load

HEADER = "study:"
#: What the keys do on a study's header, as the line under the table says it.
STUDY_KEYS = (
    ("main.detail", "folds"),
    ("main.rerun", "re-runs failed points"),
    ("main.compare", "compares"),
    ("main.optimization", "optimisation"),
)


def header_key(study_id: str) -> str:
    return HEADER + study_id


class HeaderIdCell(IdCell):
    """The id cell of a header row: a fold marker and the study's short id; ``job_id`` holds the row key."""

    def __new__(cls, study_id: str, folded: bool) -> HeaderIdCell:
        cell = str.__new__(cls, ("▸ " if folded else "▾ ") + study_id[:6])
        cell.job_id = header_key(study_id)
        return cell


@dataclass(frozen=True)
class StudyProgress:
    """A study's points, each counted by its latest attempt among the given jobs."""

    points: int
    counts: dict[str, int]

    @classmethod
    def of(cls, members: Iterable[JobView], trials: int | None = None) -> StudyProgress:
        """``trials``: the points a running optimisation will try, of which its jobs are those proposed so far."""
        latest: dict[str, JobView] = {}
        for job in sorted(members, key=lambda j: j.queue_seq):
            latest[label_for(job.study_values or {}) or job.id] = job
        counts = {status.value: 0 for status in Status}
        for job in latest.values():
            counts[job.status] += 1
        return cls(max(len(latest), trials or 0), counts)

    @property
    def done(self) -> int:
        return sum(self.counts[status] for status in TERMINAL)

    @property
    def failed(self) -> int:
        return self.counts[Status.ERROR] + self.counts[Status.CANCELLED]

    @property
    def status(self) -> str:
        """The status whose colour the header takes: running while any point is active, else how it ended."""
        if any(self.counts[status] for status in ACTIVE) or self.done < self.points:
            return Status.RUNNING if self.counts[Status.RUNNING] else Status.QUEUED
        return Status.ERROR if self.failed else Status.COMPLETE


def row_order(views: Iterable[JobView], sort: str, descending: bool, folded: set[str]) -> list[str]:
    """Row keys top to bottom: jobs in the chosen order, each study's header where its first job falls, its
    jobs right below it in the same order (unless the study is folded)."""
    ordered = sorted(views, key=SORT_KEYS[sort], reverse=descending)
    groups: dict[str, list[str]] = {}
    for job in ordered:
        if job.study_id:
            groups.setdefault(job.study_id, []).append(job.id)
    keys: list[str] = []
    for job in ordered:
        if not job.study_id:
            keys.append(job.id)
        elif header_key(job.study_id) not in keys:
            keys.append(header_key(job.study_id))
            if job.study_id not in folded:
                keys.extend(groups[job.study_id])
    return keys


class StudyJobTable(JobTable):
    """The job table with studies grouped and foldable (``z``, or Enter on a header)."""

    BINDINGS = [
        Binding(
            "z",
            "toggle_study",
            "Fold",
            show=False,
            id="main.fold",
            tooltip="fold or unfold the study of the selected row (Enter on its header too)",
        ),
        Binding(
            "o",
            "optimization",
            "Optimization",
            show=False,
            id="main.optimization",
            tooltip="an optimize study's best design, objective per trial, and trials ranked by it",
        ),
    ]

    def __init__(self, now: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(now, **kwargs)
        self.study_names: dict[str, str] = {}
        self.study_trials: dict[str, int | None] = {}
        self.folded: set[str] = set()

    # ------------------------------------------------------------- what the cursor is on

    @property
    def cursor_key(self) -> str | None:
        """The row key under the cursor: a job id or a study header's key."""
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    @property
    def selected_id(self) -> str | None:
        key = self.cursor_key
        return None if key is None or key.startswith(HEADER) else key

    @property
    def selected_study(self) -> str | None:
        """The study of the header under the cursor (None on a job row)."""
        key = self.cursor_key
        return key[len(HEADER) :] if key and key.startswith(HEADER) else None

    def study_of_cursor(self) -> str | None:
        """The study of the row under the cursor, header or member."""
        job = self.views.get(self.selected_id or "")
        return self.selected_study or (job.study_id if job else None)

    def members(self, study_id: str) -> list[str]:
        return [job.id for job in self.views.values() if job.study_id == study_id]

    def targets(self) -> list[str]:
        """Marked jobs, else the jobs of the study under the cursor, else the selected job."""
        study = None if self.marked else self.selected_study
        return self.members(study) if study else super().targets()

    def what(self, ids: list[str]) -> str:
        study = None if self.marked else self.selected_study
        return f"{len(ids)} jobs" if study else super().what(ids)

    def listing(self, ids: list[str]) -> str:
        study = None if self.marked else self.selected_study
        listing = super().listing(ids)
        return f"of study {self.study_names.get(study, study[:8])}:\n{listing}" if study else listing

    def study_line(self, keys: Mapping[str, str]) -> Text:
        """The selection line for a header: name, progress, what the study varies, and the keys (binding id →
        key as typed) that act on it."""
        study = self.selected_study or ""
        progress = StudyProgress.of((self.views[i] for i in self.members(study)), self.study_trials.get(study))
        varied = sorted({name for i in self.members(study) for name in self.views[i].study_values or {}})
        line = Text.assemble(
            (self.study_names.get(study, study[:8]), "bold"),
            f"  study {study[:8]}  {progress.done}/{progress.points} points done",
        )
        if progress.failed:
            line.append(f", {progress.failed} failed or cancelled", style="red")
        acts = [f"{keys[i]} {what}" for i, what in STUDY_KEYS if i in keys]
        line.append("\n" + " · ".join([f"varies {', '.join(varied)}", *acts]))
        return line

    # ------------------------------------------------------------- rows

    def _cells(self, job: JobView) -> dict[str, Any]:
        cells_ = super()._cells(job)
        if job.study_values:
            cells_["label"] = Text(" " + label_for(job.study_values))
        return cells_

    def _header_cells(self, study_id: str) -> dict[str, Any]:
        members = [self.views[i] for i in self.members(study_id)]
        progress = StudyProgress.of(members, self.study_trials.get(study_id))
        status = Text(f"{progress.done}/{progress.points}", style=cells.STATUS_STYLES[progress.status])
        varied = sorted({name for job in members for name in job.study_values or {}})
        active = [f"{progress.counts[s]} {s}" for s in (Status.RUNNING, Status.QUEUED) if progress.counts[s]]
        failed = [f"{progress.failed} failed"] if progress.failed else []
        return {
            "mark": "",
            "id": HeaderIdCell(study_id, study_id in self.folded),
            "label": Text(self.study_names.get(study_id, "study"), style="bold"),
            "kind": "study",
            "status": status,
            "progress": cells.bar(progress.done / max(progress.points, 1), progress.status),
            "message": Text(
                " · ".join([*failed, *active, f"varies {', '.join(varied)}"]), style="red" if progress.failed else "dim"
            ),
            "elapsed": "",
            "eta": "",
            "queued": cells.short_time(min(filter(None, map(self.time_of, members)), default=None), self.now()),
        }

    def refresh_times(self) -> None:
        super().refresh_times()
        self._refresh_headers({job.study_id for job in self.views.values() if job.study_id})

    def _shown(self, job_id: str) -> bool:
        return job_id in self.rows

    def name_studies(self, titles: dict[str, Title]) -> None:
        """Study names and trials as the poller reads them (a header shows "study" until its name arrives)."""
        if titles:
            self.study_names.update({study_id: title.name for study_id, title in titles.items()})
            self.study_trials.update({study_id: title.trials for study_id, title in titles.items()})
            self._refresh_headers(titles)

    def upsert(self, jobs: Iterable[JobView], keep: str | None = None) -> None:
        """Jobs of folded studies are kept without rows; headers are added and refreshed as jobs arrive."""
        keep = keep or self.cursor_key
        incoming = list(jobs)
        studies = {job.study_id for job in incoming if job.study_id}
        for job in incoming:
            if job.study_id in self.folded:
                self.views[job.id] = job
        super().upsert([job for job in incoming if job.study_id not in self.folded], keep=keep)
        new_headers = [study for study in studies if header_key(study) not in self.rows]
        for study in new_headers:
            self.add_row(*self._header_cells(study).values(), key=header_key(study))
        self._refresh_headers(set(studies) - set(new_headers))
        if new_headers:
            self.resort()
            self.reselect(keep)

    def _refresh_headers(self, studies: Iterable[str]) -> None:
        for study in studies:
            if header_key(study) in self.rows and self.members(study):
                for column, value in self._header_cells(study).items():
                    self.update_cell(header_key(study), column, value)

    def remove(self, job_ids: Iterable[str]) -> int:
        keep = self.cursor_key
        touched = set()
        removed = []
        for job_id in job_ids:
            job = self.views.pop(job_id, None)
            if job is None:
                continue
            removed.append(job_id)
            if self._shown(job_id):
                self.remove_row(job_id)
            if job.study_id:
                touched.add(job.study_id)
        self.unmark(removed)
        for study in touched:
            if not self.members(study):
                self.remove_row(header_key(study))
                self.folded.discard(study)
        self._refresh_headers(touched)
        self.reselect(keep)
        if removed:
            self.post_message(self.SelectionChanged(self.selected_id))
            self.post_message(self.CountsChanged())
        return len(removed)

    def tick(self) -> None:
        now = self.now()
        for job in self.views.values():
            if job.status == "running" and self._shown(job.id):
                self.update_cell(job.id, "elapsed", cells.duration(cells.elapsed_s(job, now)))
                self.update_cell(job.id, "eta", cells.duration(cells.eta_s(job, now)))

    def resort(self) -> None:
        position = {
            key: i for i, key in enumerate(row_order(self.views.values(), self.sort_name, self.descending, self.folded))
        }
        self.sort("id", key=lambda cell: position.get(cell.job_id, len(position)))

    def reselect(self, key: str | None) -> None:
        """Put the cursor on a job, or on its study's header when the study is folded."""
        job = self.views.get(key or "")
        if job is not None and job.study_id in self.folded:
            key = header_key(job.study_id)
        if key and key in self.rows:
            self.move_cursor(row=self.get_row_index(key), animate=False)

    # ------------------------------------------------------------- optimisations

    def action_optimization(self) -> None:
        study = self.study_of_cursor()
        if study is None:
            self.notify("select an optimize study (its header or one of its jobs)", severity="warning")
            return
        self.load_optimization(study)

    @work(thread=True, group="optimization", exclusive=True)
    def load_optimization(self, study_id: str) -> None:
        try:
            found = load(study_id)
        except Exception as exc:  # storage trouble
            self.post_message(OptimizationLoaded(None, one_line(f"optimisation: {exc}", 200)))
            return
        self.post_message(OptimizationLoaded(found, None if found else "not an optimize study (C compares its points)"))

    def on_optimization_loaded(self, message: OptimizationLoaded) -> None:
        if message.optimization is None:
            self.notify(message.error or "", severity="warning")
            return
        self.app.push_screen(OptimizationScreen(message.optimization))

    # ------------------------------------------------------------- marks and folding

    def action_toggle_mark(self) -> None:
        """Mark a job; on a header, mark all of the study's jobs (or unmark them when all are marked)."""
        study = self.selected_study
        if study is None:
            super().action_toggle_mark()
            return
        ids = set(self.members(study))
        if ids <= self.marked:
            self.marked -= ids
        else:
            self.marked |= ids
        for job_id in ids:
            if self._shown(job_id):
                self.update_cell(job_id, "mark", self._cells(self.views[job_id])["mark"])
        self.move_cursor(row=min(self.cursor_row + 1, self.row_count - 1))
        self.post_message(self.CountsChanged())

    def action_toggle_study(self) -> None:
        study = self.study_of_cursor()
        if study is None:
            return
        members = [self.views[i] for i in self.members(study)]
        if study in self.folded:
            self.folded.discard(study)
            for job in members:
                self.add_row(*self._cells(job).values(), key=job.id)
        else:
            self.folded.add(study)
            for job in members:
                if self._shown(job.id):
                    self.remove_row(job.id)
        self._refresh_headers([study])
        self.resort()
        self.reselect(header_key(study))
