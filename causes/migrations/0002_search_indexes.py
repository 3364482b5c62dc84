"""Database-specific search indexes for `SearchEntry`.

SQLite: two FTS5 tables kept in step by triggers: trigram over names (`compact`) and
words over summaries (`norm`). PostgreSQL: pg_trgm GIN over names, full-text GIN over
summaries. `causes.search` queries them with the same rules on both.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE causes_searchentry_trgm USING fts5(compact, tokenize='trigram')",
    "CREATE VIRTUAL TABLE causes_searchentry_words USING fts5(norm, tokenize='unicode61', prefix='2 3')",
    """CREATE TRIGGER causes_searchentry_ai AFTER INSERT ON causes_searchentry BEGIN
         INSERT INTO causes_searchentry_trgm(rowid, compact)
           SELECT new.id, new.compact WHERE new.field <> 'summary';
         INSERT INTO causes_searchentry_words(rowid, norm)
           SELECT new.id, new.norm WHERE new.field = 'summary';
       END""",
    """CREATE TRIGGER causes_searchentry_ad AFTER DELETE ON causes_searchentry BEGIN
         DELETE FROM causes_searchentry_trgm WHERE rowid = old.id;
         DELETE FROM causes_searchentry_words WHERE rowid = old.id;
       END""",
    """CREATE TRIGGER causes_searchentry_au AFTER UPDATE ON causes_searchentry BEGIN
         DELETE FROM causes_searchentry_trgm WHERE rowid = old.id;
         DELETE FROM causes_searchentry_words WHERE rowid = old.id;
         INSERT INTO causes_searchentry_trgm(rowid, compact)
           SELECT new.id, new.compact WHERE new.field <> 'summary';
         INSERT INTO causes_searchentry_words(rowid, norm)
           SELECT new.id, new.norm WHERE new.field = 'summary';
       END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS causes_searchentry_au",
    "DROP TRIGGER IF EXISTS causes_searchentry_ad",
    "DROP TRIGGER IF EXISTS causes_searchentry_ai",
    "DROP TABLE IF EXISTS causes_searchentry_words",
    "DROP TABLE IF EXISTS causes_searchentry_trgm",
]
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX causes_searchentry_compact_trgm ON causes_searchentry "
    "USING gin (compact gin_trgm_ops) WHERE field <> 'summary'",
    "CREATE INDEX causes_searchentry_words ON causes_searchentry "
    "USING gin (to_tsvector('simple', norm)) WHERE field = 'summary'",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS causes_searchentry_words",
    "DROP INDEX IF EXISTS causes_searchentry_compact_trgm",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("causes", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
