"""The field encryption key: checked at start-up, rotated without losing a secret, and a
secret no key opens is told plainly to the facility and to the administrators."""

import logging

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from provisioning.crypto import SecretUnreadable, decrypt, encrypt
from provisioning.management.commands.rotate_encryption_key import _replace
from provisioning.models import AuditEvent, DossierStatus, NationalAccount
from provisioning.tasks import check_initial_password

from .flows import dossier_at
from .test_settings import import_settings, production

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


# Start-up


@pytest.mark.parametrize("bad", ["not-a-key", Fernet.generate_key().decode()[:-4]])
def test_production_refuses_to_start_with_a_key_that_is_not_a_fernet_key(tmp_path, bad):
    result = import_settings(tmp_path, **production(FIELD_ENCRYPTION_KEY=bad))
    assert result.returncode != 0
    assert "ImproperlyConfigured: FIELD_ENCRYPTION_KEY: key number 1 is not a Fernet key" in (
        result.stderr
    )


def test_a_bad_second_key_is_named_too(tmp_path):
    result = import_settings(tmp_path, **production(FIELD_ENCRYPTION_KEY=f"{NEW}, ten-cu"))
    assert "FIELD_ENCRYPTION_KEY: key number 2 is not a Fernet key" in result.stderr


def test_production_starts_with_two_keys_newest_first(tmp_path):
    result = import_settings(tmp_path, **production(FIELD_ENCRYPTION_KEY=f"{NEW},{OLD}"))
    assert result.returncode == 0, result.stderr


# Rotation


def test_new_secrets_use_the_first_key_and_older_keys_still_open_old_ones(settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    old_token = encrypt("Ban-dau-2026")
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    new_token = encrypt("Moi-2026@")
    assert decrypt(old_token) == "Ban-dau-2026"
    assert Fernet(NEW).decrypt(new_token.encode()) == b"Moi-2026@"


def test_a_token_no_key_opens_raises_secret_unreadable(settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    token = encrypt("Ban-dau-2026")
    settings.FIELD_ENCRYPTION_KEY = NEW
    with pytest.raises(SecretUnreadable):
        decrypt(token)


@pytest.fixture
def issued(settings, facility, reviewer, approver, viettel):
    settings.FIELD_ENCRYPTION_KEY = OLD
    return dossier_at(
        DossierStatus.ISSUED,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )


def test_the_rotation_command_moves_every_secret_to_the_newest_key(settings, issued, capsys):
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    call_command("rotate_encryption_key")
    assert "Re-encrypted 1 secret(s)" in capsys.readouterr().out

    settings.FIELD_ENCRYPTION_KEY = NEW  # the old key is dropped
    account = NationalAccount.objects.get(dossier=issued)
    assert decrypt(account.password_ciphertext) == "Ban-dau-2026"

    call_command("rotate_encryption_key")
    assert "Re-encrypted 0 secret(s)" in capsys.readouterr().out


def test_the_rotation_command_leaves_and_reports_a_secret_no_key_opens(settings, issued):
    settings.FIELD_ENCRYPTION_KEY = NEW
    before = NationalAccount.objects.get(dossier=issued).password_ciphertext
    with pytest.raises(CommandError, match="1 secret"):
        call_command("rotate_encryption_key")
    assert NationalAccount.objects.get(dossier=issued).password_ciphertext == before


def test_a_staff_totp_key_is_rotated_too(settings, approver):
    settings.FIELD_ENCRYPTION_KEY = OLD
    totp = Authenticator.objects.create(
        user=approver, type=Authenticator.Type.TOTP, data={"secret": encrypt("JBSWY3DPEHPK3PXP")}
    )
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    call_command("rotate_encryption_key")
    totp.refresh_from_db()
    assert Fernet(NEW).decrypt(totp.data["secret"].encode()) == b"JBSWY3DPEHPK3PXP"


def test_a_secret_changed_while_rotating_is_not_overwritten(settings, issued):
    account = NationalAccount.objects.get(dossier=issued)
    read = account.password_ciphertext
    NationalAccount.objects.filter(pk=account.pk).update(password_ciphertext="")  # erased
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    assert _replace(NationalAccount, account.pk, "password_ciphertext", None, read, "x") == 0
    assert NationalAccount.objects.get(pk=account.pk).password_ciphertext == ""


# A secret no key opens


def test_the_reveal_page_says_plainly_that_the_password_cannot_be_read(
    settings, issued, as_user, caplog
):
    settings.ADMINS = ["quantri@soyte.vn"]
    settings.FIELD_ENCRYPTION_KEY = NEW  # the key was changed instead of rotated
    url = reverse("facility:account_reveal", args=[issued.pk])
    with caplog.at_level(logging.ERROR, logger="provisioning.services.accounts"):
        response = as_user(issued.facility.owner).post(url, follow=True)

    assert response.status_code == 200
    assert "Không giải mã được mật khẩu ban đầu của tài khoản này." in response.text
    account = NationalAccount.objects.get(dossier=issued)
    assert account.password_shown_at is None  # still to be seen once the key is back
    assert not AuditEvent.objects.filter(action="account.password_shown").exists()
    [alert] = mail.outbox
    assert alert.to == ["quantri@soyte.vn"]
    assert f"national account {account.pk}" in alert.body
    assert "cannot be decrypted" in caplog.text


def test_the_admin_index_counts_the_secrets_no_key_opens(settings, issued, as_user, admin_member):
    admin_member.is_staff = admin_member.is_superuser = True
    admin_member.save()
    settings.FIELD_ENCRYPTION_KEY = NEW
    page = as_user(admin_member).get(reverse("admin:index")).text
    assert "1 bí mật đang lưu (mật khẩu ban đầu, khóa xác thực hai lớp) không giải mã được" in page

    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    page = as_user(admin_member).get(reverse("admin:index")).text
    assert "không giải mã được" not in page


def test_a_password_check_whose_secret_no_key_opens_stops_quietly(settings, issued, caplog):
    account = NationalAccount.objects.get(dossier=issued)
    NationalAccount.objects.filter(pk=account.pk).update(change_check="pending")
    settings.FIELD_ENCRYPTION_KEY = NEW  # the key that made the token is gone

    assert check_initial_password(account.pk) is None
    assert NationalAccount.objects.get(pk=account.pk).change_check == "pending"
    assert "no encryption key opens its initial password" in caplog.text
