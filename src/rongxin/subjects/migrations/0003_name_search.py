# Substring search on subject names (docs/adr/0006-substring-name-search.md).
#
# Three characters or more, through trigrams:
# - PostgreSQL: the pg_trgm extension and a GIN trigram index on the name, which serves
#   ``name ILIKE '%...%'``;
# - SQLite: an FTS5 table with the trigram tokenizer over the name (external content: it
#   indexes ``subjects_subject`` without copying it), kept in step by triggers.
# Two characters, through bigrams (a trigram index cannot answer a two-character query):
# - PostgreSQL: a GIN index on the array of the name's (lower-cased) character pairs;
# - SQLite: a table of (pair, subject) kept in step by triggers, which cut the name into pairs
#   with the help of a table of positions 1..99 (a name has at most 100 characters).
#
# Both are database-only (not in the model state): each engine gets only its own, and a later
# migration of ``Subject`` never tries to build a GIN index on SQLite.

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TRGM_INDEX = "subject_name_trgm"
FTS = "subjects_subject_name_fts"
BIGRAMS = "subjects_subject_name_bigram"
POSITIONS = "subjects_name_position"

POSTGRES_FORWARDS = [
    # IMMUTABLE: the same name always gives the same pairs, so an index may be built on it.
    """CREATE FUNCTION subjects_name_bigrams(name text) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT coalesce(array_agg(DISTINCT lower(substr(name, i, 2))), '{}')
              FROM generate_series(1, length(name) - 1) AS i $$""",
    "CREATE INDEX subject_name_bigram ON subjects_subject USING gin (subjects_name_bigrams(name))",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS subject_name_bigram",
    "DROP FUNCTION IF EXISTS subjects_name_bigrams(text)",
]
SQLITE_MIN = (3, 34, 0)  # the FTS5 trigram tokenizer

SQLITE_FORWARDS = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(name, content='subjects_subject', content_rowid='id', tokenize='trigram')",
    f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON subjects_subject BEGIN
        INSERT INTO {FTS}(rowid, name) VALUES (new.id, new.name);
    END""",
    f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON subjects_subject BEGIN
        INSERT INTO {FTS}({FTS}, rowid, name) VALUES ('delete', old.id, old.name);
    END""",
    f"""CREATE TRIGGER {FTS}_au AFTER UPDATE OF id, name ON subjects_subject BEGIN
        INSERT INTO {FTS}({FTS}, rowid, name) VALUES ('delete', old.id, old.name);
        INSERT INTO {FTS}(rowid, name) VALUES (new.id, new.name);
    END""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
    f"CREATE TABLE {POSITIONS} (n integer PRIMARY KEY)",
    f"WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 99) INSERT INTO {POSITIONS} (n) SELECT n FROM p",
    f"""CREATE TABLE {BIGRAMS} (
        gram text NOT NULL, subject_id integer NOT NULL, PRIMARY KEY (gram, subject_id)
    ) WITHOUT ROWID""",
    f"""CREATE TRIGGER {BIGRAMS}_ai AFTER INSERT ON subjects_subject BEGIN
        INSERT OR IGNORE INTO {BIGRAMS} (gram, subject_id)
        SELECT lower(substr(new.name, n, 2)), new.id FROM {POSITIONS} WHERE n < length(new.name);
    END""",
    f"""CREATE TRIGGER {BIGRAMS}_ad AFTER DELETE ON subjects_subject BEGIN
        DELETE FROM {BIGRAMS} WHERE subject_id = old.id
        AND gram IN (SELECT lower(substr(old.name, n, 2)) FROM {POSITIONS} WHERE n < length(old.name));
    END""",
    f"""CREATE TRIGGER {BIGRAMS}_au AFTER UPDATE OF id, name ON subjects_subject BEGIN
        DELETE FROM {BIGRAMS} WHERE subject_id = old.id
        AND gram IN (SELECT lower(substr(old.name, n, 2)) FROM {POSITIONS} WHERE n < length(old.name));
        INSERT OR IGNORE INTO {BIGRAMS} (gram, subject_id)
        SELECT lower(substr(new.name, n, 2)), new.id FROM {POSITIONS} WHERE n < length(new.name);
    END""",
    f"""INSERT INTO {BIGRAMS} (gram, subject_id)
        SELECT DISTINCT lower(substr(s.name, p.n, 2)), s.id FROM subjects_subject s JOIN {POSITIONS} p
        ON p.n < length(s.name)""",
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS {BIGRAMS}_au",
    f"DROP TRIGGER IF EXISTS {BIGRAMS}_ad",
    f"DROP TRIGGER IF EXISTS {BIGRAMS}_ai",
    f"DROP TABLE IF EXISTS {BIGRAMS}",
    f"DROP TABLE IF EXISTS {POSITIONS}",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TABLE IF EXISTS {FTS}",
]


class TrigramExtensionOnPostgres(TrigramExtension):
    """``TrigramExtension``, whose reverse would query ``pg_extension`` on any engine."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _trgm_index():
    return GinIndex(fields=["name"], name=TRGM_INDEX, opclasses=["gin_trgm_ops"])


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("subjects", "Subject"), _trgm_index())
        for sql in POSTGRES_FORWARDS:
            schema_editor.execute(sql)
    elif connection.vendor == "sqlite":
        import sqlite3

        if sqlite3.sqlite_version_info < SQLITE_MIN:
            raise RuntimeError(
                f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer: name search needs SQLite 3.34 or later."
            )
        for sql in SQLITE_FORWARDS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for sql in POSTGRES_BACKWARDS:
            schema_editor.execute(sql)
        schema_editor.remove_index(apps.get_model("subjects", "Subject"), _trgm_index())
    elif connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARDS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('subjects', '0002_notice'),
    ]

    operations = [
        TrigramExtensionOnPostgres(),  # does nothing on other engines
        migrations.RunPython(forwards, backwards),
    ]
