"""result_tallies: each survey's answers counted once in the database, folded forward as responses arrive

Revision ID: 0018_result_tallies
Revises: 0017_retention
Create Date: 2026-12-03 16:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_result_tallies'
down_revision = '0017_retention'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'result_tallies',
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('structure', sa.String(length=64), nullable=False),
        sa.Column('watermark', sa.Integer(), nullable=False),
        sa.Column('responses', sa.JSON(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_result_tallies_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('survey_id', name=op.f('pk_result_tallies')),
    )


def downgrade():
    op.drop_table('result_tallies')
