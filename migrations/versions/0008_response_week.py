"""responses.submitted_on keeps only the week (its Monday) for responses linked to no account

Revision ID: 0008_response_week
Revises: 0007_access_code_spent
Create Date: 2026-12-02 20:45:00.000000

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_response_week'
down_revision = '0007_access_code_spent'
branch_labels = None
depends_on = None

responses = sa.table('responses', sa.column('submitted_on', sa.Date()), sa.column('user_id', sa.Integer()))


def upgrade():
    # The day a response without an account came in can be matched with who was seen answering that day:
    # keep its week's Monday. One UPDATE per distinct day (a few dozen), the same on SQLite and PostgreSQL.
    connection = op.get_bind()
    days = connection.execute(sa.select(responses.c.submitted_on).where(responses.c.user_id.is_(None))
                              .distinct()).scalars().all()
    for day in days:
        if isinstance(day, str):  # SQLite hands dates back as text when read through a lightweight table
            day = dt.date.fromisoformat(day)
        monday = day - dt.timedelta(days=day.weekday())
        if monday != day:
            connection.execute(sa.update(responses)
                               .where(responses.c.user_id.is_(None), responses.c.submitted_on == day)
                               .values(submitted_on=monday))


def downgrade():
    # The days are gone for good: the Mondays stay (still a valid date in the right week).
    pass
