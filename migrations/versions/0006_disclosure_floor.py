"""surveys.disclosure_floor: the k pinned once a survey has responses (k can only go up)

Revision ID: 0006_disclosure_floor
Revises: 0005_proposals
Create Date: 2026-12-02 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app, has_app_context


# revision identifiers, used by Alembic.
revision = '0006_disclosure_floor'
down_revision = '0005_proposals'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disclosure_floor', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_surveys_floor_positive'),
                                         'disclosure_floor IS NULL OR disclosure_floor >= 1')

    # Surveys that already have responses keep the k they were shown with: their own value, else the
    # site's rule as configured now (the app runs the migrations; 11 is the rule's default).
    site = current_app.config.get('DISCLOSURE_THRESHOLD', 11) if has_app_context() else 11
    op.execute(sa.text(
        'UPDATE surveys SET disclosure_floor = COALESCE(disclosure_threshold, :site) '
        'WHERE EXISTS (SELECT 1 FROM responses WHERE responses.survey_id = surveys.id)'
    ).bindparams(site=int(site)))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_surveys_floor_positive'), type_='check')
        batch_op.drop_column('disclosure_floor')
