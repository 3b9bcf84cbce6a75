"""page_stamps: the database's stamp, changed by every transaction that writes; public pages kept for visitors
without an account are given again only under the stamp they were made under (consult/core/pagecache.py)

Revision ID: 0021_page_stamps
Revises: 0020_contract_structure_version
Create Date: 2026-12-04 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_page_stamps'
down_revision = '0020_contract_structure_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_stamps',
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('slot', name=op.f('pk_page_stamps'))
    )


def downgrade():
    op.drop_table('page_stamps')
