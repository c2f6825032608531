"""webhooks: endpoints an administrator registers (deliveries are outbox messages of channel
"webhook", each naming its endpoint), and a change request's status note, when and by whom it
last moved

Revision ID: 0015_webhooks
Revises: 0014_api
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_webhooks"
down_revision: str | None = "0014_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret_salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_endpoint_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_outbox_message_webhook_endpoint_id", ["webhook_endpoint_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_outbox_message_webhook_endpoint_id",
            "webhook_endpoint",
            ["webhook_endpoint_id"],
            ["id"],
        )
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status_note",
                sqlmodel.sql.sqltypes.AutoString(length=1000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("status_changed_by_agent_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_change_request_status_changed_by_agent_id",
            "agent",
            ["status_changed_by_agent_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.drop_constraint("fk_change_request_status_changed_by_agent_id", type_="foreignkey")
        batch_op.drop_column("status_changed_by_agent_id")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("status_note")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_message_webhook_endpoint_id", type_="foreignkey")
        batch_op.drop_index("ix_outbox_message_webhook_endpoint_id")
        batch_op.drop_column("webhook_endpoint_id")
    op.drop_table("webhook_endpoint")
