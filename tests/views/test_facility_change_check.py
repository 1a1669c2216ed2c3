"""The facility's confirmation that it changed the initial password, with the optional,
consented check that the initial password no longer logs in."""

import pytest
from django.urls import reverse

from provisioning.models import AuditEvent, DossierStatus, NationalAccount
from provisioning.services.accounts import (
    account_override_change_check,
    account_set_change_check,
)

pytestmark = pytest.mark.django_db

S = DossierStatus
Check = NationalAccount.ChangeCheck
CONSENT = (
    "Đồng ý để Cổng thử đăng nhập bằng mật khẩu ban đầu nhằm xác nhận mật khẩu đó "
    "không còn dùng được"
)


def confirm(client, dossier, **data):
    return client.post(reverse("facility:account_confirm", args=[dossier.pk]), data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def account_of(dossier):
    return NationalAccount.objects.get(dossier=dossier)


def test_the_confirm_form_offers_the_check_unticked(issued, as_user):
    response = as_user(issued.facility.owner).get(
        reverse("facility:account_reveal", args=[issued.pk])
    )

    page = response.content.decode()
    assert CONSENT in page
    checkbox = next(line for line in page.splitlines() if 'name="check_initial_password"' in line)
    assert 'type="checkbox"' in checkbox
    assert "checked" not in checkbox.split('name="check_initial_password"')[1].split(">")[0]


def test_confirming_without_consent_erases_the_password_at_once(issued, as_user):
    response = confirm(as_user(issued.facility.owner), issued)

    issued.refresh_from_db()
    assert issued.status == S.COMPLETED
    account = account_of(issued)
    assert account.password_ciphertext == ""
    assert account.change_check == ""
    assert "Cảm ơn. Cổng đã xoá mật khẩu ban đầu; từ nay chỉ cơ sở biết mật khẩu." in (
        messages_of(response)
    )


def test_confirming_with_consent_keeps_the_dossier_issued_and_queues_the_check(
    issued, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = confirm(as_user(issued.facility.owner), issued, check_initial_password="on")

    assert len(callbacks) == 1
    issued.refresh_from_db()
    assert issued.status == S.ISSUED
    account = account_of(issued)
    assert account.change_check == Check.PENDING
    assert account.password_ciphertext
    assert AuditEvent.objects.filter(
        dossier=issued, action="account.change_check.requested", actor=issued.facility.owner
    ).exists()
    assert any("Cổng sẽ thử đăng nhập bằng mật khẩu ban đầu" in m for m in messages_of(response))


def test_the_dossier_page_says_the_check_is_running(issued, as_user):
    response = confirm(as_user(issued.facility.owner), issued, check_initial_password="on")

    assert "Cổng đang thử đăng nhập bằng mật khẩu ban đầu" in response.content.decode()


def test_the_dossier_page_says_the_system_could_not_be_reached_yet(issued, as_user):
    client = as_user(issued.facility.owner)
    confirm(client, issued, check_initial_password="on")
    account_set_change_check(account_id=account_of(issued).pk, outcome="unreachable")

    page = client.get(reverse("facility:dossier", args=[issued.pk])).content.decode()

    assert "Cổng chưa kết nối được hệ thống quốc gia để thử mật khẩu ban đầu" in page


def test_the_dossier_page_warns_that_the_initial_password_still_logs_in(issued, as_user):
    client = as_user(issued.facility.owner)
    confirm(client, issued, check_initial_password="on")
    account_set_change_check(account_id=account_of(issued).pk, outcome="verified")

    page = client.get(reverse("facility:dossier", args=[issued.pk])).content.decode()

    assert "mật khẩu ban đầu VẪN đăng nhập được" in page
    # The timeline says what happened and what comes next, in a sentence.
    assert "mật khẩu ban đầu vẫn đăng nhập được, tức là chưa được đổi" in page


def test_the_completed_dossier_says_the_initial_password_no_longer_logs_in(issued, as_user):
    client = as_user(issued.facility.owner)
    confirm(client, issued, check_initial_password="on")
    account_set_change_check(account_id=account_of(issued).pk, outcome="wrong_credentials")

    page = client.get(reverse("facility:dossier", args=[issued.pk])).content.decode()

    assert "Cổng đã xác nhận mật khẩu ban đầu không còn đăng nhập được" in page


def test_after_the_check_found_the_password_unchanged_unticking_the_check_does_not_complete(
    issued, as_user
):
    client = as_user(issued.facility.owner)
    confirm(client, issued, check_initial_password="on")
    account_set_change_check(account_id=account_of(issued).pk, outcome="verified")

    response = confirm(client, issued)

    issued.refresh_from_db()
    assert issued.status == S.ISSUED
    assert account_of(issued).password_ciphertext
    assert any("mật khẩu chưa được đổi" in message for message in messages_of(response))


def test_after_the_check_found_the_password_unchanged_the_account_page_only_offers_a_new_check(
    issued, as_user
):
    client = as_user(issued.facility.owner)
    confirm(client, issued, check_initial_password="on")
    account_set_change_check(account_id=account_of(issued).pk, outcome="verified")

    page = client.get(reverse("facility:account_reveal", args=[issued.pk])).content.decode()

    assert "Tôi đã đổi mật khẩu, kiểm tra lại" in page
    assert 'type="hidden" name="check_initial_password" value="on"' in page


def test_after_the_so_overrode_the_check_the_facility_may_complete(issued, as_user, reviewer):
    client = as_user(issued.facility.owner)
    confirm(client, issued, check_initial_password="on")
    account_set_change_check(account_id=account_of(issued).pk, outcome="verified")
    account_override_change_check(dossier=issued, actor=reviewer, reason="Đã đổi qua phần mềm")

    confirm(client, issued)

    issued.refresh_from_db()
    assert issued.status == S.COMPLETED
    assert account_of(issued).password_ciphertext == ""


def test_another_owner_cannot_ask_for_the_check(issued, other_owner, as_user):
    response = as_user(other_owner).post(
        reverse("facility:account_confirm", args=[issued.pk]), {"check_initial_password": "on"}
    )

    assert response.status_code == 404
    assert account_of(issued).change_check == ""
