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
    account_override_change_check,
    account_record,
    account_request_change_check,
    account_reveal_password,
    account_set_change_check,
    account_set_verification,
    dossier_confirm_password_change,
    dossier_issue,
)
from provisioning.services.audit import record_event

from ..flows import dossier_at

S = DossierStatus
pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize(
    "three_of_four", ["Abcdefg12", "abcdef1@", "ABCD@@12", "Abcdefg@", "NHATHUOC-2026"]
)
def test_a_password_missing_one_of_the_four_classes_is_not_strong(three_of_four):
    """Decision 412, Art. 8 asks for lower case, upper case, digits and special characters."""
    assert not password_is_strong(three_of_four)


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


# The consented check that the initial password no longer logs in

Check = NationalAccount.ChangeCheck


@pytest.fixture
def consented(issued):
    """The facility said it changed the password and consented to the check (not yet run)."""
    account_request_change_check(dossier=issued.dossier, actor=issued.facility.owner)
    issued.refresh_from_db()
    return issued


def change_check_events(account, state=None):
    events = AuditEvent.objects.filter(dossier=account.dossier)
    if state:
        return events.filter(action=f"account.change_check.{state}")
    return events.filter(action__startswith="account.change_check.")


def test_without_consent_the_confirmation_asks_for_no_check(issued):
    dossier_confirm_password_change(dossier=issued.dossier, actor=issued.facility.owner)

    issued.refresh_from_db()
    assert issued.change_check == ""
    assert not change_check_events(issued).exists()


def test_consenting_keeps_the_password_and_the_dossier_issued_until_the_check_runs(consented):
    consented.dossier.refresh_from_db()
    assert consented.dossier.status == S.ISSUED
    assert consented.change_check == Check.PENDING
    assert consented.change_checked_at is not None
    assert decrypt(consented.password_ciphertext)
    assert consented.password_changed_at is None


def test_consenting_is_audited_for_the_facility_to_see(consented):
    event = change_check_events(consented).get()
    assert event.action == "account.change_check.requested"
    assert event.actor == consented.facility.owner
    assert event.visible_to_facility


def test_consenting_queues_the_check_only_after_commit(issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        account_request_change_check(dossier=issued.dossier, actor=issued.facility.owner)
    assert len(callbacks) == 1


def test_a_check_that_cannot_reach_the_system_records_unreachable_and_the_dossier_waits(
    issued, django_capture_on_commit_callbacks
):
    # The test settings point the national systems at a port where nothing listens.
    with django_capture_on_commit_callbacks(execute=True):
        account_request_change_check(dossier=issued.dossier, actor=issued.facility.owner)

    issued.refresh_from_db()
    assert issued.change_check == Check.UNREACHABLE
    assert issued.dossier.status == S.ISSUED
    assert issued.password_ciphertext
    event = change_check_events(issued, "unreachable").get()
    assert not event.visible_to_facility


def test_asking_again_while_the_check_waits_changes_nothing(consented):
    account, asked = account_request_change_check(
        dossier=consented.dossier, actor=consented.facility.owner
    )
    assert not asked
    assert change_check_events(consented, "requested").count() == 1


def test_nobody_but_the_owner_can_ask_for_the_check(issued, other_owner, viettel, reviewer):
    for actor in (other_owner, viettel, reviewer):
        with pytest.raises(NotAllowed):
            account_request_change_check(dossier=issued.dossier, actor=actor)
    issued.refresh_from_db()
    assert issued.change_check == ""


def test_the_check_cannot_be_asked_before_the_handover(recorded):
    with pytest.raises(WorkflowError, match="đã bàn giao"):
        account_request_change_check(dossier=recorded.dossier, actor=recorded.facility.owner)


def test_the_check_cannot_be_asked_once_the_password_was_erased(issued):
    dossier_confirm_password_change(dossier=issued.dossier, actor=issued.facility.owner)
    with pytest.raises(WorkflowError):
        account_request_change_check(dossier=issued.dossier, actor=issued.facility.owner)


def test_a_refused_initial_password_completes_the_dossier_and_erases_the_copy(consented):
    account, changed = account_set_change_check(
        account_id=consented.pk, outcome="wrong_credentials", message="Sai mật khẩu"
    )

    assert changed
    assert account.change_check == Check.PASSED
    assert account.password_ciphertext == ""
    assert account.password_changed_at is not None
    dossier = account.dossier
    dossier.refresh_from_db()
    assert dossier.status == S.COMPLETED
    assert dossier.closed_at == account.password_changed_at
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.completed")
    assert event.actor == consented.facility.owner
    assert event.data["change_check"] == "passed"


def test_a_refused_initial_password_reported_twice_completes_the_dossier_once(consented):
    account_set_change_check(account_id=consented.pk, outcome="wrong_credentials")
    _account, changed = account_set_change_check(
        account_id=consented.pk, outcome="wrong_credentials"
    )

    assert not changed
    assert AuditEvent.objects.filter(action="dossier.completed").count() == 1


def test_an_initial_password_that_still_logs_in_keeps_the_dossier_issued(consented):
    account, changed = account_set_change_check(account_id=consented.pk, outcome="verified")

    assert changed
    assert account.change_check == Check.STILL_WORKS
    assert account.change_checked_at is not None
    assert account.password_ciphertext
    account.dossier.refresh_from_db()
    assert account.dossier.status == S.ISSUED
    event = change_check_events(account, "still_works").get()
    assert event.visible_to_facility


def test_the_facility_is_emailed_that_the_initial_password_still_logs_in(
    consented, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_set_change_check(account_id=consented.pk, outcome="verified")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    facility = consented.facility
    assert sorted(message.to) == sorted([facility.email, facility.owner.email])
    assert "vẫn đăng nhập được" in message.subject
    assert consented.username in message.body
    assert "VẪN đăng nhập được" in message.body
    assert decrypt(consented.password_ciphertext) not in message.body


def test_the_same_still_works_result_twice_writes_one_event_and_one_email(
    consented, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_set_change_check(account_id=consented.pk, outcome="verified")
        account_set_change_check(account_id=consented.pk, outcome="verified")

    assert change_check_events(consented, "still_works").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("outcome", ["unreachable", "locked"])
def test_an_inconclusive_login_leaves_the_check_to_retry(consented, outcome):
    account, changed = account_set_change_check(
        account_id=consented.pk, outcome=outcome, message="HTTP 503"
    )

    assert changed
    assert account.change_check == Check.UNREACHABLE
    assert account.password_ciphertext
    account.dossier.refresh_from_db()
    assert account.dossier.status == S.ISSUED
    event = change_check_events(consented, "unreachable").get()
    # The national system's words stay in the admin's data, off every timeline.
    assert event.data["detail"] == "HTTP 503"
    assert "HTTP 503" not in event.note


def test_unreachable_twice_is_audited_once(consented):
    account_set_change_check(account_id=consented.pk, outcome="unreachable", message="timeout")
    account_set_change_check(account_id=consented.pk, outcome="locked", message="bị khóa")
    assert change_check_events(consented, "unreachable").count() == 1


def test_after_unreachable_a_refusal_still_completes_the_dossier(consented):
    account_set_change_check(account_id=consented.pk, outcome="unreachable")
    account, changed = account_set_change_check(
        account_id=consented.pk, outcome="wrong_credentials"
    )
    assert changed
    assert account.change_check == Check.PASSED
    assert account.dossier.status == S.COMPLETED


def test_a_late_result_after_still_works_changes_nothing(consented):
    account_set_change_check(account_id=consented.pk, outcome="verified")
    account, changed = account_set_change_check(
        account_id=consented.pk, outcome="wrong_credentials"
    )
    assert not changed
    assert account.change_check == Check.STILL_WORKS
    assert not AuditEvent.objects.filter(action="dossier.completed").exists()


def test_after_still_works_the_facility_may_ask_for_a_new_check(consented):
    account_set_change_check(account_id=consented.pk, outcome="verified")

    account, asked = account_request_change_check(
        dossier=consented.dossier, actor=consented.facility.owner
    )

    assert asked
    assert account.change_check == Check.PENDING
    assert change_check_events(consented, "requested").count() == 2


def test_after_still_works_the_facility_cannot_say_it_changed_the_password(consented):
    account_set_change_check(account_id=consented.pk, outcome="verified")

    with pytest.raises(WorkflowError, match="vẫn đăng nhập được"):
        dossier_confirm_password_change(dossier=consented.dossier, actor=consented.facility.owner)

    consented.refresh_from_db()
    assert consented.dossier.status == S.ISSUED
    assert consented.password_ciphertext
    assert not AuditEvent.objects.filter(action="dossier.completed").exists()


def test_after_still_works_a_new_check_that_fails_to_log_in_completes_the_dossier(consented):
    account_set_change_check(account_id=consented.pk, outcome="verified")
    account_request_change_check(dossier=consented.dossier, actor=consented.facility.owner)

    account, changed = account_set_change_check(
        account_id=consented.pk, outcome="wrong_credentials"
    )

    assert changed
    assert account.dossier.status == S.COMPLETED


@pytest.mark.parametrize("staff", ["reviewer", "approver"])
def test_the_so_may_override_a_still_working_password_with_a_reason(consented, staff, request):
    account_set_change_check(account_id=consented.pk, outcome="verified")
    actor = request.getfixturevalue(staff)

    account = account_override_change_check(
        dossier=consented.dossier, actor=actor, reason="Cơ sở đổi qua đơn vị phần mềm"
    )
    dossier = dossier_confirm_password_change(
        dossier=consented.dossier, actor=consented.facility.owner
    )

    assert account.change_check == Check.OVERRIDDEN
    assert dossier.status == S.COMPLETED
    override = change_check_events(consented, "overridden").get()
    assert override.actor == actor
    assert override.note == "Cơ sở đổi qua đơn vị phần mềm"


def test_an_override_needs_a_reason(consented, reviewer):
    account_set_change_check(account_id=consented.pk, outcome="verified")
    with pytest.raises(WorkflowError, match="lý do"):
        account_override_change_check(dossier=consented.dossier, actor=reviewer, reason=" ")


def test_an_override_is_for_the_so_of_the_province_only(
    consented, viettel, other_reviewer, other_owner
):
    account_set_change_check(account_id=consented.pk, outcome="verified")
    for actor in (consented.facility.owner, viettel, other_reviewer, other_owner):
        with pytest.raises(NotAllowed):
            account_override_change_check(dossier=consented.dossier, actor=actor, reason="x")
    consented.refresh_from_db()
    assert consented.change_check == Check.STILL_WORKS


def test_no_override_while_the_check_has_not_found_the_password_unchanged(consented, reviewer):
    with pytest.raises(WorkflowError, match="vẫn đăng nhập được"):
        account_override_change_check(dossier=consented.dossier, actor=reviewer, reason="x")


def test_confirming_without_the_check_while_one_waits_drops_it(consented):
    dossier_confirm_password_change(dossier=consented.dossier, actor=consented.facility.owner)

    account, changed = account_set_change_check(
        account_id=consented.pk, outcome="wrong_credentials"
    )

    assert not changed
    assert account.change_check == ""
    assert AuditEvent.objects.filter(action="dossier.completed").count() == 1
