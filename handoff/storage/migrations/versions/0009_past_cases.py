"""past_cases: the resolved cases (solved handoffs, exported Zendesk tickets) the similar-cases index reads

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "past_cases",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=True),
        sa.Column("customer_email", sa.String(320), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(32), nullable=True),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("page", sa.Text(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("resolved_in_seconds", sa.Float(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source", "ref", name="uq_past_cases_source_ref"),
    )
    op.create_index("ix_past_cases_conversation", "past_cases", ["conversation_id"])
    op.create_index("ix_past_cases_customer_email", "past_cases", ["customer_email"])


def downgrade() -> None:
    op.drop_index("ix_past_cases_customer_email", table_name="past_cases")
    op.drop_index("ix_past_cases_conversation", table_name="past_cases")
    op.drop_table("past_cases")
