"""Interconnection accounts: a strong initial password, kept encrypted, shown once, erased."""

import json
import string

import pytest
from cryptography.fernet import Fernet
from django.core import mail

from provisioning.crypto import SYMBOLS, decrypt, generate_password, password_is_strong
from provisioning.errors import NotAllowed, WorkflowError
from provisioning.models import AuditEvent, DossierStatus, NationalAccount
from provisioning.services.accounts import (
    account_record,
    account_reveal_password,
    account_set_verification,
    dossier_confirm_password_change,
    dossier_issue,
)
from provisioning.services.audit import record_event

from ..flows import dossier_at

S = DossierStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(facility, reviewer, approver, viettel):
    return dossier_at(
        S.APPROVED, facility=facility, reviewer=reviewer, approver=approver, viettel=viettel
    )


@pytest.fixture
def recorded(approved, viettel):
    """An account recorded with a generated password, not yet handed over."""
    return account_record(
        dossier=approved,
        actor=viettel,
        system="v2",
        facility_code="24-008179",
        username="012345678901",
    )


@pytest.fixture
def issued(recorded, viettel):
    dossier_issue(
        dossier=recorded.dossier, actor=viettel, override_reason="Hệ thống quốc gia bảo trì"
    )
    recorded.refresh_from_db()
    return recorded


def all_audit_text(dossier):
    return json.dumps(
        list(AuditEvent.objects.filter(dossier=dossier).values("data", "note")),
        ensure_ascii=False,
    )


# The initial password


@pytest.mark.parametrize("length", [None, 8, 20])
def test_generated_passwords_mix_upper_lower_digits_and_symbols(length):
    for _ in range(50):
        password = generate_password(length)
        assert len(password) >= 8
        assert any(c in string.ascii_uppercase for c in password)
        assert any(c in string.ascii_lowercase for c in password)
        assert any(c in string.digits for c in password)
        assert any(c in SYMBOLS for c in password)
        assert password_is_strong(password)


def test_a_generated_password_has_the_configured_length(settings):
    settings.INITIAL_PASSWORD_LENGTH = 16
    assert len(generate_password()) == 16


def test_a_generated_password_is_never_shorter_than_eight(settings):
    settings.INITIAL_PASSWORD_LENGTH = 4
    assert len(generate_password()) == 8


@pytest.mark.parametrize("weak", ["Ab1-", "abcdefgh", "abcd1234", "ABCDEFGHIJ"])
def test_weak_passwords_are_not_strong(weak):
    assert not password_is_strong(weak)


def test_recording_without_a_password_stores_a_strong_generated_one_encrypted(recorded):
    token = recorded.password_ciphertext
    assert token.startswith("gAAAAA")  # a Fernet token, version byte 0x80
    password = decrypt(token)
    assert password_is_strong(password)
    assert password not in token


def test_the_stored_token_is_real_fernet_under_the_configured_key(approved, viettel, settings):
    key = Fernet.generate_key()
    settings.FIELD_ENCRYPTION_KEY = key.decode()
    account = account_record(
        dossier=approved,
        actor=viettel,
        system="legacy",
        facility_code="24-000321",
        username="gpp_24_000321",
        password="Ban-dau-2026",
    )
    assert Fernet(key).decrypt(account.password_ciphertext.encode()) == b"Ban-dau-2026"
    assert "Ban-dau-2026" not in account.password_ciphertext


def test_recording_a_weak_typed_password_is_refused(approved, viettel):
    with pytest.raises(WorkflowError, match="ít nhất 8 ký tự"):
        account_record(
            dossier=approved,
            actor=viettel,
            system="legacy",
            facility_code="24-000321",
            username="gpp_24_000321",
            password="12345678",
        )
    assert not NationalAccount.objects.exists()


def test_recording_is_for_viettel_of_the_province_only(approved, other_viettel, reviewer):
    for actor in (other_viettel, reviewer):
        with pytest.raises(NotAllowed):
            account_record(
                dossier=approved,
                actor=actor,
                system="legacy",
                facility_code="24-000321",
                username="gpp_24_000321",
            )
    assert not NationalAccount.objects.exists()


def test_a_username_already_used_on_the_same_system_is_refused(
    recorded, other_facility, reviewer, approver, viettel
):
    theirs = dossier_at(
        S.APPROVED, facility=other_facility, reviewer=reviewer, approver=approver, viettel=viettel
    )
    with pytest.raises(WorkflowError, match="đã được dùng cho một tài khoản khác"):
        account_record(
            dossier=theirs,
            actor=viettel,
            system="v2",
            facility_code="24-000999",
            username=recorded.username,
        )


def test_no_audit_row_carries_the_password(issued):
    password = decrypt(issued.password_ciphertext)
    account_reveal_password(account=issued, actor=issued.facility.owner)
    dossier_confirm_password_change(dossier=issued.dossier, actor=issued.facility.owner)

    text = all_audit_text(issued.dossier)
    assert password not in text
    assert "password" not in text.lower()
    assert "ciphertext" not in text.lower()


def test_audit_data_masks_every_secret_looking_key(facility):
    event = record_event(
        action="test.secret",
        facility=facility,
        data={"password": "Ban-dau-2026", "api_token": "abc", "client_secret": "x", "user": "u"},
    )
    event.refresh_from_db()
    assert event.data == {
        "password": "***",
        "api_token": "***",
        "client_secret": "***",
        "user": "u",
    }


# Shown once, then erased


def test_the_owner_sees_the_password_once(issued):
    password = account_reveal_password(account=issued, actor=issued.facility.owner)

    assert password == decrypt(issued.password_ciphertext)
    issued.refresh_from_db()
    assert issued.password_shown_at is not None
    event = AuditEvent.objects.get(action="account.password_shown")
    assert (event.actor, event.dossier) == (issued.facility.owner, issued.dossier)


def test_a_second_reveal_is_refused(issued):
    account_reveal_password(account=issued, actor=issued.facility.owner)
    with pytest.raises(WorkflowError, match="chỉ hiển thị một lần"):
        account_reveal_password(account=issued, actor=issued.facility.owner)
    assert AuditEvent.objects.filter(action="account.password_shown").count() == 1


def test_nobody_but_the_owner_can_reveal_the_password(issued, other_owner, viettel, reviewer):
    for actor in (other_owner, viettel, reviewer):
        with pytest.raises(NotAllowed):
            account_reveal_password(account=issued, actor=actor)
    issued.refresh_from_db()
    assert issued.password_shown_at is None


def test_the_password_cannot_be_revealed_before_the_handover(recorded):
    with pytest.raises(WorkflowError, match="chưa được bàn giao"):
        account_reveal_password(account=recorded, actor=recorded.facility.owner)


def test_confirming_the_change_erases_the_password_and_completes_the_dossier(issued):
    dossier = dossier_confirm_password_change(dossier=issued.dossier, actor=issued.facility.owner)

    assert dossier.status == S.COMPLETED
    assert dossier.closed_at is not None
    issued.refresh_from_db()
    assert issued.password_ciphertext == ""
    assert issued.password_changed_at == dossier.closed_at


def test_after_the_change_the_password_can_no_longer_be_revealed(issued):
    dossier_confirm_password_change(dossier=issued.dossier, actor=issued.facility.owner)
    with pytest.raises(WorkflowError, match="chỉ hiển thị một lần"):
        account_reveal_password(account=issued, actor=issued.facility.owner)


# Handing over


def test_handing_over_without_a_recorded_account_is_refused(approved, viettel):
    with pytest.raises(WorkflowError, match="Hãy ghi nhận tài khoản trước khi bàn giao"):
        dossier_issue(dossier=approved, actor=viettel, override_reason="Gấp")


@pytest.mark.parametrize("reason", ["", "   "])
def test_handing_over_an_unverified_account_without_a_reason_is_refused(recorded, viettel, reason):
    with pytest.raises(WorkflowError, match="phải ghi rõ lý do"):
        dossier_issue(dossier=recorded.dossier, actor=viettel, override_reason=reason)

    recorded.refresh_from_db()
    assert recorded.handed_over_at is None
    assert recorded.dossier.status == S.APPROVED
    assert not AuditEvent.objects.filter(action="dossier.issued").exists()


def test_handing_over_an_unverified_account_with_a_reason_audits_the_reason(
    recorded, viettel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_issue(
            dossier=recorded.dossier, actor=viettel, override_reason="Hệ thống quốc gia bảo trì"
        )

    assert dossier.status == S.ISSUED
    recorded.refresh_from_db()
    assert recorded.handed_over_at is not None
    event = AuditEvent.objects.get(action="dossier.issued")
    assert event.actor == viettel
    assert event.data == {"override_reason": "Hệ thống quốc gia bảo trì"}
    assert event.note == "Hệ thống quốc gia bảo trì"
    assert decrypt(recorded.password_ciphertext) not in all_audit_text(dossier)
    facility = dossier.facility
    assert sorted(mail.outbox[0].to) == sorted([facility.email, facility.owner.email])
    assert decrypt(recorded.password_ciphertext) not in mail.outbox[0].body


def test_a_verified_account_is_handed_over_without_a_reason(recorded, viettel):
    account_set_verification(account_id=recorded.pk, outcome="verified", message="OK")

    dossier = dossier_issue(dossier=recorded.dossier, actor=viettel)

    assert dossier.status == S.ISSUED
    assert AuditEvent.objects.get(action="dossier.issued").data == {}


def test_a_verified_account_is_never_downgraded_by_a_late_failed_check(recorded):
    account_set_verification(account_id=recorded.pk, outcome="verified")
    account, changed = account_set_verification(
        account_id=recorded.pk, outcome="unreachable", message="timeout"
    )
    assert not changed
    assert account.verification == NationalAccount.Verification.VERIFIED


def test_the_same_check_result_twice_is_audited_once(recorded):
    account_set_verification(account_id=recorded.pk, outcome="unreachable", message="timeout")
    account_set_verification(account_id=recorded.pk, outcome="unreachable", message="timeout")
    assert AuditEvent.objects.filter(action="account.verification.unreachable").count() == 1


def test_recording_queues_a_login_check_that_stores_unreachable_when_the_system_is_down(
    approved, viettel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account = account_record(
            dossier=approved,
            actor=viettel,
            system="legacy",
            facility_code="24-000321",
            username="gpp_24_000321",
        )

    account.refresh_from_db()
    assert account.verification == NationalAccount.Verification.UNREACHABLE
    assert AuditEvent.objects.filter(action="account.verification.unreachable").count() == 1
