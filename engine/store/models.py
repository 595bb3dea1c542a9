"""Peewee models: the database is the only channel between hornq's processes.

The schema itself is created by the migrations in ``engine.store.db``; these classes map onto it.
Heavy payloads (results, mesh artifacts) live in their own tables so listing jobs stays fast.
"""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CompositeKey,
    DatabaseProxy,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

database = DatabaseProxy()


def utcnow() -> str:
    """ISO 8601 timestamp in UTC with its offset: sortable as text and unambiguous for scripts."""
    return datetime.now(UTC).isoformat()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Job(BaseModel):
    id = TextField(primary_key=True)
    kind = TextField()
    status = TextField()
    created_at = TextField()
    updated_at = TextField()
    queued_at = TextField()
    started_at = TextField(null=True)
    completed_at = TextField(null=True)
    queue_seq = IntegerField()
    progress = FloatField(default=0.0)
    stage = TextField(null=True)
    stage_message = TextField(null=True)
    error_message = TextField(null=True)
    cancellation_requested = BooleanField(default=False)
    config_json = TextField()
    config_summary_json = TextField()
    has_results = BooleanField(default=False)
    has_mesh_artifact = BooleanField(default=False)
    label = TextField(null=True)
    executor = TextField(default="local")
    external_id = TextField(null=True)
    worker_pid = IntegerField(null=True)
    worker_start_ticks = IntegerField(null=True)
    exit_code = IntegerField(null=True)
    change_seq = IntegerField()
    study_id = TextField(null=True)
    study_values_json = TextField(null=True)
    remaining_s = FloatField(null=True)
    remaining_at = TextField(null=True)


class Study(BaseModel):
    """A design study: jobs expanded from one config by varying parameters (``engine.store.studies``)."""

    id = TextField(primary_key=True)
    name = TextField()
    mode = TextField()
    parameters_json = TextField()
    created_at = TextField()


class JobMetrics(BaseModel):
    """Figures of merit of a complete job (from its solver plugin), kept apart from its fixed results JSON."""

    job = ForeignKeyField(Job, primary_key=True, on_delete="CASCADE", column_name="job_id")
    version = IntegerField()
    metrics_json = TextField()


class JobResult(BaseModel):
    job = ForeignKeyField(Job, primary_key=True, on_delete="CASCADE", column_name="job_id")
    results_json = TextField()


class JobArtifact(BaseModel):
    job = ForeignKeyField(Job, on_delete="CASCADE", column_name="job_id")
    name = TextField()
    content = TextField()

    class Meta:
        primary_key = CompositeKey("job", "name")


class JobEvent(BaseModel):
    job = ForeignKeyField(Job, on_delete="CASCADE", column_name="job_id")
    from_status = TextField(null=True)
    to_status = TextField()
    at = TextField()
    source = TextField()
    message = TextField(null=True)


class JobTombstone(BaseModel):
    """A deleted job, so readers polling by change_seq learn that a row went away."""

    job_id = TextField(primary_key=True)
    change_seq = IntegerField()


class EngineLease(BaseModel):
    """The single engine that owns this HORNQ_HOME (id is always 1)."""

    id = IntegerField(primary_key=True)
    token = TextField()
    pid = IntegerField()
    host = TextField()
    start_ticks = IntegerField()
    started_at = TextField()
    heartbeat_at = FloatField()
    stop_requested = TextField(null=True)


class Setting(BaseModel):
    key = TextField(primary_key=True)
    value_json = TextField()


class Counter(BaseModel):
    name = TextField(primary_key=True)
    value = IntegerField()


class Measurement(BaseModel):
    """Measured responses under a unique name, as a document shaped like its kind's results
    (``engine.store.measurements``)."""

    name = TextField(primary_key=True)
    kind = TextField()
    created_at = TextField()
    summary = TextField()
    document_json = TextField()


class Optimization(BaseModel):
    """What an optimize study optimises and the config its points are made from (``engine.store.optimize``)."""

    study = ForeignKeyField(Study, primary_key=True, on_delete="CASCADE", column_name="study_id")
    goal_json = TextField()
    base_json = TextField()
    ended_at = TextField(null=True)
    end_reason = TextField(null=True)


class Trial(BaseModel):
    """A point an optimize study's sampler proposed: its job and, once the job ended, what it scored."""

    study = ForeignKeyField(Study, on_delete="CASCADE", column_name="study_id")
    number = IntegerField()
    job = ForeignKeyField(Job, null=True, on_delete="SET NULL", column_name="job_id")
    values_json = TextField()
    state = TextField()
    objective = FloatField(null=True)
    feasible = BooleanField(null=True)
    message = TextField(null=True)

    class Meta:
        primary_key = CompositeKey("study", "number")
