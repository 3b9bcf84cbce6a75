"""governance: a decision keeps the random id of the form that recorded it (a double click records once)

Revision ID: 0012_governance
Revises: 0011_fiches
Create Date: 2026-12-03 00:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_governance'
down_revision = '0011_fiches'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('governance_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_governance_decisions_entry_key'), ['entry_key'])


def downgrade():
    with op.batch_alter_table('governance_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_governance_decisions_entry_key'), type_='unique')
        batch_op.drop_column('entry_key')
