"""surveys.closed_at: when a survey was closed, the start of its answers' retention period

Revision ID: 0017_retention
Revises: 0016_rights_and_audit
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_retention'
down_revision = '0016_rights_and_audit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
    # Surveys already closed by hand: the last change of the row is the best moment known for it.
    op.execute("UPDATE surveys SET closed_at = updated_at WHERE status IN ('closed', 'archived')")


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
