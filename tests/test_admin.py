"""The admin is a screen like any other: no import that skips the services, role changes
audited, exports without secrets, two-factor keys neither shown nor stored in the clear."""

import csv
import importlib
import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from import_export.admin import ExportMixin, ImportMixin

from provisioning import crypto
from provisioning.models import AuditEvent, Dossier, DossierStatus, Membership, NationalAccount

from .factories import UserFactory
from .flows import dossier_at

PASSWORD = "mat-khau-2026"
INITIAL_PASSWORD = "Ban-dau-2026"  # the one tests/flows.py records
ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
EXPORTING = [(model, model_admin) for model, model_admin in ADMINS if isinstance(model_admin, ExportMixin)]


def admin_url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.fixture
def superuser(db):
    return UserFactory(email="quantri@soyte.vn", is_staff=True, is_superuser=True)


@pytest.fixture
def issued(facility, reviewer, approver, viettel):
    return dossier_at(
        DossierStatus.ISSUED,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )


def test_no_admin_page_offers_an_import():
    assert EXPORTING
    importing = [
        model._meta.label for model, model_admin in ADMINS if isinstance(model_admin, ImportMixin)
    ]
    assert importing == []
    for model, _model_admin in ADMINS:
        with pytest.raises(NoReverseMatch):
            admin_url(model, "import")


def test_posting_an_import_to_any_admin_page_changes_nothing(as_user, superuser, issued):
    """The attack that worked: `id,status` moved a dossier, forged events, cleared fields."""
    events = AuditEvent.objects.count()
    client = as_user(superuser)
    for model, _model_admin in ADMINS:
        for step in ("import", "process_import"):
            upload = SimpleUploadedFile("rows.csv", f"id,status\n{issued.pk},approved\n".encode())
            response = client.post(
                f"{admin_url(model, 'changelist')}{step}/",
                {"format": "0", "import_file": upload, "resource": "0"},
                follow=True,
            )

            # Django's admin answers the unknown object id "import" with a "does not exist"
            # message on its index page.
            assert response.status_code in (200, 403, 404), (model, step)
            assert [t.name for t in response.templates if "import_export" in (t.name or "")] == []
            if response.redirect_chain:
                assert response.redirect_chain[-1][0] == reverse("admin:index")
    issued.refresh_from_db()
    assert issued.status == DossierStatus.ISSUED
    assert AuditEvent.objects.count() == events


def exported_rows(client, model, model_admin):
    """Export every row through the admin's export page, every column ticked, as CSV."""
    url = admin_url(model, "export")
    form = client.get(url).context["form"]
    formats = [fmt().get_title() for fmt in model_admin.get_export_formats()]
    data = {"format": str(formats.index("csv")), "resource": "0"}
    ticked = set(form.fields) - {"format", "resource", "export_items"}
    data.update(dict.fromkeys(ticked, "on"))
    response = client.post(url, data)
    assert response.status_code == 200, (model, response.content[:300])
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


SECRET_COLUMNS = {"password", "password_ciphertext", "lookup_secret", "secret", "data"}


def test_no_export_carries_a_secret(as_user, superuser, issued, django_capture_on_commit_callbacks):
    account = NationalAccount.objects.get(dossier=issued)
    TOTP.activate(superuser, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    secrets = {
        "password hash": superuser.password,
        "initial password": INITIAL_PASSWORD,
        "initial password ciphertext": account.password_ciphertext,
        "lookup secret": Dossier.objects.get(pk=issued.pk).lookup_secret,
        "TOTP key": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    }
    assert all(secrets.values())
    client = as_user(superuser)

    exported = {}
    for model, model_admin in EXPORTING:
        rows = exported_rows(client, model, model_admin)
        header = {column.lower() for column in rows[0]}
        assert header & SECRET_COLUMNS == set(), model
        exported[model._meta.label] = rows

    assert {"provisioning.User", "provisioning.Dossier", "provisioning.NationalAccount"} <= set(
        exported
    )
    assert len(exported["provisioning.Dossier"]) == 2  # header and the dossier
    text = repr(exported)
    assert superuser.email in text and issued.code in text and account.username in text
    leaked = [name for name, value in secrets.items() if value in text]
    assert leaked == []


@pytest.mark.parametrize(("model", "model_admin"), EXPORTING, ids=lambda x: str(x))
def test_every_export_names_its_columns(model, model_admin):
    resources = model_admin.get_export_resource_classes(None)
    assert resources
    for resource in resources:
        assert resource._meta.model is model
        assert resource._meta.fields, f"{resource.__name__} must list the fields it exports"
