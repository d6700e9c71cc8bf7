"""A receipt blob belongs to one organization: the key is (organization_id, sha256), so the same bytes
uploaded by two organizations are two owned copies, and nobody reaches another organization's receipt by
listing its hash.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.drop_constraint('pk_blobs', type_='primary')
        batch_op.create_primary_key('pk_blobs', ['organization_id', 'sha256'])

def downgrade():
    # Only possible while no hash is owned twice.
    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.drop_constraint('pk_blobs', type_='primary')
        batch_op.create_primary_key('pk_blobs', ['sha256'])
