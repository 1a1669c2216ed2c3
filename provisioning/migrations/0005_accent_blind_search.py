from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

# unaccent() is only STABLE, so it cannot be indexed; this wrapper names its dictionary and
# is IMMUTABLE, the usual way to index an accent-blind expression (see the PostgreSQL wiki).
FOLD = """
CREATE OR REPLACE FUNCTION portal_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""
INDEXES = {
    "facility_name_folded_trgm": "provisioning_facility USING gin (portal_fold(name) gin_trgm_ops)",
    "facility_certificate_folded_trgm": (
        "provisioning_facility USING gin (portal_fold(certificate_number) gin_trgm_ops)"
    ),
    "facility_tax_code_trgm": "provisioning_facility USING gin (tax_code gin_trgm_ops)",
}


def forwards(apps, schema_editor):
    # SQLite (the demo) has no extensions; `provisioning.search` registers portal_fold there.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FOLD)
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_fold(text)")


class Migration(migrations.Migration):
    """Accent-blind search: "tam duc" finds "Tâm Đức", through trigram indexes on PostgreSQL
    (unaccent and pg_trgm are trusted extensions since 13: the database's owner may create
    them). On SQLite the extensions are skipped."""

    dependencies = [("provisioning", "0004_apologies_checks_queue_index")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
