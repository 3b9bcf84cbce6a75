"""export_jobs and file_downloads: territory-wide files built in the background, and who downloaded which

Revision ID: 0014_export_jobs
Revises: 0013_workspaces
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_export_jobs'
down_revision = '0013_workspaces'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('queued', 'running')"


def upgrade():
    op.create_table(
        'export_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('fmt', sa.String(length=8), nullable=False),
        sa.Column('variant', sa.String(length=32), nullable=False),
        sa.Column('free_texts', sa.Boolean(), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('form_token', sa.String(length=64), nullable=True),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', 'expired', name='export_job_status',
                                    native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('progress_done', sa.Integer(), nullable=False),
        sa.Column('progress_total', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=64), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('error_key', sa.String(length=32), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('progress_done >= 0 AND progress_total >= 0',
                           name=op.f('ck_export_jobs_progress_not_negative')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_export_jobs_requested_by_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'],
                                name=op.f('fk_export_jobs_territory_id_territories'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs')),
        sa.UniqueConstraint('form_token', name=op.f('uq_export_jobs_form_token')),
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_jobs_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index('uq_export_jobs_active_per_person',
                              ['requested_by_id', 'territory_id', 'kind', 'fmt', 'variant', 'free_texts'],
                              unique=True, sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))

    op.create_table(
        'file_downloads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('fmt', sa.String(length=8), nullable=False),
        sa.Column('variant', sa.String(length=32), nullable=False),
        sa.Column('free_texts', sa.Boolean(), nullable=False),
        sa.Column('records', sa.Boolean(), nullable=False),
        sa.Column('downloaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['export_jobs.id'], name=op.f('fk_file_downloads_job_id_export_jobs'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'],
                                name=op.f('fk_file_downloads_territory_id_territories'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_file_downloads_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_file_downloads')),
    )
    with op.batch_alter_table('file_downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_file_downloads_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_downloads_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_downloads_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('file_downloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_file_downloads_user_id'))
        batch_op.drop_index(batch_op.f('ix_file_downloads_territory_id'))
        batch_op.drop_index(batch_op.f('ix_file_downloads_job_id'))
    op.drop_table('file_downloads')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_export_jobs_active_per_person', sqlite_where=sa.text(ACTIVE),
                            postgresql_where=sa.text(ACTIVE))
        batch_op.drop_index(batch_op.f('ix_export_jobs_territory_id'))
        batch_op.drop_index(batch_op.f('ix_export_jobs_requested_by_id'))
    op.drop_table('export_jobs')
