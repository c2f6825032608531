"""administration: agent roles (administrator, producer, customer_service, auditor), when an
agent was deactivated and last signed in, single-use staff enrolment links, and the audit
trail of agent reads and writes

Revision ID: 0009_administration
Revises: 0008_certificate_share
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_administration"
down_revision: str | None = "0008_certificate_share"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The roles before this revision, and what they are called from it on.
RENAMED_ROLES = {"service": "customer_service", "admin": "administrator"}


def upgrade() -> None:
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True))
    agent = sa.table("agent", sa.column("role", sa.String))
    for old, new in RENAMED_ROLES.items():
        op.execute(agent.update().where(agent.c.role == old).values(role=new))

    op.create_table(
        "staff_enrolment_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["created_by_agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("staff_enrolment_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_enrolment_link_agent_id"), ["agent_id"], unique=False
        )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("query_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("client_ip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_created", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_audit_event_agent_created", ["agent_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_audit_event_account_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_event_kind"), ["kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_kind"))
        batch_op.drop_index("ix_audit_event_account_created")
        batch_op.drop_index("ix_audit_event_agent_created")
        batch_op.drop_index("ix_audit_event_created")
    op.drop_table("audit_event")
    with op.batch_alter_table("staff_enrolment_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_enrolment_link_agent_id"))
    op.drop_table("staff_enrolment_link")
    agent = sa.table("agent", sa.column("role", sa.String))
    for old, new in RENAMED_ROLES.items():
        op.execute(agent.update().where(agent.c.role == new).values(role=old))
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_column("last_sign_in_at")
        batch_op.drop_column("deactivated_at")
