"""survey_access_codes.spent replaces used_on: a spent code says so, never the day it was used

Revision ID: 0007_access_code_spent
Revises: 0006_disclosure_floor
Create Date: 2026-12-02 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_access_code_spent'
down_revision = '0006_disclosure_floor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_access_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spent', sa.Boolean(), nullable=False, server_default=sa.false()))
    # The day of use equalled the day of the response it let in, and so pointed to it: keep only "spent".
    op.execute(sa.text('UPDATE survey_access_codes SET spent = (used_on IS NOT NULL)'))
    with op.batch_alter_table('survey_access_codes', schema=None) as batch_op:
        batch_op.drop_column('used_on')


def downgrade():
    with op.batch_alter_table('survey_access_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_on', sa.Date(), nullable=True))
    # The days of use are gone for good: spent codes get a constant date.
    op.execute(sa.text("UPDATE survey_access_codes SET used_on = '1970-01-01' WHERE spent"))
    with op.batch_alter_table('survey_access_codes', schema=None) as batch_op:
        batch_op.drop_column('spent')
