"""The Viettel branch's screens: queue, dossier page, confirmation, account and handover."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape

from provisioning.crypto import decrypt, password_is_strong
from provisioning.models import (
    AuditEvent,
    Dossier,
    DossierStatus,
    GuidanceDocument,
    NationalAccount,
)
from provisioning.services.accounts import account_record, account_set_verification

from ..factories import HOME_PROVINCE, OTHER_PROVINCE
from ..flows import dossier_at

S = DossierStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(approved, viettel):
    account_record(
        dossier=approved,
        actor=viettel,
        system="legacy",
        facility_code="24-000777",
        username="gpp_24_000777",
        password="Mat-khau-2026",
    )
    return approved


def url(name, dossier):
    return reverse(name, args=[dossier.pk])


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


ACCOUNT = {
    "system": "legacy",
    "facility_code": "24-000555",
    "username": "gpp_24_000555",
    "password": "Da-dat-2026",
}


# The queue ----------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_the_viettel_queue(as_user):
    response = as_user(None).get(reverse("issuance:queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["owner", "reviewer", "approver"])
def test_non_viettel_users_get_403_on_the_viettel_queue(as_user, request, role):
    user = request.getfixturevalue(role)
    assert as_user(user).get(reverse("issuance:queue")).status_code == 403


def test_viettel_queue_lists_dossiers_waiting_for_confirmation(as_user, viettel, submitted):
    response = as_user(viettel).get(reverse("issuance:queue"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [submitted]


def test_viettel_queue_counts_its_sections(as_user, viettel, approved, other_facility):
    dossier_at(S.SUBMITTED, facility=other_facility)
    response = as_user(viettel).get(reverse("issuance:queue"))
    counts = {name: count for name, _label, count in response.context["tabs"]}
    assert counts == {"confirm": 1, "issue": 1, "done": 0}


def test_approved_dossier_shows_account_verification_under_waiting_for_account(
    as_user, viettel, recorded
):
    NationalAccount.objects.update(verification=NationalAccount.Verification.WRONG_CREDENTIALS)
    response = as_user(viettel).get(reverse("issuance:queue"), {"tab": "issue"})
    assert list(response.context["page"].object_list) == [recorded]
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text


def test_viettel_queue_search_finds_by_tax_code(as_user, viettel, submitted, other_facility):
    other = dossier_at(S.SUBMITTED, facility=other_facility)
    response = as_user(viettel).get(reverse("issuance:queue"), {"q": other_facility.tax_code})
    assert list(response.context["page"].object_list) == [other]


def test_viettel_of_other_province_sees_none_of_the_home_dossiers(
    as_user, other_viettel, submitted
):
    response = as_user(other_viettel).get(reverse("issuance:queue"))
    assert list(response.context["page"].object_list) == []
    assert "Không có hồ sơ nào trong mục này." in response.text


def test_htmx_filtering_of_the_viettel_queue_renders_only_the_results(as_user, viettel, submitted):
    response = as_user(viettel).get(
        reverse("issuance:queue"), {"q": "không có"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in response.text
    assert "Không có hồ sơ nào trong mục này." in response.text


# The dossier page ---------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_the_viettel_dossier(as_user, submitted):
    response = as_user(None).get(url("issuance:dossier", submitted))
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["owner", "reviewer"])
def test_non_viettel_users_get_403_on_the_viettel_dossier(as_user, request, role, submitted):
    user = request.getfixturevalue(role)
    assert as_user(user).get(url("issuance:dossier", submitted)).status_code == 403


def test_viettel_of_other_province_gets_404_on_a_dossier(as_user, other_viettel, submitted):
    response = as_user(other_viettel).get(url("issuance:dossier", submitted))
    assert response.status_code == 404


def test_viettel_reads_the_confirmation_record_beside_the_form(as_user, viettel, submitted):
    record = submitted.documents.get(kind="interconnection_record")
    response = as_user(viettel).get(url("issuance:dossier", submitted))
    assert response.status_code == 200
    assert f'<iframe class="viewer" src="{reverse("public:document", args=[record.pk])}"' in (
        response.text
    )
    assert url("issuance:confirm", submitted) in response.text
    assert url("issuance:record_account", submitted) not in response.text


def test_guidance_documents_for_the_province_and_global_ones_are_listed(as_user, viettel, approved):
    for title, province in [
        ("Hướng dẫn kết nối", None),
        ("Hướng dẫn riêng Bắc Ninh", HOME_PROVINCE),
        ("Hướng dẫn riêng Hà Nội", OTHER_PROVINCE),
    ]:
        doc = GuidanceDocument(title=title, province_id=province)
        doc.file.save("huong-dan.pdf", ContentFile(b"%PDF-1.4"), save=True)
    GuidanceDocument.objects.create(title="Hướng dẫn cũ", active=False, file="x.pdf")
    response = as_user(viettel).get(url("issuance:dossier", approved))
    titles = [doc.title for doc in response.context["guidance"]]
    assert titles == ["Hướng dẫn kết nối", "Hướng dẫn riêng Bắc Ninh"]


# Confirming the interconnection -------------------------------------------------------


def test_viettel_confirms_the_interconnection_and_reviewers_are_told(
    as_user, viettel, reviewer, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(viettel).post(
            url("issuance:confirm", submitted), {"confirmed": "yes"}, REMOTE_ADDR="10.1.1.1"
        )
    assert response.status_code == 302
    assert response.url == url("issuance:dossier", submitted)
    submitted.refresh_from_db()
    assert submitted.interconnection == Dossier.Interconnection.CONFIRMED
    assert AuditEvent.objects.get(action="interconnection.confirmed").ip == "10.1.1.1"
    [mail] = mailoutbox
    assert mail.to == [reviewer.email]


def test_refusing_the_interconnection_needs_a_reason(as_user, viettel, submitted):
    response = as_user(viettel).post(url("issuance:confirm", submitted), {"confirmed": "no"})
    assert response.status_code == 200
    assert "Hãy ghi lý do không xác nhận được liên thông." in shown_messages(response)
    assert Dossier.objects.get().interconnection == Dossier.Interconnection.PENDING


def test_viettel_refuses_the_interconnection_with_a_reason(as_user, viettel, submitted):
    as_user(viettel).post(
        url("issuance:confirm", submitted), {"confirmed": "no", "note": "Biên bản giả"}
    )
    submitted.refresh_from_db()
    assert (submitted.interconnection, submitted.interconnection_note) == (
        Dossier.Interconnection.REFUSED,
        "Biên bản giả",
    )


def test_reviewer_may_not_confirm_the_interconnection(as_user, reviewer, submitted):
    response = as_user(reviewer).post(url("issuance:confirm", submitted), {"confirmed": "yes"})
    assert response.status_code == 403
    assert Dossier.objects.get().interconnection == Dossier.Interconnection.PENDING


def test_viettel_of_other_province_may_not_confirm(as_user, other_viettel, submitted):
    response = as_user(other_viettel).post(url("issuance:confirm", submitted), {"confirmed": "yes"})
    assert response.status_code == 404


def test_confirm_answers_405_to_get(as_user, viettel, submitted):
    assert as_user(viettel).get(url("issuance:confirm", submitted)).status_code == 405


# Recording the account ----------------------------------------------------------------


def test_the_account_form_suggests_a_strong_password_to_set_on_the_national_system(
    as_user, viettel, approved
):
    response = as_user(viettel).get(url("issuance:dossier", approved))
    suggested = response.context["account_form"]["password"].value()
    assert password_is_strong(suggested)
    assert f'value="{escape(suggested)}"' in response.text


def test_viettel_records_an_account_with_the_suggested_password(
    as_user, viettel, approved, django_capture_on_commit_callbacks
):
    client = as_user(viettel)
    page = client.get(url("issuance:dossier", approved))
    suggested = page.context["account_form"]["password"].value()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("issuance:record_account", approved), {**ACCOUNT, "password": suggested}
        )
    assert response.status_code == 302
    account = NationalAccount.objects.get()
    assert (account.username, account.facility_code) == ("gpp_24_000555", "24-000555")
    assert decrypt(account.password_ciphertext) == suggested
    event = AuditEvent.objects.get(action="account.recorded")
    assert event.visible_to_facility is False


def test_recorded_account_card_shows_no_password(as_user, viettel, recorded):
    response = as_user(viettel).get(url("issuance:dossier", recorded))
    assert "gpp_24_000777" in response.text
    assert "24-000777" in response.text
    assert "Đang kiểm tra đăng nhập" in response.text
    card = response.text.split('id="account-card"')[1].split("</div>")[0]
    assert "Mat-khau-2026" not in card
    assert url("issuance:hand_over", recorded) in response.text


def test_a_weak_password_is_refused_and_kept_for_the_officer_to_correct(as_user, viettel, approved):
    response = as_user(viettel).post(
        url("issuance:record_account", approved), {**ACCOUNT, "password": "yeu-lam"}
    )
    assert response.status_code == 200
    assert any("Mật khẩu ban đầu phải có ít nhất 8 ký tự" in m for m in shown_messages(response))
    assert response.context["account_form"]["password"].value() == "yeu-lam"
    assert response.context["account_form"]["username"].value() == "gpp_24_000555"
    assert not NationalAccount.objects.exists()


# Recording again after a failed login check (issue 9: the password must not swap) -------


def test_the_suggested_password_is_the_same_at_every_page_load(as_user, viettel, approved):
    client = as_user(viettel)
    first = client.get(url("issuance:dossier", approved)).context["account_form"]
    second = client.get(url("issuance:dossier", approved)).context["account_form"]
    assert first["password"].value() == second["password"].value()


def test_a_new_suggestion_comes_only_on_request(as_user, viettel, approved):
    client = as_user(viettel)
    before = client.get(url("issuance:dossier", approved)).context["account_form"]

    response = client.get(url("issuance:dossier", approved) + "?goi-y=1")
    after = client.get(response.url).context["account_form"]

    assert response.status_code == 302
    assert after["password"].value() != before["password"].value()
    assert password_is_strong(after["password"].value())
    page = client.get(url("issuance:dossier", approved)).text
    assert "Gợi ý mật khẩu khác" in page
    assert escape(after["password"].value()) in page


def test_recording_again_after_a_failed_check_keeps_the_recorded_password(
    as_user, viettel, recorded
):
    account_set_verification(
        account_id=NationalAccount.objects.get().pk, outcome="wrong_credentials"
    )

    form = as_user(viettel).get(url("issuance:dossier", recorded)).context["account_form"]

    assert form["password"].value() == "Mat-khau-2026"
    assert form["username"].value() == "gpp_24_000777"


def test_fixing_only_the_username_records_the_same_password_again(
    as_user, viettel, recorded, django_capture_on_commit_callbacks
):
    client = as_user(viettel)
    form = client.get(url("issuance:dossier", recorded)).context["account_form"]
    data = {name: form[name].value() for name in ("system", "facility_code", "password")}

    client.post(url("issuance:record_account", recorded), {**data, "username": "gpp_24_000778"})

    account = NationalAccount.objects.get()
    assert account.username == "gpp_24_000778"
    assert decrypt(account.password_ciphertext) == "Mat-khau-2026"


def test_a_handed_over_password_is_never_put_back_in_a_form(as_user, viettel, recorded):
    account = NationalAccount.objects.get()
    account_set_verification(account_id=account.pk, outcome="verified")
    as_user(viettel).post(url("issuance:hand_over", recorded))

    page = as_user(viettel).get(url("issuance:dossier", recorded)).text

    assert "Mat-khau-2026" not in page


def test_a_typed_password_without_a_special_character_is_refused(as_user, viettel, approved):
    response = as_user(viettel).post(
        url("issuance:record_account", approved), {**ACCOUNT, "password": "NhaThuoc2026"}
    )
    assert response.status_code == 200
    assert any("chữ số và ký tự đặc biệt" in m for m in shown_messages(response))
    assert not NationalAccount.objects.exists()


def test_recording_an_account_before_approval_is_refused(as_user, viettel, submitted):
    response = as_user(viettel).post(url("issuance:record_account", submitted), ACCOUNT)
    assert response.status_code == 200
    assert "Chỉ ghi nhận tài khoản cho hồ sơ đã được phê duyệt." in shown_messages(response)
    assert not NationalAccount.objects.exists()


def test_reviewer_may_not_record_an_account(as_user, reviewer, approved):
    response = as_user(reviewer).post(url("issuance:record_account", approved), ACCOUNT)
    assert response.status_code == 403


def test_viettel_of_other_province_may_not_record_an_account(as_user, other_viettel, approved):
    response = as_user(other_viettel).post(url("issuance:record_account", approved), ACCOUNT)
    assert response.status_code == 404


# Handing over -------------------------------------------------------------------------


def test_hand_over_of_an_unverified_account_without_a_reason_is_refused(as_user, viettel, recorded):
    response = as_user(viettel).post(url("issuance:hand_over", recorded), {})
    assert response.status_code == 200
    assert any("Muốn bàn giao vẫn phải ghi rõ lý do" in m for m in shown_messages(response))
    assert Dossier.objects.get().status == S.APPROVED
    assert NationalAccount.objects.get().handed_over_at is None


def test_unverified_account_page_warns_and_asks_for_a_reason(as_user, viettel, recorded):
    response = as_user(viettel).get(url("issuance:dossier", recorded))
    assert "chưa được kiểm tra đăng nhập thành công" in response.text
    assert 'name="override_reason"' in response.text
    assert "data-confirm=" in response.text


def test_hand_over_with_an_override_reason_is_audited_and_the_facility_told(
    as_user, viettel, recorded, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(viettel).post(
            url("issuance:hand_over", recorded),
            {"override_reason": "Hệ thống quốc gia bảo trì, đã thử bằng tay"},
            REMOTE_ADDR="10.1.1.2",
        )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.status == S.ISSUED
    assert NationalAccount.objects.get().handed_over_at is not None
    event = AuditEvent.objects.get(action="dossier.issued")
    assert event.data == {"override_reason": "Hệ thống quốc gia bảo trì, đã thử bằng tay"}
    assert (event.actor, event.ip) == (viettel, "10.1.1.2")
    [mail] = mailoutbox
    assert recorded.facility.email in mail.to


def test_verified_account_is_handed_over_without_a_reason(as_user, viettel, recorded):
    account_set_verification(
        account_id=NationalAccount.objects.get().pk,
        outcome=NationalAccount.Verification.VERIFIED,
    )
    response = as_user(viettel).post(url("issuance:hand_over", recorded), {})
    assert response.status_code == 302
    assert Dossier.objects.get().status == S.ISSUED


def test_handing_over_twice_shows_the_workflow_message(as_user, viettel, recorded):
    client = as_user(viettel)
    client.post(url("issuance:hand_over", recorded), {"override_reason": "Bảo trì"})
    response = client.post(url("issuance:hand_over", recorded), {"override_reason": "Bảo trì"})
    assert response.status_code == 200
    assert any("không thể “Bàn giao tài khoản”" in m for m in shown_messages(response))
    assert AuditEvent.objects.filter(action="dossier.issued").count() == 1


def test_approver_may_not_hand_over(as_user, approver, recorded):
    response = as_user(approver).post(url("issuance:hand_over", recorded), {"override_reason": "x"})
    assert response.status_code == 403
    assert Dossier.objects.get().status == S.APPROVED


def test_viettel_of_other_province_may_not_hand_over(as_user, other_viettel, recorded):
    response = as_user(other_viettel).post(
        url("issuance:hand_over", recorded), {"override_reason": "x"}
    )
    assert response.status_code == 404


def test_handed_over_dossier_is_listed_as_handed_over(
    as_user, viettel, facility, reviewer, approver
):
    issued = dossier_at(
        S.ISSUED, facility=facility, reviewer=reviewer, approver=approver, viettel=viettel
    )
    response = as_user(viettel).get(reverse("issuance:queue"), {"tab": "done"})
    assert list(response.context["page"].object_list) == [issued]


@pytest.mark.parametrize(
    "name, data",
    [
        ("issuance:confirm", {"confirmed": "yes"}),
        ("issuance:record_account", ACCOUNT),
        ("issuance:hand_over", {"override_reason": "Bảo trì"}),
    ],
)
def test_anonymous_actions_are_sent_to_login_and_change_nothing(as_user, approved, name, data):
    response = as_user(None).post(url(name, approved), data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Dossier.objects.get().status == S.APPROVED
    assert not NationalAccount.objects.exists()


def test_facility_owner_may_not_confirm_the_interconnection(as_user, owner, submitted):
    response = as_user(owner).post(url("issuance:confirm", submitted), {"confirmed": "yes"})
    assert response.status_code == 403


def test_htmx_history_restore_gets_the_whole_page(as_user, viettel):
    response = as_user(viettel).get(
        reverse("issuance:queue"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.text
    assert "HX-Request" in response["Vary"]


def test_an_empty_password_is_refused_and_the_typed_fields_kept(as_user, viettel, approved):
    response = as_user(viettel).post(
        url("issuance:record_account", approved), {**ACCOUNT, "password": ""}
    )
    assert response.status_code == 200
    assert "Vui lòng kiểm tra lại thông tin tài khoản." in shown_messages(response)
    assert response.context["account_form"]["username"].value() == "gpp_24_000555"
    assert "Gợi ý mật khẩu khác" in response.text
    assert not NationalAccount.objects.exists()


def test_the_demo_points_the_officer_at_the_simulator_consoles(
    as_user, viettel, approved, settings
):
    settings.DEBUG = True
    settings.NATIONAL_SYSTEMS = {}
    response = as_user(viettel).get(url("issuance:dossier", approved))
    assert "http://127.0.0.1:8701/_simulator/" in response.text
    assert "http://127.0.0.1:8702/_simulator/" in response.text


def test_production_never_mentions_a_simulator(as_user, viettel, approved, settings):
    settings.DEBUG = False
    response = as_user(viettel).get(url("issuance:dossier", approved))
    assert "_simulator" not in response.text


def test_a_pending_login_check_refreshes_itself_until_it_has_a_result(as_user, viettel, recorded):
    page = as_user(viettel).get(url("issuance:dossier", recorded))
    assert 'hx-trigger="every 2s"' in page.text
    account = NationalAccount.objects.get(dossier=recorded)
    account_set_verification(account_id=account.pk, outcome="verified")
    page = as_user(viettel).get(url("issuance:dossier", recorded))
    assert 'hx-trigger="every 2s"' not in page.text
    assert "Đã kiểm tra: đăng nhập được" in page.text
