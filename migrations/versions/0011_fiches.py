"""fiches: the one-time token of the form that created a fiche (a double click creates it once)

Revision ID: 0011_fiches
Revises: 0010_action_plan
Create Date: 2026-12-03 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_fiches'
down_revision = '0010_action_plan'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fiches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_fiches_form_token'), ['form_token'])


def downgrade():
    with op.batch_alter_table('fiches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_fiches_form_token'), type_='unique')
        batch_op.drop_column('form_token')
