# Substring search on subject names (docs/adr/0006-substring-name-search.md).
#
# PostgreSQL: the pg_trgm extension and a GIN trigram index on the name, which serves
# ``name ILIKE '%...%'`` for a query of three characters or more.
# SQLite: an FTS5 table with the trigram tokenizer over the name (external content: it indexes
# ``subjects_subject`` without copying it), kept in step by triggers.
#
# Both are database-only (not in the model state): each engine gets only its own, and a later
# migration of ``Subject`` never tries to build a GIN index on SQLite.

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TRGM_INDEX = "subject_name_trgm"
FTS = "subjects_subject_name_fts"
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
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TABLE IF EXISTS {FTS}",
]


def _trgm_index():
    return GinIndex(fields=["name"], name=TRGM_INDEX, opclasses=["gin_trgm_ops"])


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("subjects", "Subject"), _trgm_index())
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
        schema_editor.remove_index(apps.get_model("subjects", "Subject"), _trgm_index())
    elif connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARDS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('subjects', '0002_notice'),
    ]

    operations = [
        TrigramExtension(),  # does nothing on other engines
        migrations.RunPython(forwards, backwards),
    ]
