"""Index the change feed by record, so publishing a change never scans the feed.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.create_index('ix_sync_changes_record', ['record_type', 'record_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_changes_record')
