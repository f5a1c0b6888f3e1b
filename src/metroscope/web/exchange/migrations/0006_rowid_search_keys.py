"""Make the search tables' case id their rowid on SQLite (one b-tree lookup per match).

SQLite rebuilds both tables for the new column type, which drops the FTS5 sync triggers on
``exchange_searchtext``: they are created again and the full-text index rebuilt. PostgreSQL
is unaffected (same column type).
"""

import django.db.models.deletion
import metroscope.web.exchange.models.search
from django.db import migrations

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS exchange_searchtext_fts_ai AFTER INSERT ON exchange_searchtext BEGIN
        INSERT INTO exchange_case_fts(rowid, title, summary, body)
        VALUES (new.case_id, new.title, new.summary, new.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS exchange_searchtext_fts_ad AFTER DELETE ON exchange_searchtext BEGIN
        INSERT INTO exchange_case_fts(exchange_case_fts, rowid, title, summary, body)
        VALUES ('delete', old.case_id, old.title, old.summary, old.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS exchange_searchtext_fts_au AFTER UPDATE ON exchange_searchtext BEGIN
        INSERT INTO exchange_case_fts(exchange_case_fts, rowid, title, summary, body)
        VALUES ('delete', old.case_id, old.title, old.summary, old.body);
        INSERT INTO exchange_case_fts(rowid, title, summary, body)
        VALUES (new.case_id, new.title, new.summary, new.body);
    END""",
    "INSERT INTO exchange_case_fts(exchange_case_fts) VALUES ('rebuild')",
]


def restore_fts_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in SQLITE_TRIGGERS:
            cursor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0005_search_generation'),
    ]

    operations = [
        migrations.AlterField(
            model_name='searchentry',
            name='case',
            field=metroscope.web.exchange.models.search.RowidOneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_entry', serialize=False, to='exchange.casestudy'),
        ),
        migrations.AlterField(
            model_name='searchtext',
            name='case',
            field=metroscope.web.exchange.models.search.RowidOneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_text', serialize=False, to='exchange.casestudy'),
        ),
        migrations.RunPython(restore_fts_triggers, migrations.RunPython.noop),
    ]
