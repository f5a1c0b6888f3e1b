"""Split the search index: a narrow facet row (SearchEntry) and a text row (SearchText).

Scanning, sorting and counting facets over 100,000 cases is much faster when the facet rows
do not carry the text. The full-text structures move to ``exchange_searchtext``:
SQLite: FTS5 external-content table ``exchange_case_fts`` (same tokenizer, new triggers).
PostgreSQL: the weighted ``document`` tsvector column, its trigger and GIN index.
"""

import django.db.models.deletion
from django.db import migrations, models

COPY_TEXT = (
    "INSERT INTO exchange_searchtext (case_id, title, summary, body) "
    "SELECT case_id, title, summary, body FROM exchange_searchentry"
)

SQLITE = [
    "DROP TRIGGER IF EXISTS exchange_searchentry_fts_au",
    "DROP TRIGGER IF EXISTS exchange_searchentry_fts_ad",
    "DROP TRIGGER IF EXISTS exchange_searchentry_fts_ai",
    "DROP TABLE IF EXISTS exchange_case_fts",
    COPY_TEXT,
    """CREATE VIRTUAL TABLE exchange_case_fts USING fts5(
        title, summary, body,
        content='exchange_searchtext', content_rowid='case_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER exchange_searchtext_fts_ai AFTER INSERT ON exchange_searchtext BEGIN
        INSERT INTO exchange_case_fts(rowid, title, summary, body)
        VALUES (new.case_id, new.title, new.summary, new.body);
    END""",
    """CREATE TRIGGER exchange_searchtext_fts_ad AFTER DELETE ON exchange_searchtext BEGIN
        INSERT INTO exchange_case_fts(exchange_case_fts, rowid, title, summary, body)
        VALUES ('delete', old.case_id, old.title, old.summary, old.body);
    END""",
    """CREATE TRIGGER exchange_searchtext_fts_au AFTER UPDATE ON exchange_searchtext BEGIN
        INSERT INTO exchange_case_fts(exchange_case_fts, rowid, title, summary, body)
        VALUES ('delete', old.case_id, old.title, old.summary, old.body);
        INSERT INTO exchange_case_fts(rowid, title, summary, body)
        VALUES (new.case_id, new.title, new.summary, new.body);
    END""",
    "INSERT INTO exchange_case_fts(exchange_case_fts) VALUES ('rebuild')",
]

POSTGRES = [
    "DROP INDEX IF EXISTS exchange_searchentry_document_gin",
    "DROP TRIGGER IF EXISTS exchange_searchentry_document ON exchange_searchentry",
    "DROP FUNCTION IF EXISTS exchange_searchentry_document()",
    "ALTER TABLE exchange_searchentry DROP COLUMN IF EXISTS document",
    "ALTER TABLE exchange_searchtext ADD COLUMN document tsvector",
    """CREATE OR REPLACE FUNCTION exchange_searchtext_document() RETURNS trigger AS $$
    BEGIN
        NEW.document :=
            setweight(to_tsvector('metroscope', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('metroscope', coalesce(NEW.summary, '')), 'B') ||
            setweight(to_tsvector('metroscope', coalesce(NEW.body, '')), 'C');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER exchange_searchtext_document BEFORE INSERT OR UPDATE
        ON exchange_searchtext FOR EACH ROW EXECUTE FUNCTION exchange_searchtext_document()""",
    COPY_TEXT,
    "CREATE INDEX exchange_searchtext_document_gin ON exchange_searchtext USING GIN (document)",
]

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRES}


def move_full_text(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for sql in STATEMENTS[schema_editor.connection.vendor]:
            cursor.execute(sql)


def fill_sort_year(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE exchange_searchentry SET sort_year = COALESCE(start_year, 0)")


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0003_place_populations'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchText',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_text', serialize=False, to='exchange.casestudy')),
                ('title', models.TextField()),
                ('summary', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(move_full_text, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='searchentry',
            name='search_start_year',
        ),
        migrations.RemoveIndex(
            model_name='searchentry',
            name='search_title',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='body',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='summary',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='title',
        ),
        migrations.AddField(
            model_name='searchentry',
            name='sort_year',
            field=models.PositiveSmallIntegerField(default=0, help_text='start_year, 0 if unknown.'),
        ),
        migrations.RunPython(fill_sort_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='searchentry',
            name='title_sort',
            field=models.CharField(blank=True, help_text='Folded title prefix.', max_length=300),
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=models.Index(fields=['published', '-sort_year', 'title_sort', 'case'], name='search_newest'),
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=models.Index(fields=['published', 'title_sort', 'case'], name='search_title'),
        ),
    ]
