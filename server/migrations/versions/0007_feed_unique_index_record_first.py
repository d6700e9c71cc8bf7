"""The change feed's unique index leads with the record (type, id), and serves publishing's look-up by
record, which had an index of its own (revision 0005): one index less to maintain per feed row.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD = ['organization_id', 'audience', 'record_type', 'record_id']
NEW = ['record_type', 'record_id', 'organization_id', 'audience']


def upgrade():
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_changes_record')
        batch_op.drop_constraint('uq_sync_changes_' + '_'.join(OLD), type_='unique')
        batch_op.create_unique_constraint('uq_sync_changes_' + '_'.join(NEW), NEW)


def downgrade():
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sync_changes_' + '_'.join(NEW), type_='unique')
        batch_op.create_unique_constraint('uq_sync_changes_' + '_'.join(OLD), OLD)
        batch_op.create_index('ix_sync_changes_record', ['record_type', 'record_id'], unique=False)
