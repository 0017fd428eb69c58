"""customer updates: what a waiting customer is told (place in line, alternatives, choices) and the agent's intro

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_updates",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("handoff_id", sa.String(40), sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dedupe_key", name="uq_customer_updates_dedupe_key"),
    )
    op.create_index("ix_customer_updates_conversation", "customer_updates", ["conversation_id", "created_at"])
    op.create_index("ix_customer_updates_handoff", "customer_updates", ["handoff_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_customer_updates_handoff", table_name="customer_updates")
    op.drop_index("ix_customer_updates_conversation", table_name="customer_updates")
    op.drop_table("customer_updates")
