"""offers and hand-backs: who a handoff was offered to and when, when and how it was handed back

`offered_at` / `offered_to` / `reoffers` let the re-offer job pass an unclaimed offer on once per step
(a conditional UPDATE on `reoffers`); `released_at` / `released_via` date a hand-back and say where it
came from (api, slack, zendesk_solved); `rehandoff_of` links a handoff made within the re-handoff
window to the one it continues. Rows already waiting for their agent count as offered when they were
made (or when their callback fired); rows already released as released when last updated.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as b:
        b.add_column(sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("offered_to", sa.JSON(), nullable=True))
        b.add_column(sa.Column("reoffers", sa.Integer(), nullable=False, server_default="0"))
        b.add_column(sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("released_via", sa.String(16), nullable=True))
        b.add_column(sa.Column("rehandoff_of", sa.String(40), nullable=True))
    op.create_index("ix_handoffs_offered", "handoffs", ["status", "offered_at"])
    op.execute("UPDATE handoffs SET offered_at = COALESCE(callback_fired_at, created_at) "
               "WHERE status = 'open' AND agent IS NOT NULL AND claimed_by IS NULL")
    op.execute("UPDATE handoffs SET released_at = updated_at WHERE status = 'released'")


def downgrade() -> None:
    op.drop_index("ix_handoffs_offered", table_name="handoffs")
    with op.batch_alter_table("handoffs") as b:
        for name in ("rehandoff_of", "released_via", "released_at", "reoffers", "offered_to", "offered_at"):
            b.drop_column(name)
