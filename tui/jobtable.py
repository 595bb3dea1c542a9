"""The job table: rows keyed by job id, updated cell by cell, selection and marks kept across refreshes.

Marks belong to rows: a job that leaves the table (deleted, filtered out) loses its mark, so an action on the
marked jobs never reaches a job the user cannot see.

The table fits the terminal's width instead of scrolling sideways: on a narrow screen the columns that say least
about a running job go first (``fit_columns``), so its ETA and elapsed time stay in sight at 80 columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Self

from rich.text import Text, TextType
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey

from engine.store.watch import JobView
from engine.text import one_line
from tui import cells

COLUMNS = (
    ("mark", " ", 1),
    ("id", "ID", 8),
    ("label", "Label", 12),
    ("kind", "Kind", 5),
    ("status", "Status", 9),
    ("progress", "Progress", 13),
    ("message", "Stage", 28),
    ("elapsed", "Elapsed", 7),
    ("eta", "ETA", 7),
    ("queued", "Queued", 8),
)
COLUMN_KEYS = tuple(key for key, _, _ in COLUMNS)
#: The columns a narrow table gives up, in this order: the queued time (the ETA says more about a job), the stage
#: (the line under the table shows the selected job's in full), the kind, and last the label.
DROP_ORDER = ("queued", "message", "kind", "label")
#: Columns that shrink to this width before they go.
MIN_WIDTHS = {"message": 12, "label": 8}
#: How many jobs a confirmation lists by name before it says "and N more".
NAMED = 5
#: The column each sort orders by, whose header carries the sort's arrow; sorted by start, the time column shows
#: when each job started instead of when it was queued.
SORT_COLUMNS = {
    "created": "queued",
    "status": "status",
    "label": "label",
    "kind": "kind",
    "progress": "progress",
    "started": "queued",
}
SORT_KEYS: dict[str, Callable[[JobView], Any]] = {
    "created": lambda j: j.queue_seq,
    "status": lambda j: (j.status, j.queue_seq),
    "label": lambda j: ((j.label or "").lower(), j.queue_seq),
    "kind": lambda j: (j.kind, j.queue_seq),
    "progress": lambda j: (j.progress, j.queue_seq),
    "started": lambda j: (j.started_at or "", j.queue_seq),
}


def fit_columns(available: int, padding: int) -> dict[str, int]:
    """The columns that fit in ``available`` cells, with their widths (each column also takes ``2 * padding``).

    The stage takes the slack (the label once the stage is gone); when the columns do not fit, those of
    DROP_ORDER shrink to their MIN_WIDTHS or go, one after another, until the rest fit.
    """
    widths = {key: width for key, _, width in COLUMNS}
    for key in DROP_ORDER:
        excess = sum(width + 2 * padding for width in widths.values()) - available
        if excess <= 0:
            break
        if key in MIN_WIDTHS and widths[key] - excess >= MIN_WIDTHS[key]:
            widths[key] -= excess
            break
        del widths[key]
    slack = available - sum(width + 2 * padding for width in widths.values())
    grower = next((key for key in ("message", "label") if key in widths), None)
    if slack > 0 and grower is not None:
        widths[grower] += slack
    return widths


class IdCell(str):
    """The short id shown in the table, carrying the full id so sorting can find the job."""

    job_id: str

    def __new__(cls, job_id: str) -> IdCell:
        cell = super().__new__(cls, job_id[:8])
        cell.job_id = job_id
        return cell


class JobTable(DataTable):
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Detail",
            show=False,
            id="main.detail",
            tooltip="summary, timings, history of the job; on a study's header, fold it",
        ),
        Binding("space", "toggle_mark", "Mark", id="main.mark", tooltip="mark the job for a bulk action"),
    ]

    class SelectionChanged(Message):
        """The cursor moved, or the job under it changed or went: the strip under the table shows it again."""

        def __init__(self, job_id: str | None) -> None:
            super().__init__()
            self.job_id = job_id

    class CountsChanged(Message):
        """Rows or marks came or went (the status bar counts them)."""

    def __init__(self, now: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.now = now
        self.views: dict[str, JobView] = {}
        self.marked: set[str] = set()
        self.sort_name = "created"
        self.descending = True
        self.widths: dict[str, int] = {}  # the columns shown, in COLUMNS order, and their widths
        self.hidden_cells: dict[str, dict[str, Any]] = {}  # row key → the cells of the columns not shown

    def on_mount(self) -> None:
        self.lay_out({key: width for key, _, width in COLUMNS})

    def on_resize(self, event: events.Resize) -> None:
        """Fit the columns to the new width, leaving room for the vertical scrollbar that many rows bring."""
        self.lay_out(fit_columns(event.size.width - self.styles.scrollbar_size_vertical, self.cell_padding))

    def lay_out(self, widths: dict[str, int]) -> None:
        """Show these columns at these widths. The table has no way to hide a column or resize one in place, so
        it is built again with the same rows in the same order, the cursor on the same row."""
        if widths == self.widths:
            return
        rows = [self.row_cells(row.key.value) for row in self.ordered_rows]
        keys = [row.key.value for row in self.ordered_rows]
        cursor, scroll_y = self.cursor_row, self.scroll_y
        self.clear(columns=True)
        self.widths = dict(widths)
        for key, title, _ in COLUMNS:
            if key in widths:
                self.add_column(self.column_title(key, title), key=key, width=widths[key])
        for key, row in zip(keys, rows, strict=True):
            self.add_row(*row, key=key)
        if rows:
            self.move_cursor(row=cursor, animate=False, scroll=False)
            self.call_after_refresh(self.scroll_to, y=scroll_y, animate=False)

    def row_cells(self, row_key: str) -> list[Any]:
        """A row's cells in COLUMNS order, those of hidden columns included."""
        cells_ = dict(zip(self.widths, self.get_row(row_key), strict=True)) | self.hidden_cells[row_key]
        return [cells_[key] for key in COLUMN_KEYS]

    def add_row(
        self, *cells_: Any, height: int | None = 1, key: str | None = None, label: TextType | None = None
    ) -> RowKey:
        """Add a row from its cells for every column of COLUMNS; the cells of hidden columns are kept aside."""
        row = dict(zip(COLUMN_KEYS, cells_, strict=True))
        self.hidden_cells[key_text(key)] = {column: value for column, value in row.items() if column not in self.widths}
        return super().add_row(*(row[column] for column in self.widths), height=height, key=key, label=label)

    def update_cell(
        self, row_key: RowKey | str, column_key: ColumnKey | str, value: Any, *, update_width: bool = False
    ) -> None:
        """Update a cell, shown or kept aside."""
        if column_key in self.widths:
            super().update_cell(row_key, column_key, value, update_width=update_width)
        else:
            self.hidden_cells[key_text(row_key)][key_text(column_key)] = value

    def get_cell(self, row_key: RowKey | str, column_key: ColumnKey | str) -> Any:
        """A cell's value, shown or kept aside."""
        if column_key in self.widths:
            return super().get_cell(row_key, column_key)
        try:
            return self.hidden_cells[key_text(row_key)][key_text(column_key)]
        except KeyError:
            raise CellDoesNotExist(f"no cell at row {row_key!r}, column {column_key!r}") from None

    def remove_row(self, row_key: RowKey | str) -> None:
        super().remove_row(row_key)
        self.hidden_cells.pop(key_text(row_key), None)

    def clear(self, columns: bool = False) -> Self:
        self.hidden_cells.clear()
        return super().clear(columns)

    def column_title(self, key: str, title: str) -> Text:
        """A column's header, with an arrow on the column the rows are sorted by."""
        if key == "queued" and self.sort_name == "started":
            title = "Started"
        if SORT_COLUMNS[self.sort_name] == key:
            return Text.assemble(title, ("↓" if self.descending else "↑", "bold"))
        return Text(title)

    def time_of(self, job: JobView) -> str | None:
        """What the time column shows: when the job started if that is the sort, else when it was queued."""
        return job.started_at if self.sort_name == "started" else job.queued_at

    @property
    def selected_id(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def targets(self) -> list[str]:
        """Marked jobs if any, else the selected one: what an action applies to."""
        if self.marked:
            return [job_id for job_id in self.views if job_id in self.marked]
        return [self.selected_id] if self.selected_id else []

    def what(self, ids: list[str]) -> str:
        """The jobs an action acts on, said the way a confirmation asks: ``job 3f2a9c1e (label)``, ``2 marked
        jobs``. The label is user text: dialogs show it as plain text, never as markup."""
        if self.marked:
            return f"{len(ids)} marked job" + ("s" if len(ids) != 1 else "")
        if len(ids) == 1:
            return job_name(self.views[ids[0]])
        return f"{len(ids)} jobs"

    def listing(self, ids: list[str]) -> str:
        """The jobs, one per line (id, status, label), the first few by name and then "and N more"; when the
        action acts on marks, a line saying so if the row under the cursor is not among them."""
        lines = [job_line(self.views[job_id]) for job_id in ids[:NAMED]]
        if len(ids) > NAMED:
            lines.append(f"and {len(ids) - NAMED} more")
        cursor = self.selected_id
        if self.marked and cursor and cursor not in ids:
            lines.append(f"(the row under the cursor, {cursor[:8]}, is not marked: it is left alone)")
        return "\n".join(lines)

    def _cells(self, job: JobView) -> dict[str, Any]:
        now = self.now()
        return {
            "mark": Text("●", style="bold yellow") if job.id in self.marked else "",
            "id": IdCell(job.id),
            "label": cells.label(job),
            "kind": Text("cmd" if job.kind == "command" else job.kind),
            "status": cells.status_text(job.status),
            "progress": cells.progress_bar(job),
            "message": cells.message(job),
            "elapsed": cells.duration(cells.elapsed_s(job, now)),
            "eta": cells.duration(cells.eta_s(job, now)),
            "queued": cells.short_time(self.time_of(job), now),
        }

    def replace_all(self, jobs: Iterable[JobView], keep: str | None = None) -> None:
        """Load a new window (filter or sort changed): the one place rows are rebuilt."""
        keep = keep or self.selected_id
        self.clear()
        self.views = {}
        self.upsert(jobs, keep=keep)
        if self.marked - set(self.views):
            self.unmark(self.marked - set(self.views))

    def upsert(self, jobs: Iterable[JobView], keep: str | None = None) -> None:
        """Add new rows and update changed cells in place, keeping the cursor on the same job."""
        keep = keep or self.selected_id
        added = False
        for job in jobs:
            old = self.views.get(job.id)
            self.views[job.id] = job
            new_cells = self._cells(job)
            if old is None:
                self.add_row(*new_cells.values(), key=job.id)
                added = True
                continue
            old_cells = self._cells(old)
            for column, value in new_cells.items():
                if value != old_cells[column] or column in ("elapsed", "eta"):
                    self.update_cell(job.id, column, value)
        if added or self.sort_name in ("status", "progress", "label", "started"):
            self.resort()
            self.reselect(keep)
        elif keep != self.selected_id:  # rows stayed in place: move the cursor only if asked to (it costs ms)
            self.reselect(keep)
        self.post_message(self.SelectionChanged(self.selected_id))

    def remove(self, job_ids: Iterable[str]) -> int:
        """Remove the jobs' rows (and their marks); returns how many the table held."""
        keep = self.selected_id
        removed = [job_id for job_id in dict.fromkeys(job_ids) if job_id in self.views]
        for job_id in removed:
            del self.views[job_id]
            self.remove_row(job_id)
        self.unmark(removed)
        self.reselect(keep)
        if removed:
            self.post_message(self.SelectionChanged(self.selected_id))
            self.post_message(self.CountsChanged())
        return len(removed)

    def tick(self) -> None:
        """Advance elapsed and ETA of running jobs between polls."""
        now = self.now()
        for job in self.views.values():
            if job.status == "running":
                self.update_cell(job.id, "elapsed", cells.duration(cells.elapsed_s(job, now)))
                self.update_cell(job.id, "eta", cells.duration(cells.eta_s(job, now)))

    def set_sort(self, name: str, descending: bool) -> None:
        times_changed = (name == "started") != (self.sort_name == "started")
        self.sort_name, self.descending = name, descending
        for key, title, _ in COLUMNS:
            if key in self.widths:
                self.columns[ColumnKey(key)].label = self.column_title(key, title)
        if times_changed:
            self.refresh_times()
        self.resort()  # also redraws the headers
        self.reselect(self.selected_id)

    def refresh_times(self) -> None:
        for job in self.views.values():
            if job.id in self.rows:
                self.update_cell(job.id, "queued", self._cells(job)["queued"])

    def resort(self) -> None:
        by = SORT_KEYS[self.sort_name]
        self.sort("id", key=lambda cell: by(self.views[cell.job_id]), reverse=self.descending)

    def reselect(self, job_id: str | None) -> None:
        if job_id and job_id in self.views:
            self.move_cursor(row=self.get_row_index(job_id), animate=False)

    def clear_marks(self) -> None:
        self.unmark(set(self.marked))

    def unmark(self, job_ids: Iterable[str]) -> None:
        """Clear the marks of these jobs (those the table still shows lose the dot)."""
        unmarked = self.marked & set(job_ids)
        if not unmarked:
            return
        self.marked -= unmarked
        for job_id in unmarked:
            if job_id in self.rows:
                self.update_cell(job_id, "mark", "")
        self.post_message(self.CountsChanged())

    def action_toggle_mark(self) -> None:
        job_id = self.selected_id
        if job_id is None:
            return
        self.marked.symmetric_difference_update({job_id})
        self.update_cell(job_id, "mark", self._cells(self.views[job_id])["mark"])
        self.move_cursor(row=min(self.cursor_row + 1, self.row_count - 1))
        self.post_message(self.CountsChanged())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.SelectionChanged(event.row_key.value))


def key_text(key: RowKey | ColumnKey | str | None) -> str:
    return str(key.value) if isinstance(key, RowKey | ColumnKey) else str(key)


def job_name(job: JobView) -> str:
    """``job 3f2a9c1e (rosse 40)``: the short id, and the label when there is one."""
    return f"job {job.id[:8]}" + (f" ({one_line(job.label, 40)})" if job.label else "")


def job_line(job: JobView) -> str:
    return f"{job.id[:8]}  {job.status:<9}  {one_line(job.label or '', 40)}".rstrip()
