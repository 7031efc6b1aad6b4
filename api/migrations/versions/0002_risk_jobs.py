"""risk jobs: Monte Carlo analyses of solved schedules

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("progress_iterations", sa.Integer(), nullable=True),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("progress_p80_days", sa.Integer(), nullable=True),
        sa.Column("progress_elapsed_s", sa.Float(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("report", sa.LargeBinary(), nullable=True),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("risk_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_jobs_schedule_id"), ["schedule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_jobs_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_risk_jobs_schedule_id"))
    op.drop_table("risk_jobs")
