"""survey_releases: dated, immutable snapshots of a survey's protected results

Revision ID: 0009_survey_releases
Revises: 0008_response_week
Create Date: 2026-12-02 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_survey_releases'
down_revision = '0008_response_week'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'survey_releases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('made_at', sa.DateTime(), nullable=False),
        sa.Column('made_by_id', sa.Integer(), nullable=True),
        sa.Column('k', sa.Integer(), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('first_month', sa.Date(), nullable=True),
        sa.Column('last_month', sa.Date(), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('audit', sa.JSON(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.CheckConstraint('k >= 1', name=op.f('ck_survey_releases_k_positive')),
        sa.CheckConstraint('number >= 1', name=op.f('ck_survey_releases_number_positive')),
        sa.CheckConstraint('responses >= 0', name=op.f('ck_survey_releases_responses_not_negative')),
        sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_survey_releases_made_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_releases_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_releases')),
        sa.UniqueConstraint('survey_id', 'number', name=op.f('uq_survey_releases_survey_id_number')),
    )
    with op.batch_alter_table('survey_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_releases_survey_id'), ['survey_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_releases_survey_id'))
    op.drop_table('survey_releases')
