"""Follow-up claims (Nachtrag) and the history of a corrected expense's rejection.

A month may now have several claims of one guide: the first (`sequence` 1) and follow-ups for
expenses added or corrected after it was submitted. A guide's fix of a rejected expense keeps the
rejection it answers in `expenses.rejections`.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint('uq_claims_guide_id_month', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_claims_guide_id_month_sequence'),
                                          ['guide_id', 'month', 'sequence'])
        batch_op.create_check_constraint(batch_op.f('ck_claims_sequence_positive'), 'sequence >= 1')
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejections', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.drop_column('rejections')
    # Lossy: a follow-up's expenses become open again, the follow-up goes.
    op.execute("UPDATE expenses SET claim_id = NULL, state = 'open' "
               "WHERE claim_id IN (SELECT id FROM claims WHERE sequence > 1)")
    op.execute("DELETE FROM claims WHERE sequence > 1")
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_claims_sequence_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_claims_guide_id_month_sequence'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_claims_guide_id_month'), ['guide_id', 'month'])
        batch_op.drop_column('sequence')
