"""territories.structure_version: changes with every change to a territory's EPCIs, communes, contracts, partners,
axes and objectives (the key of the per-process copies of that structure)

Revision ID: 0020_contract_structure_version
Revises: 0019_survey_structure_version
Create Date: 2026-12-04 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_contract_structure_version'
down_revision = '0019_survey_structure_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('structure_version', sa.String(length=32), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.drop_column('structure_version')
