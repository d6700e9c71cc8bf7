"""public pages: how a request came in (source), its private status link's hash, the client's consent to
be contacted; each organization's public profile (request form settings, directory entry)

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

import sync.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=12), server_default='desk', nullable=False))
        batch_op.add_column(sa.Column('client_consents_to_contact', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('status_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(op.f('uq_assignment_requests_status_token_hash'), ['status_token_hash'])
        batch_op.create_check_constraint(op.f('ck_assignment_requests_source_known'), "source IN ('desk', 'web_form')")

    op.create_table(
        'public_profiles',
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('form_enabled', sa.Boolean(), nullable=False),
        sa.Column('privacy_notice', sa.Text(), nullable=False),
        sa.Column('districts', sa.JSON(), nullable=False),
        sa.Column('specialisations', sa.JSON(), nullable=False),
        sa.Column('offer', sa.Text(), nullable=False),
        sa.Column('how_to_get_help', sa.Text(), nullable=False),
        sa.Column('how_to_become_guide', sa.Text(), nullable=False),
        sa.Column('contact', sa.Text(), nullable=False),
        sa.Column('published', sa.JSON(), nullable=True),
        sa.Column('published_at', sync.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('numbers', sa.JSON(), nullable=True),
        sa.Column('numbers_refreshed_at', sync.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sync.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_public_profiles_organization_id_organizations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_public_profiles')),
    )


def downgrade():
    op.drop_table('public_profiles')
    with op.batch_alter_table('assignment_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assignment_requests_source_known'), type_='check')
        batch_op.drop_constraint(op.f('uq_assignment_requests_status_token_hash'), type_='unique')
        batch_op.drop_column('status_token_hash')
        batch_op.drop_column('client_consents_to_contact')
        batch_op.drop_column('source')
