"""a conversation may have more than one handoff: released ones stay, a later handoff is a new row

`handoffs.conversation_id` loses its unique constraint (unnamed in 0001: PostgreSQL calls it
`handoffs_conversation_id_key`, SQLite keeps no name) and gets a plain index instead. The
conversation's `handoff_id` stays the one a turn answers with.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# names the batch (SQLite) copy gives the reflected, unnamed unique constraint so it can be dropped
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        with op.batch_alter_table("handoffs", naming_convention=_NAMING, recreate="always") as b:
            b.drop_constraint("uq_handoffs_conversation_id", type_="unique")
    else:
        found = [u["name"] for u in sa.inspect(conn).get_unique_constraints("handoffs")
                 if u["column_names"] == ["conversation_id"] and u["name"]]
        for name in found:
            op.drop_constraint(str(name), "handoffs", type_="unique")
    op.create_index("ix_handoffs_conversation", "handoffs", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_conversation", table_name="handoffs")
    with op.batch_alter_table("handoffs") as b:
        b.create_unique_constraint("handoffs_conversation_id_key", ["conversation_id"])
