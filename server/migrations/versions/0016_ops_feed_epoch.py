"""The feed's epoch: which history of the change feed a cursor belongs to, drawn anew by a restore from a
backup, so that phones whose cursors come from the lost history are told (sync/PROTOCOL.md §10).

Revision ID: 0016
Revises: 0015
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_counters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('epoch', sa.String(length=16), nullable=True))
    op.execute(sa.text("UPDATE sync_counters SET epoch = :epoch").bindparams(epoch=secrets.token_hex(4)))


def downgrade():
    with op.batch_alter_table('sync_counters', schema=None) as batch_op:
        batch_op.drop_column('epoch')
