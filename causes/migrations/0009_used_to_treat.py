"""What a drug, or a cause that is a group of drugs, is used to treat; and its search rows.

The new "uses" rows of the search index are texts, like summaries: their words are
searched (SQLite FTS5 `_words` table, PostgreSQL full-text index), not their names
(`compact` is empty). 0002's triggers and partial indexes sent every row but summaries
to the name (trigram) side, so they are redefined here for both text fields.
"""

from django.db import migrations, models

TEXT_FIELDS = "('summary', 'uses')"
OLD_TEXT_FIELDS = "('summary')"


def _sqlite_triggers(text_fields: str) -> list[str]:
    """0002's insert and update triggers, with the fields whose words are searched."""
    fill = f"""
         INSERT INTO causes_searchentry_trgm(rowid, compact)
           SELECT new.id, new.compact WHERE new.field NOT IN {text_fields};
         INSERT INTO causes_searchentry_words(rowid, norm)
           SELECT new.id, new.norm WHERE new.field IN {text_fields};"""
    return [
        "DROP TRIGGER IF EXISTS causes_searchentry_ai",
        "DROP TRIGGER IF EXISTS causes_searchentry_au",
        f"CREATE TRIGGER causes_searchentry_ai AFTER INSERT ON causes_searchentry BEGIN{fill}\n       END",
        f"""CREATE TRIGGER causes_searchentry_au AFTER UPDATE ON causes_searchentry BEGIN
         DELETE FROM causes_searchentry_trgm WHERE rowid = old.id;
         DELETE FROM causes_searchentry_words WHERE rowid = old.id;{fill}
       END""",
    ]


def _refill_sqlite(text_fields: str) -> list[str]:
    """Put rows already indexed on the wrong side where the triggers now send them."""
    rows = "SELECT id FROM causes_searchentry WHERE field = 'uses'"
    return [
        f"DELETE FROM causes_searchentry_trgm WHERE rowid IN ({rows})",
        f"DELETE FROM causes_searchentry_words WHERE rowid IN ({rows})",
        "INSERT INTO causes_searchentry_trgm(rowid, compact) SELECT id, compact "
        f"FROM causes_searchentry WHERE field = 'uses' AND field NOT IN {text_fields}",
        "INSERT INTO causes_searchentry_words(rowid, norm) SELECT id, norm "
        f"FROM causes_searchentry WHERE field = 'uses' AND field IN {text_fields}",
    ]


def _postgresql_indexes(text_fields: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS causes_searchentry_compact_trgm",
        "CREATE INDEX causes_searchentry_compact_trgm ON causes_searchentry "
        f"USING gin (compact gin_trgm_ops) WHERE field NOT IN {text_fields}",
        "DROP INDEX IF EXISTS causes_searchentry_words",
        "CREATE INDEX causes_searchentry_words ON causes_searchentry "
        f"USING gin (to_tsvector('simple', norm)) WHERE field IN {text_fields}",
    ]


def _run(text_fields: str):
    statements = {
        "sqlite": _sqlite_triggers(text_fields) + _refill_sqlite(text_fields),
        "postgresql": _postgresql_indexes(text_fields),
    }

    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("causes", "0008_roles_for_editorial_integrity"),
    ]

    operations = [
        migrations.AddField(
            model_name="cause",
            name="used_to_treat",
            field=models.TextField(
                blank=True,
                help_text="For a drug or a group of drugs: the conditions it is used to treat, as one plain phrase, e.g. “an overactive thyroid (hyperthyroidism), as in Graves' disease”. Give the everyday name and the medical one; only uses an attached source states. Shown as “Used to treat: …” and searched. Leave empty for causes that are not drugs.",
            ),
        ),
        migrations.AddField(
            model_name="drug",
            name="used_to_treat",
            field=models.TextField(
                blank=True,
                help_text="For a drug or a group of drugs: the conditions it is used to treat, as one plain phrase, e.g. “an overactive thyroid (hyperthyroidism), as in Graves' disease”. Give the everyday name and the medical one; only uses an attached source states. Shown as “Used to treat: …” and searched. Leave empty for causes that are not drugs.",
            ),
        ),
        migrations.AddField(
            model_name="historicalcause",
            name="used_to_treat",
            field=models.TextField(
                blank=True,
                help_text="For a drug or a group of drugs: the conditions it is used to treat, as one plain phrase, e.g. “an overactive thyroid (hyperthyroidism), as in Graves' disease”. Give the everyday name and the medical one; only uses an attached source states. Shown as “Used to treat: …” and searched. Leave empty for causes that are not drugs.",
            ),
        ),
        migrations.AddField(
            model_name="historicaldrug",
            name="used_to_treat",
            field=models.TextField(
                blank=True,
                help_text="For a drug or a group of drugs: the conditions it is used to treat, as one plain phrase, e.g. “an overactive thyroid (hyperthyroidism), as in Graves' disease”. Give the everyday name and the medical one; only uses an attached source states. Shown as “Used to treat: …” and searched. Leave empty for causes that are not drugs.",
            ),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="field",
            field=models.CharField(
                choices=[
                    ("name", "Name"),
                    ("alias", "Alias"),
                    ("brand", "Brand name"),
                    ("summary", "Summary"),
                    ("uses", "Used to treat"),
                ],
                max_length=10,
            ),
        ),
        migrations.RunPython(_run(TEXT_FIELDS), _run(OLD_TEXT_FIELDS)),
    ]
