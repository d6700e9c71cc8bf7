"""Log tables hold plain ids: no foreign keys on the change feed, applied mutations, record history and
audit events (why: sync/tables.py).

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# (table, column, referred table, on delete) of every foreign key this revision removes
FOREIGN_KEYS = [
    ('sync_changes', 'organization_id', 'organizations', 'CASCADE'),
    ('sync_applied_mutations', 'device_id', 'devices', 'CASCADE'),
    ('sync_applied_mutations', 'organization_id', 'organizations', 'CASCADE'),
    ('sync_record_history', 'organization_id', 'organizations', 'CASCADE'),
    ('sync_record_history', 'author_user_id', 'users', 'SET NULL'),
    ('audit_events', 'organization_id', 'organizations', 'SET NULL'),
    ('audit_events', 'actor_user_id', 'users', 'SET NULL'),
]


def _name(table, column, referred):
    return f'fk_{table}_{column}_{referred}'


def _restore_sqlite_audit_triggers():
    """SQLite's batch mode rebuilds audit_events and its append-only triggers (revision 0001) go with
    the old table; PostgreSQL alters the table in place and keeps its trigger."""
    if op.get_bind().dialect.name != "postgresql":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_events_no_{verb.lower()}")
            op.execute(f"""CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events
                           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""")


def upgrade():
    for table in dict.fromkeys(t for t, *_ in FOREIGN_KEYS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _table, column, referred, _ondelete in (k for k in FOREIGN_KEYS if k[0] == table):
                batch_op.drop_constraint(_name(table, column, referred), type_='foreignkey')
    _restore_sqlite_audit_triggers()


def downgrade():
    for table in dict.fromkeys(t for t, *_ in FOREIGN_KEYS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _table, column, referred, ondelete in (k for k in FOREIGN_KEYS if k[0] == table):
                batch_op.create_foreign_key(_name(table, column, referred), referred, [column], ['id'],
                                            ondelete=ondelete)
    _restore_sqlite_audit_triggers()
