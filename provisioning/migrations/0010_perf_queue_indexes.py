import django.db.models.deletion
from django.db import migrations, models

# PostgreSQL gets a second, `varchar_pattern_ops` index ("_like") for every unique CharField,
# for LIKE 'prefix%'. No query of the portal asks that of these columns: codes, keys and
# e-mails are looked up exactly, the search uses the trigram indexes of 0005, the admin's
# search is a case-insensitive LIKE '%…%' that no B-tree serves. Each one only costs writes.
UNNEEDED_LIKE_INDEXES = [
    ("counter", "key"),
    ("dossier", "code"),
    ("facility", "certificate_number"),
    ("facility", "tax_code"),
    ("letter", "verification_code"),
    ("user", "email"),
    ("vendor", "name"),
]


def _like_indexes(apps, schema_editor):
    for model_name, field_name in UNNEEDED_LIKE_INDEXES:
        model = apps.get_model("provisioning", model_name)
        field = model._meta.get_field(field_name)
        name = schema_editor._create_index_name(model._meta.db_table, [field.column], "_like")
        yield model, field, name


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _model, _field, name in _like_indexes(apps, schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, field, _name in _like_indexes(apps, schema_editor):
        schema_editor.execute(schema_editor._create_like_index_sql(model, field))


class Migration(migrations.Migration):
    """Queues that do not read closed history: open work and each status get an index in
    queue order; the duplicate indexes go (dossier(province) repeats the composites' first
    column, and the unique CharFields' "_like" twins serve no query)."""

    dependencies = [("provisioning", "0009_outbox_audit_outbox")]

    operations = [
        migrations.RemoveIndex(model_name="dossier", name="provisionin_provinc_2e95f4_idx"),
        migrations.AlterField(
            model_name="dossier",
            name="province",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dossiers",
                to="provisioning.province",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["province", "status", "due_date", "id"], name="dossier_status_queue"
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "draft",
                            "submitted",
                            "needs_info",
                            "proposed_approval",
                            "proposed_rejection",
                            "approved",
                            "issued",
                        ],
                    )
                ),
                fields=["province", "due_date", "id"],
                name="dossier_open_queue",
            ),
        ),
        migrations.RunPython(drop_like_indexes, create_like_indexes),
    ]
