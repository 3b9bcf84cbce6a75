"""surveys.structure_version: changes with every change to a survey's pages, questions or options (the key of the
per-process copies of its structure)

Revision ID: 0019_survey_structure_version
Revises: 0018_result_tallies
Create Date: 2026-12-03 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_survey_structure_version'
down_revision = '0018_result_tallies'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('structure_version', sa.String(length=32), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('structure_version')
