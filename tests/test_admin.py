"""The admin is a screen like any other: no import that skips the services, role changes
audited, exports without secrets, two-factor keys neither shown nor stored in the clear."""

import csv
import importlib
import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from import_export.admin import ExportMixin, ImportMixin

from provisioning import crypto
from provisioning.models import AuditEvent, Dossier, DossierStatus, Membership, NationalAccount

from .factories import UserFactory

PASSWORD = "mat-khau-2026"
INITIAL_PASSWORD = "Ban-dau-2026"  # the one tests/flows.py records
ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
EXPORTING = [(model, admin_) for model, admin_ in ADMINS if isinstance(admin_, ExportMixin)]


def admin_url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.fixture
def superuser(db):
    return UserFactory(email="quantri@soyte.vn", is_staff=True, is_superuser=True)


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


# --- Roles -------------------------------------------------------------------------------


def events_of(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_an_administrator_changing_a_role_in_the_admin_writes_an_audit_event(
    as_user, superuser, reviewer, home_province, other_province
):
    membership = Membership.objects.get(user=reviewer)
    url = reverse("admin:provisioning_membership_change", args=[membership.pk])

    response = as_user(superuser).post(
        url,
        {"role": "approver", "province": other_province.pk},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert (membership.role, membership.province) == ("approver", other_province)
    [event] = events_of("membership.changed")
    assert event.actor == superuser
    assert event.ip == "203.0.113.7"
    assert event.visible_to_facility is False
    assert event.data == {
        "email": reviewer.email,
        "role": "approver",
        "province": other_province.pk,
        "from_role": "reviewer",
        "from_province": home_province.pk,
    }


def test_saving_a_role_unchanged_writes_no_event(as_user, superuser, reviewer, home_province):
    membership = Membership.objects.get(user=reviewer)
    url = reverse("admin:provisioning_membership_change", args=[membership.pk])

    as_user(superuser).post(url, {"role": "reviewer", "province": home_province.pk})

    assert events_of("membership.changed") == []


def test_the_user_of_a_role_cannot_be_swapped_in_the_admin(
    as_user, superuser, reviewer, approver, home_province
):
    membership = Membership.objects.get(user=reviewer)
    url = reverse("admin:provisioning_membership_change", args=[membership.pk])

    as_user(superuser).post(
        url, {"user": approver.pk, "role": "reviewer", "province": home_province.pk}
    )

    membership.refresh_from_db()
    assert membership.user == reviewer


def test_an_administrator_giving_a_role_in_the_admin_writes_an_audit_event(
    as_user, superuser, home_province
):
    staff = UserFactory(email="moi@soyte.vn")

    response = as_user(superuser).post(
        reverse("admin:provisioning_membership_add"),
        {"user": staff.pk, "role": "viettel", "province": home_province.pk},
        REMOTE_ADDR="203.0.113.8",
    )

    assert response.status_code == 302
    assert Membership.objects.filter(user=staff, role="viettel").exists()
    [event] = events_of("membership.created")
    assert (event.actor, event.ip) == (superuser, "203.0.113.8")
    assert event.data == {"email": staff.email, "role": "viettel", "province": home_province.pk}


def test_an_administrator_taking_a_role_away_writes_an_audit_event(
    as_user, superuser, reviewer, home_province
):
    membership = Membership.objects.get(user=reviewer)

    response = as_user(superuser).post(
        reverse("admin:provisioning_membership_delete", args=[membership.pk]),
        {"post": "yes"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    [event] = events_of("membership.deleted")
    assert (event.actor, event.ip) == (superuser, "203.0.113.9")
    assert event.data == {"email": reviewer.email, "role": "reviewer", "province": home_province.pk}


def test_taking_several_roles_away_at_once_writes_an_event_for_each(
    as_user, superuser, reviewer, approver
):
    memberships = Membership.objects.filter(user__in=[reviewer, approver])

    as_user(superuser).post(
        reverse("admin:provisioning_membership_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [m.pk for m in memberships],
            "post": "yes",
        },
    )

    assert not Membership.objects.filter(user__in=[reviewer, approver]).exists()
    emails = sorted(event.data["email"] for event in events_of("membership.deleted"))
    assert emails == sorted([reviewer.email, approver.email])


# --- Two-factor keys ---------------------------------------------------------------------

TOTP_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def current_code(secret):
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


def test_the_authenticator_admin_does_not_show_the_totp_key(as_user, superuser):
    stored = TOTP.activate(superuser, TOTP_KEY).instance
    client = as_user(superuser)

    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    detail = client.get(reverse("admin:mfa_authenticator_change", args=[stored.pk]))

    assert listing.status_code == detail.status_code == 200
    for page in (listing.content.decode(), detail.content.decode()):
        assert TOTP_KEY not in page
        assert stored.data["secret"] not in page


def test_a_totp_key_set_up_on_the_portal_is_stored_encrypted_and_still_signs_in(client, reviewer):
    client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    form = client.get(reverse("mfa_activate_totp")).context["form"]
    activated = client.post(reverse("mfa_activate_totp"), {"code": current_code(form.secret)})
    assert activated.status_code == 302
    row = Authenticator.objects.get(user=reviewer, type=Authenticator.Type.TOTP)
    assert form.secret not in str(row.data)
    assert crypto.decrypt(row.data["secret"]) == form.secret
    client.post(reverse("account_logout"))

    asked = client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    assert asked["Location"] == reverse("mfa_authenticate")
    cache.clear()  # the code used to activate may be used once more
    signed_in = client.post(reverse("mfa_authenticate"), {"code": current_code(form.secret)})

    assert signed_in.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == reviewer


def test_recovery_codes_are_stored_encrypted(reviewer):
    codes = RecoveryCodes.activate(reviewer)

    seed = codes.instance.data["seed"]
    assert seed.startswith("gAAAAA")
    assert codes.validate_code(codes.get_unused_codes()[0])


def test_the_migration_encrypts_keys_stored_in_the_clear(client, reviewer):
    plain = Authenticator.objects.create(
        user=reviewer, type=Authenticator.Type.TOTP, data={"secret": TOTP_KEY}
    )
    seed = "ab" * 40
    Authenticator.objects.create(
        user=reviewer,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": seed, "used_mask": 0},
    )
    migration = importlib.import_module(
        "provisioning.migrations.0008_prodsettings_encrypt_mfa_secrets"
    )

    migration.encrypt_secrets(apps, None)
    migration.encrypt_secrets(apps, None)  # a second run leaves encrypted keys alone

    rows = {row.type: row.data for row in Authenticator.objects.filter(user=reviewer)}
    assert TOTP_KEY not in str(rows) and seed not in str(rows)
    assert crypto.decrypt(rows["totp"]["secret"]) == TOTP_KEY
    assert crypto.decrypt(rows["recovery_codes"]["seed"]) == seed
    assert TOTP(Authenticator.objects.get(pk=plain.pk)).validate_code(current_code(TOTP_KEY))


def test_an_administrator_granting_admin_access_writes_an_audit_event(as_user, superuser):
    staff = UserFactory(email="moi@soyte.vn", full_name="Nguyễn Văn Mới")

    response = as_user(superuser).post(
        reverse("admin:provisioning_user_change", args=[staff.pk]),
        {
            "full_name": "Nguyễn Văn Mới",
            "phone": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
        },
        REMOTE_ADDR="203.0.113.10",
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    staff.refresh_from_db()
    assert staff.is_staff and staff.is_superuser
    [event] = events_of("user.changed")
    assert (event.actor, event.ip) == (superuser, "203.0.113.10")
    assert event.data == {
        "email": "moi@soyte.vn",
        "changes": {"is_staff": [False, True], "is_superuser": [False, True]},
    }


def test_users_are_neither_added_nor_deleted_in_the_admin(as_user, superuser, owner):
    client = as_user(superuser)

    added = client.post(reverse("admin:provisioning_user_add"), {"email": "x@example.vn"})
    deleted = client.post(
        reverse("admin:provisioning_user_delete", args=[owner.pk]), {"post": "yes"}
    )

    assert added.status_code == deleted.status_code == 403
    assert owner.__class__.objects.filter(pk=owner.pk).exists()


def test_an_administrator_removing_a_lost_authenticator_writes_an_audit_event(
    as_user, superuser, reviewer
):
    stored = TOTP.activate(reviewer, TOTP_KEY).instance

    response = as_user(superuser).post(
        reverse("admin:mfa_authenticator_delete", args=[stored.pk]),
        {"post": "yes"},
        REMOTE_ADDR="203.0.113.11",
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=reviewer).exists()
    [event] = events_of("two_factor.removed")
    assert (event.actor, event.ip) == (superuser, "203.0.113.11")
    assert event.data == {"email": reviewer.email, "type": "totp"}
