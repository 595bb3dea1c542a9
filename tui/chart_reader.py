"""The results a chart screen shows, read again while their jobs run, so the charts of a running job grow as
its worker solves frequencies and end on its final results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.paths import Home
from engine.run.partial import partial_results
from engine.solvers import entry
from engine.store import jobs
from engine.store.lifecycle import ACTIVE
from engine.store.models import Job
from tui.plotting import ChartedJob, Results, distinct_names


class ChartReader:
    """The results of the charted jobs: read once for all of them, then again for those still queued or running,
    until each has ended with its complete results (or the partial ones stored when it failed or was cancelled).

    The jobs charted and their names are set by the first read; a job deleted meanwhile keeps its last results.
    One read runs at a time, in a worker thread, so only that thread touches the reader.
    """

    def __init__(self, home: Home, ids: Sequence[str], names: Mapping[str, str] | None = None) -> None:
        self.home = home
        self.ids = list(ids)
        self.names = dict(names or {})
        self.labels: dict[str, str] = {}
        self.results: dict[str, Results] = {}
        self.active: set[str] = set()

    @property
    def charted(self) -> list[ChartedJob]:
        return [(label, self.results[job_id]) for job_id, label in self.labels.items()]

    def open(self) -> list[ChartedJob]:
        """The jobs that have charts and results (complete, or solved so far), each named by the name it was
        given, else its label, else its short id; jobs that share a name are told apart by their short ids."""
        named = []
        for job_id in self.ids:
            job = Job.get_or_none(Job.id == job_id)
            if job is None or not entry(job.kind, "CHARTS"):
                continue
            results = self._results(job)
            if results is not None:
                named.append((job_id, self.names.get(job_id) or job.label))
                self.results[job_id] = results
                self._track(job)
        self.labels = dict(zip([job_id for job_id, _ in named], distinct_names(named), strict=True))
        return self.charted

    def refresh(self) -> bool:
        """Read again the jobs still queued or running; whether any of their results changed."""
        changed = False
        for job_id in sorted(self.active):
            job = Job.get_or_none(Job.id == job_id)
            if job is None:
                self.active.discard(job_id)
                continue
            results = self._results(job)
            if results is not None and results != self.results[job_id]:
                self.results[job_id] = results
                changed = True
            self._track(job)
        return changed

    def _results(self, job: Job) -> Results | None:
        return jobs.results(job.id) if job.has_results else partial_results(self.home, job)

    def _track(self, job: Job) -> None:
        """Read a job again while it may still solve frequencies or store its final results."""
        if job.status in ACTIVE:
            self.active.add(job.id)
        else:
            self.active.discard(job.id)
