"""rate_limit_events, release key findings, hidden running vote results, paper questionnaire numbers

Revision ID: 0015_workshop_reading
Revises: 0014_export_jobs
Create Date: 2026-12-03 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_workshop_reading'
down_revision = '0014_export_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limit_events')),
    )
    with op.batch_alter_table('rate_limit_events', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limit_events_key_at', ['key', 'at'], unique=False)
    with op.batch_alter_table('survey_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_findings', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('proposal_priority_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hide_results_until_closed', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_number', sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_responses_survey_id_paper_number'),
                                          ['survey_id', 'paper_number'])


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_responses_survey_id_paper_number'), type_='unique')
        batch_op.drop_column('paper_number')
    with op.batch_alter_table('proposal_priority_votes', schema=None) as batch_op:
        batch_op.drop_column('hide_results_until_closed')
    with op.batch_alter_table('survey_releases', schema=None) as batch_op:
        batch_op.drop_column('key_findings')
    with op.batch_alter_table('rate_limit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limit_events_key_at')
    op.drop_table('rate_limit_events')
