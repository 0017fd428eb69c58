"""claims, handoff events, inbound webhook events, deliveries keyed by intent

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("conversations") as b:
        b.add_column(sa.Column("zendesk_ticket_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("handoffs") as b:
        b.add_column(sa.Column("customer_email", sa.String(320), nullable=True))
        b.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        b.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("solved_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("sla_reminded_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("callback_fired_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("reassigned", sa.Integer(), nullable=False, server_default="0"))
        b.add_column(sa.Column("unnecessary", sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column("csat", sa.String(16), nullable=True))
        b.add_column(sa.Column("alert_channel", sa.String(64), nullable=True))
        b.add_column(sa.Column("alert_ts", sa.String(32), nullable=True))
    with op.batch_alter_table("deliveries") as b:
        b.add_column(sa.Column("dedupe_key", sa.String(200), nullable=True))
    op.execute("UPDATE deliveries SET dedupe_key = handoff_id || ':' || kind")
    with op.batch_alter_table("deliveries") as b:
        b.alter_column("dedupe_key", existing_type=sa.String(200), nullable=False)
        b.drop_constraint("uq_deliveries_handoff_kind", type_="unique")
        b.create_unique_constraint("uq_deliveries_dedupe_key", ["dedupe_key"])
        b.create_index("ix_deliveries_handoff", ["handoff_id"])
    op.create_table(
        "handoff_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("handoff_id", sa.String(40), sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoff_events_handoff", "handoff_events", ["handoff_id", "at"])
    op.create_table(
        "inbound_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("source", "event_key", name="uq_inbound_events_key"),
    )
    op.create_index("ix_inbound_events_due", "inbound_events", ["status", "next_attempt_at"])
    with op.batch_alter_table("handoffs") as b:
        b.create_index("ix_handoffs_zendesk_ticket", ["zendesk_ticket_id"])
        b.create_index("ix_handoffs_callback", ["status", "callback_at"])


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as b:
        b.drop_index("ix_handoffs_callback")
        b.drop_index("ix_handoffs_zendesk_ticket")
    op.drop_index("ix_inbound_events_due", "inbound_events")
    op.drop_table("inbound_events")
    op.drop_index("ix_handoff_events_handoff", "handoff_events")
    op.drop_table("handoff_events")
    with op.batch_alter_table("deliveries") as b:
        b.drop_index("ix_deliveries_handoff")
        b.drop_constraint("uq_deliveries_dedupe_key", type_="unique")
        b.create_unique_constraint("uq_deliveries_handoff_kind", ["handoff_id", "kind"])
        b.drop_column("dedupe_key")
    with op.batch_alter_table("handoffs") as b:
        for c in ("alert_ts", "alert_channel", "csat", "unnecessary", "reassigned", "callback_fired_at",
                  "sla_reminded_at", "solved_at", "first_response_at", "claimed_at", "claimed_by", "customer_email"):
            b.drop_column(c)
    with op.batch_alter_table("conversations") as b:
        b.drop_column("zendesk_ticket_id")
