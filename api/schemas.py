"""Request and response models of the API (every field documented for ``/docs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BudgetPublic",
    "ComparisonPublic",
    "CriticalPathPublic",
    "ErrorPublic",
    "GanttDependency",
    "GanttPublic",
    "GanttTask",
    "HealthPublic",
    "IssuePublic",
    "KeyCreate",
    "KeyCreated",
    "KeyPublic",
    "NetworkPublic",
    "PlanCreate",
    "PlanPublic",
    "ProgressPublic",
    "ResourcesPublic",
    "Role",
    "ScheduleCreate",
    "ScheduleCreated",
    "SchedulePublic",
    "ScheduleStatus",
    "ScheduleSummary",
    "VersionPublic",
]

Role = Literal["planner", "ministry", "admin"]
ScheduleStatus = Literal[
    "queued", "running", "optimal", "feasible", "infeasible", "unknown", "failed", "cancelled"
]
Objective = Literal["makespan", "weighted_completion", "tardiness", "stability"]


class IssuePublic(BaseModel):
    """One problem found in the input, at a place a planner can find."""

    sheet: str = Field(description="Sheet name as the planner sees it; '' for the whole file.")
    row: int | None = Field(
        default=None, description="Row as Excel shows it (1-based, header = 1)."
    )
    column: str = Field(default="", description="Column header as written in the workbook.")
    message: str = Field(description="A sentence in the planner's words.")
    severity: Literal["error", "warning"] = Field(
        default="error",
        description="'error' blocks solving; 'warning' is reported and solving goes on.",
    )


class ErrorPublic(BaseModel):
    """Every error answer: a sentence, plus the input issues when there are some."""

    detail: Any = Field(description="What went wrong: a sentence naming the place.")
    issues: list[IssuePublic] | None = Field(
        default=None,
        description="For an invalid plan: the problems found, with sheet, row, column; "
        "at most 20 of each kind (severity, sheet, column), texts cut to 500 characters.",
    )
    issue_count: int | None = Field(
        default=None, description="For an invalid plan: how many problems were found in all."
    )
    omitted: list[dict[str, Any]] | None = Field(
        default=None,
        description="For an invalid plan: per kind left out of `issues`, "
        "`{severity, sheet, column, count}`.",
    )
    error_count: int | None = Field(
        default=None, description="For a request over 50 schema errors: how many there were."
    )
    status: str | None = Field(default=None, description="Schedule status, when it explains a 409.")
    errors: list[dict[str, Any]] | None = Field(
        default=None,
        description="For a request that does not match its schema (422): FastAPI's list of "
        "errors (loc, msg, type; input cut to 200 characters).",
    )


# -- plans ---------------------------------------------------------------------------------
class PlanCreate(BaseModel):
    """A plan sent as JSON: the workbook's tables, one list of rows per sheet."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "Sample",
                "tables": {
                    "Settings": [{"key": "plan_start", "value": "2027-01-04"}],
                    "Regions": [{"id": "SEL", "name": "Seoul"}],
                    "Activities": [
                        {
                            "id": "A",
                            "name": "Survey",
                            "sector": "road",
                            "region_from": "SEL",
                            "duration": 5,
                        }
                    ],
                },
            }
        }
    )

    name: str | None = Field(
        default=None,
        max_length=500,
        description="Plan name; default: the Settings sheet's plan_name.",
    )
    tables: dict[str, list[dict[str, Any]]] = Field(
        description="Sheet name → rows (column → value), the columns of SPEC §3 "
        "(Settings, Regions, Activities, Dependencies, Resources, Demands, Budget, Blackouts)."
    )


class PlanPublic(BaseModel):
    """A stored plan."""

    id: int = Field(description="Plan id.")
    name: str = Field(description="Plan name (may be Korean).")
    filename: str = Field(description="File name as uploaded ('' for JSON uploads).")
    source_format: str = Field(description="'xlsx' for a workbook upload, 'json' for tables.")
    size_bytes: int = Field(description="Size of the upload as received, in bytes.")
    sha256: str = Field(description="SHA-256 of the upload exactly as received (hex).")
    activity_count: int = Field(description="Number of activities in the plan.")
    issues: list[IssuePublic] = Field(description="Validation warnings (nothing blocking).")
    created_at: datetime = Field(description="When the plan was uploaded (UTC).")


# -- schedules -----------------------------------------------------------------------------
class ScheduleCreate(BaseModel):
    """Options of one solve; every field optional."""

    model_config = ConfigDict(extra="forbid")

    objective: Objective | None = Field(
        default=None,
        description="Objective; default: the plan's (Settings sheet) or 'makespan'. With a "
        "baseline, 'stability' follows it (the default is then makespan, stability); "
        "'stability' alone needs baseline_schedule_id.",
    )
    baseline_schedule_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="A solved schedule (optimal or feasible, of this plan or one with the "
        "same activity ids) to re-plan against: the objectives become the plan's then "
        "'stability' (the least weighted shift of unstarted activities from their baseline "
        "starts), and the document gets baseline_start, baseline_finish, "
        "start_variance_days, finish_variance_days per activity and baseline_finish, "
        "finish_variance_days (grid slots, positive = later). 404 when it does not exist, "
        "422 when it has no plan or does not fit this plan.",
    )
    time_limit_s: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Solver time limit in seconds; default and maximum set by the server "
        "(INFRAPLAN_SOLVE_TIME_LIMIT_S, INFRAPLAN_MAX_TIME_LIMIT_S; the maximum is also "
        "given here as `maximum`).",
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        le=2**31 - 1,
        description="Random seed of the search (default 0); it changes nothing else.",
    )
    repeatable: bool | None = Field(
        default=None,
        description="Repeatable run: the same plan, seed and workers give the same schedule "
        "(the time limit becomes a work budget calibrated to about the same wall time on an "
        "idle machine; the document's `repeatable` says whether the run was in fact "
        "repeatable). Default: the plan's Settings, else false.",
    )


class ScheduleCreated(BaseModel):
    """A solve was queued."""

    id: int = Field(description="Schedule id.")
    plan_id: int = Field(description="Plan id.")
    version: int = Field(description="Version of this schedule within its plan (1, 2, ...).")
    status: ScheduleStatus = Field(description="Always 'queued' here.")


class ProgressPublic(BaseModel):
    """How far a solve got."""

    objective: float | None = Field(
        default=None, description="Best objective found so far (makespan: days / grid slots)."
    )
    bound: float | None = Field(default=None, description="Best proven bound of the objective.")
    elapsed_s: float | None = Field(default=None, description="Seconds spent solving so far.")


class ScheduleSummary(BaseModel):
    """A schedule version without its document."""

    id: int = Field(description="Schedule id.")
    plan_id: int = Field(description="Plan id.")
    version: int = Field(description="Version within the plan (1, 2, ...).")
    status: ScheduleStatus = Field(
        description="queued | running | optimal | feasible | infeasible | unknown (no plan "
        "found within the time limit, nothing proven) | failed | cancelled."
    )
    reason: str | None = Field(
        default=None,
        description="Why it failed or was cancelled ('interrupted': the server stopped).",
    )
    options: dict[str, Any] = Field(description="Solver options used (time_limit_s, seed, ...).")
    progress: ProgressPublic = Field(description="Best objective, bound and elapsed seconds.")
    created_at: datetime = Field(description="When the solve was asked for (UTC).")
    started_at: datetime | None = Field(default=None, description="When solving began (UTC).")
    finished_at: datetime | None = Field(default=None, description="When it ended (UTC).")


class SchedulePublic(ScheduleSummary):
    """A schedule version with the whole schedule document once the solve has ended."""

    document: dict[str, Any] | None = Field(
        default=None,
        description="The schedule document (status, makespan_days, finish, objective, bound, "
        "gap, solve_seconds, critical_path, activities with start/finish/ES/EF/LS/LF/floats, "
        "budget, resources, issues, conflicts when infeasible); null until the solve ends.",
    )


class VersionPublic(BaseModel):
    """A schedule version with the figures a planner compares side by side."""

    id: int = Field(description="Schedule id.")
    plan_id: int = Field(description="Plan id.")
    version: int = Field(description="Version within the plan (1, 2, ...).")
    status: ScheduleStatus = Field(description="queued | running | optimal | feasible | ...")
    reason: str | None = Field(default=None, description="Why it failed, or a note.")
    finish: str | None = Field(default=None, description="Last day worked, YYYY-MM-DD.")
    makespan_days: int | None = Field(default=None, description="Plan length in grid slots.")
    objective: float | None = Field(default=None, description="Objective value reached.")
    objective_kind: str | None = Field(
        default=None, description="makespan, weighted_completion, tardiness or stability."
    )
    bound: float | None = Field(default=None, description="Best proven bound.")
    gap: float | None = Field(default=None, description="Relative gap (0 = proven optimal).")
    solve_seconds: float | None = Field(default=None, description="Seconds spent solving.")
    options: dict[str, Any] = Field(description="Solver options used (time_limit_s, ...).")
    has_report: bool = Field(description="True when the Excel report can be downloaded.")
    created_by: dict[str, str] | None = Field(
        default=None, description="Who asked for it: the key's name, role and prefix."
    )
    created_at: datetime = Field(description="When the solve was asked for (UTC).")
    started_at: datetime | None = Field(default=None, description="When solving began (UTC).")
    finished_at: datetime | None = Field(default=None, description="When it ended (UTC).")


# -- views ---------------------------------------------------------------------------------
class GanttDependency(BaseModel):
    """A dependency as drawn in the Gantt."""

    predecessor: str = Field(description="Predecessor activity id.")
    type: Literal["FS", "SS", "FF", "SF"] = Field(description="Dependency type.")
    lag_days: int = Field(description="Lag in grid slots (days or working days); < 0 is a lead.")


class GanttTask(BaseModel):
    """One bar; the first seven fields are what frappe-gantt reads as-is."""

    id: str = Field(description="Activity id.")
    name: str = Field(description="Activity name.")
    start: str = Field(description="First day worked, YYYY-MM-DD.")
    end: str = Field(description="Last day worked (inclusive), YYYY-MM-DD (= finish).")
    progress: int = Field(
        description="Percent complete at the data date: 100 when complete, the share of the "
        "duration no longer remaining when in progress, else 0."
    )
    dependencies: str = Field(description="Predecessor ids, comma-separated.")
    custom_class: str = Field(description="'critical' on the critical path, else ''.")
    finish: str = Field(description="Same as end: last day worked (inclusive).")
    project: str = Field(description="Project (WBS group).")
    sector: str = Field(description="Sector (road, rail, dam, grid, telecom, gas, water).")
    duration_days: int = Field(description="Duration in grid slots (0 = milestone).")
    critical: bool = Field(description="On the logic critical (longest) path.")
    driving: bool = Field(description="On the driving path of the solved plan.")
    total_float_days: int | None = Field(
        default=None, description="Total float of the logic network (P6's), in grid slots."
    )
    plan_float_days: int | None = Field(
        default=None,
        description=(
            "Plan float of the solved (leveled) plan, in grid slots: how far the activity "
            "can slip without moving the finish or breaking a crew, budget cap or blackout."
        ),
    )
    free_float_days: int | None = Field(default=None, description="Free float in grid slots.")
    es: str | None = Field(default=None, description="Early start (logic CPM), YYYY-MM-DD.")
    ef: str | None = Field(default=None, description="Early finish (inclusive), YYYY-MM-DD.")
    ls: str | None = Field(default=None, description="Late start, YYYY-MM-DD.")
    lf: str | None = Field(default=None, description="Late finish (inclusive), YYYY-MM-DD.")
    demands: dict[str, float] = Field(
        default_factory=dict, description="Resource id → amount used per day while it runs."
    )
    driving_links: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Links of the driving path into this activity: predecessor, kind, detail.",
    )
    links: list[GanttDependency] = Field(description="Predecessors with type and lag.")
    progress_status: str = Field(
        default="not_started", description="not_started, in_progress or complete."
    )
    actual_start: str | None = Field(default=None, description="Actual start, YYYY-MM-DD.")
    actual_finish: str | None = Field(
        default=None, description="Actual finish (last day worked), YYYY-MM-DD."
    )
    remaining_days: int | None = Field(
        default=None, description="Work left at the data date, in grid slots."
    )


class GanttPublic(BaseModel):
    """The Gantt of one schedule."""

    schedule_id: int = Field(description="Schedule id.")
    plan_id: int | None = Field(default=None, description="Plan id.")
    version: int = Field(description="Schedule version within its plan.")
    status: str | None = Field(default=None, description="Schedule status (optimal, feasible).")
    plan_name: str = Field(description="Plan name.")
    plan_start: str | None = Field(default=None, description="First day of the plan.")
    data_date: str | None = Field(
        default=None,
        description="Data date of a progressed plan (YYYY-MM-DD; work before it is actual),"
        " null without progress.",
    )
    finish: str | None = Field(default=None, description="Last day worked of the whole plan.")
    horizon_end: str | None = Field(
        default=None, description="Last day inside the plan's horizon (e.g. 24 months)."
    )
    calendar: str | None = Field(default=None, description="Grid: calendar or workdays-kr.")
    makespan_days: int | None = Field(default=None, description="Plan length in grid slots.")
    projects: list[str] = Field(description="Projects in order of first start (grouping).")
    tasks: list[GanttTask] = Field(description="One task per activity, grouped by project.")


class ComparisonPublic(BaseModel):
    """A schedule against another as its baseline (``GET /schedules/{id}/compare/{other}``)."""

    schedule_id: int = Field(description="The schedule measured.")
    baseline_schedule_id: int = Field(description="The schedule taken as its baseline.")
    baseline: str = Field(description="The baseline's name ('schedule 7').")
    finish: str = Field(description="The schedule's finish (last day worked, YYYY-MM-DD).")
    baseline_finish: str = Field(description="The baseline's finish on the same grid.")
    finish_variance_days: int = Field(
        description="finish - baseline_finish in grid slots (positive = later)."
    )
    variance_unit: str = Field(description="'days' (calendar plan) or 'working days'.")
    moved_activities: int = Field(description="Activities that start on another slot.")
    activities: list[dict[str, Any]] = Field(
        description="Per activity: id, name, progress_status, start, finish, baseline_start, "
        "baseline_finish, start_variance_days, finish_variance_days (null: not in the "
        "baseline)."
    )
    slipped: list[dict[str, Any]] = Field(
        description="Activities later than the baseline, most slipped first (finish then "
        "start variance): id, name, the two variances, driven_by {kind: logic | "
        "resource | budget | blackout | constraint | progress | duration | none, "
        "predecessor, detail}: what drove the slip (the link that keeps it from starting a "
        "slot earlier; none: no link holds it, said in words), and duration_change: the "
        "duration change in words when the start slipped too and the duration changed, "
        "else null."
    )
    not_in_baseline: list[str] = Field(description="Activity ids the baseline lacks.")
    not_in_plan: list[str] = Field(description="Baseline ids no longer in the plan.")


class CriticalPathPublic(BaseModel):
    """Critical and driving paths of one schedule."""

    schedule_id: int = Field(description="Schedule id.")
    makespan_days: int | None = Field(default=None, description="Plan length in grid slots.")
    finish: str | None = Field(default=None, description="Last day worked of the whole plan.")
    critical_path: list[list[str]] = Field(
        description="Chains of the logic longest path, each a list of activity ids in order."
    )
    driving_path: list[str] = Field(description="Activity ids that fix the solved finish.")
    driving_links: list[dict[str, Any]] = Field(
        description="Links of the driving path: predecessor, successor, kind, detail."
    )
    activities: list[dict[str, Any]] = Field(
        description="Rows of the critical activities (id, name, start, finish, ES/EF/LS/LF, "
        "total and free float in days)."
    )


class ResourcesPublic(BaseModel):
    """Resource use against capacity per month."""

    schedule_id: int = Field(description="Schedule id.")
    resources: list[dict[str, Any]] = Field(
        description="Rows {resource, month (YYYY-MM), peak, average, capacity}: daily use."
    )


class BudgetPublic(BaseModel):
    """Spend against the caps (100M KRW)."""

    schedule_id: int = Field(description="Schedule id.")
    periods: list[dict[str, Any]] = Field(
        description="Per budget period (fiscal year): {period, from, to, spend, cap, within_cap}."
    )
    months: list[dict[str, Any]] = Field(
        description="Per month: {month (YYYY-MM), spend, cumulative} in 100M KRW."
    )


class NetworkPublic(BaseModel):
    """When each pair of regions is connected, per sector."""

    schedule_id: int = Field(description="Schedule id.")
    connections: list[dict[str, Any]] = Field(
        description="Rows from scheduler.network.connection_months: per sector and region "
        "pair, the month from which completed links connect them."
    )


# -- keys and health -----------------------------------------------------------------------
class KeyCreate(BaseModel):
    """A new API key."""

    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="planner (upload, solve, read), ministry (read), admin.")
    name: str = Field(default="", max_length=200, description="Who holds it, e.g. 'MOLIT roads'.")


class KeyPublic(BaseModel):
    """An API key as listed (never the key itself)."""

    id: int = Field(description="Key id.")
    name: str = Field(description="Who holds it.")
    role: Role = Field(description="Role of the key.")
    prefix: str = Field(description="First characters of the key, to recognise it.")
    created_at: datetime = Field(description="When it was made (UTC).")
    revoked: bool = Field(description="True once revoked (it no longer opens anything).")


class KeyCreated(KeyPublic):
    """A new API key: ``key`` is shown this once and never stored."""

    key: str = Field(description="The key to send as X-API-Key. Shown once.")


class HealthPublic(BaseModel):
    """Service health."""

    status: Literal["ok", "degraded"] = Field(
        description="'ok' when the database answers and the storage can be written."
    )
    database: str = Field(description="'ok' or the error met.")
    storage: str = Field(
        default="ok",
        description="'ok' when a small file can be written in every folder the server "
        "writes to (the SQLite file's and the temporary folder), else which cannot and why.",
    )
    version: str = Field(description="infraplan version.")
    queued: int = Field(description="Schedules waiting for a worker.")
    running: int = Field(description="Schedules being solved.")
    max_jobs: int = Field(description="Solves that may run at once.")
