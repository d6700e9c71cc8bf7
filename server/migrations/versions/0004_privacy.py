"""privacy: erasure marks, restricted booking records, retention marks, booking retention years

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import sync.db


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booking_retention_years', sa.Integer(), server_default='10', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sync.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_until', sa.Date(), nullable=True))

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_until', sa.Date(), nullable=True))

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sync.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sync.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_column('restricted_until')

    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.drop_column('restricted_until')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('booking_retention_years')
