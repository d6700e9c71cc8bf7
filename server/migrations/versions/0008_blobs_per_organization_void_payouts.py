"""A receipt blob belongs to one organization: the key is (organization_id, sha256), so the same bytes
uploaded by two organizations are two owned copies, and nobody reaches another organization's receipt by
listing its hash. A payout cancelled after export keeps why (the bank did not execute it) and which
claims and allowance lines it held.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.drop_constraint('pk_blobs', type_='primary')
        batch_op.create_primary_key('pk_blobs', ['organization_id', 'sha256'])
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('bank_not_executed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('released_claim_ids', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('released_line_ids', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        for column in ('released_line_ids', 'released_claim_ids', 'bank_not_executed', 'cancel_reason'):
            batch_op.drop_column(column)
    # Only possible while no hash is owned twice.
    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.drop_constraint('pk_blobs', type_='primary')
        batch_op.create_primary_key('pk_blobs', ['sha256'])
