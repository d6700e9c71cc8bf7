"""What the bank, the finance office and the funder expect of the money files: a booking account per
expense category (the payout's line sheet), the funding reference and the logo on the funder report.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funding_reference', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('booking_accounts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_content_type', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('logo_content_type')
        batch_op.drop_column('logo')
        batch_op.drop_column('booking_accounts')
        batch_op.drop_column('funding_reference')
