"""Full-text search structures the ORM cannot express, one set per database vendor.

SQLite: an FTS5 external-content table over ``exchange_searchentry`` (tokenizer
``porter unicode61 remove_diacritics 2``: English stems, accents folded so São Paulo = Sao
Paulo), kept in sync by triggers.
PostgreSQL: the ``unaccent`` extension, a ``metroscope`` text search configuration (english
with unaccent), a ``document`` tsvector column weighted A/B/C (title/summary/body) filled by a
trigger, and a GIN index on it.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE exchange_case_fts USING fts5(
        title, summary, body,
        content='exchange_searchentry', content_rowid='case_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER exchange_searchentry_fts_ai AFTER INSERT ON exchange_searchentry BEGIN
        INSERT INTO exchange_case_fts(rowid, title, summary, body)
        VALUES (new.case_id, new.title, new.summary, new.body);
    END""",
    """CREATE TRIGGER exchange_searchentry_fts_ad AFTER DELETE ON exchange_searchentry BEGIN
        INSERT INTO exchange_case_fts(exchange_case_fts, rowid, title, summary, body)
        VALUES ('delete', old.case_id, old.title, old.summary, old.body);
    END""",
    """CREATE TRIGGER exchange_searchentry_fts_au AFTER UPDATE ON exchange_searchentry BEGIN
        INSERT INTO exchange_case_fts(exchange_case_fts, rowid, title, summary, body)
        VALUES ('delete', old.case_id, old.title, old.summary, old.body);
        INSERT INTO exchange_case_fts(rowid, title, summary, body)
        VALUES (new.case_id, new.title, new.summary, new.body);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS exchange_searchentry_fts_au",
    "DROP TRIGGER IF EXISTS exchange_searchentry_fts_ad",
    "DROP TRIGGER IF EXISTS exchange_searchentry_fts_ai",
    "DROP TABLE IF EXISTS exchange_case_fts",
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'metroscope') THEN
            CREATE TEXT SEARCH CONFIGURATION metroscope (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION metroscope
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END $$""",
    "ALTER TABLE exchange_searchentry ADD COLUMN document tsvector",
    """CREATE OR REPLACE FUNCTION exchange_searchentry_document() RETURNS trigger AS $$
    BEGIN
        NEW.document :=
            setweight(to_tsvector('metroscope', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('metroscope', coalesce(NEW.summary, '')), 'B') ||
            setweight(to_tsvector('metroscope', coalesce(NEW.body, '')), 'C');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER exchange_searchentry_document BEFORE INSERT OR UPDATE
        ON exchange_searchentry FOR EACH ROW EXECUTE FUNCTION exchange_searchentry_document()""",
    "CREATE INDEX exchange_searchentry_document_gin ON exchange_searchentry USING GIN (document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS exchange_searchentry_document_gin",
    "DROP TRIGGER IF EXISTS exchange_searchentry_document ON exchange_searchentry",
    "DROP FUNCTION IF EXISTS exchange_searchentry_document()",
    "ALTER TABLE exchange_searchentry DROP COLUMN IF EXISTS document",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(direction: int):
    def run(apps, schema_editor):
        pair = STATEMENTS.get(schema_editor.connection.vendor)
        if pair is None:
            raise RuntimeError(
                f"Metroscope search supports sqlite and postgresql, not {schema_editor.connection.vendor}"
            )
        with schema_editor.connection.cursor() as cursor:
            for sql in pair[direction]:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(_run(0), _run(1))]
