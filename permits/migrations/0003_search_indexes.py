"""Trigram indexes for the public permit search on Postgres.

`icontains` and `istartswith` compare `UPPER("column"::text) LIKE UPPER(pattern)`, so the
indexes are built on that very expression: the planner uses an expression index only when
the query repeats it. Exact license and permit-number lookups use the b-tree indexes the
model declares. SQLite, the embedded default, has neither pg_trgm nor GIN: nothing to do.

Without fastupdate a new permit goes straight into the index: permits arrive a few a
minute, while every search would otherwise also read the list of entries not yet merged.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "permit_site_address_trgm": "site_address",
    "permit_contractor_name_trgm": "contractor_business_name",
}


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def indexes_create(apps, schema_editor):
    if not _postgres(schema_editor):
        return
    table = schema_editor.quote_name(apps.get_model("permits", "Permit")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {table} "
            f"USING gin ((UPPER({schema_editor.quote_name(column)}::text)) gin_trgm_ops) "
            "WITH (fastupdate = off)"
        )


def indexes_drop(apps, schema_editor):
    # The extension stays: other database objects may have come to use it since.
    if not _postgres(schema_editor):
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0002_permit_types_as_data_and_permits"),
    ]

    operations = [
        migrations.RunPython(indexes_create, indexes_drop, elidable=False),
    ]
