"""workspaces: when a fiche's citation was announced to the proposal's author and followers

Revision ID: 0013_workspaces
Revises: 0012_governance
Create Date: 2026-12-03 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_workspaces'
down_revision = '0012_governance'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fiche_citations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('fiche_citations', schema=None) as batch_op:
        batch_op.drop_column('notified_at')
