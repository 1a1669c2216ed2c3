from django.conf import settings
from django.db import migrations

from provisioning.units import load_units


def forwards(apps, schema_editor):
    load_units(
        apps.get_model("provisioning", "Province"),
        apps.get_model("provisioning", "Commune"),
        set(settings.PORTAL_PROVINCE_CODES),
    )


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
