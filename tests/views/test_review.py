"""The Sở Y tế's review screens: queue, dossier page and every action, by every role."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from provisioning.models import (
    AuditEvent,
    Comment,
    DocumentKind,
    Dossier,
    DossierStatus,
    Facility,
    InfoRequestItem,
)
from provisioning.services.dossiers import comment_add, dossier_confirm_interconnection

from ..factories import DossierFactory, FacilityFactory, VendorFactory
from ..flows import attach, dossier_at

S = DossierStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(submitted, viettel):
    return dossier_confirm_interconnection(dossier=submitted, actor=viettel, confirmed=True)


@pytest.fixture
def proposed(facility, reviewer, approver, viettel):
    return dossier_at(S.PROPOSED_APPROVAL, facility=facility, reviewer=reviewer, viettel=viettel)


@pytest.fixture
def proposed_rejection(facility, reviewer, approver, viettel):
    return dossier_at(S.PROPOSED_REJECTION, facility=facility, reviewer=reviewer)


def queued(count, *, status=S.SUBMITTED, due_in=5, **facility_fields):
    """`count` submitted dossiers of the home province, set up directly for list tests."""
    today = timezone.localdate()
    dossiers = []
    for _ in range(count):
        facility = FacilityFactory(**facility_fields)
        dossier = DossierFactory(facility=facility, status=status, submitted_at=timezone.now())
        dossier.code = f"LTD-24-2025-{dossier.pk:05d}"
        dossier.due_date = today + datetime.timedelta(days=due_in)
        dossier.save(update_fields=["code", "due_date"])
        dossiers.append(dossier)
    return dossiers


def dossier_url(name, dossier):
    return reverse(name, args=[dossier.pk])


def login_url():
    return reverse("account_login")


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


# The queue ----------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_the_queue(as_user):
    response = as_user(None).get(reverse("review:queue"))
    assert response.status_code == 302
    assert response.url.startswith(login_url())


def test_facility_owner_gets_403_on_the_queue(as_user, owner):
    assert as_user(owner).get(reverse("review:queue")).status_code == 403


def test_viettel_officer_gets_403_on_the_review_queue(as_user, viettel):
    assert as_user(viettel).get(reverse("review:queue")).status_code == 403


def test_reviewer_sees_a_submitted_dossier_under_new(as_user, reviewer, submitted):
    response = as_user(reviewer).get(reverse("review:queue"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [submitted]
    assert submitted.code in response.text
    assert "Chờ Viettel xác nhận" in response.text


def test_approver_may_open_the_queue(as_user, approver, submitted):
    assert as_user(approver).get(reverse("review:queue")).status_code == 200


def test_reviewer_of_other_province_sees_none_of_the_home_dossiers(
    as_user, other_reviewer, submitted
):
    response = as_user(other_reviewer).get(reverse("review:queue"), {"tab": "all"})
    assert list(response.context["page"].object_list) == []
    assert submitted.code not in response.text
    assert "Không có hồ sơ nào trong mục này." in response.text


def test_queue_counts_every_tab(as_user, reviewer):
    queued(2)
    queued(1, status=S.NEEDS_INFO)
    queued(1, status=S.PROPOSED_REJECTION, due_in=-3)
    queued(1, status=S.APPROVED)
    queued(1, status=S.DRAFT)
    response = as_user(reviewer).get(reverse("review:queue"))
    counts = {name: count for name, _label, count in response.context["tabs"]}
    assert counts == {
        "new": 2,
        "waiting": 1,
        "due_soon": 0,
        "overdue": 1,
        "proposed": 1,
        "decided": 1,
        "all": 5,
    }


def test_queue_shows_the_chosen_tab_only(as_user, reviewer):
    queued(2)
    [waiting] = queued(1, status=S.NEEDS_INFO)
    response = as_user(reviewer).get(reverse("review:queue"), {"tab": "waiting"})
    assert list(response.context["page"].object_list) == [waiting]


def test_overdue_due_date_is_marked(as_user, reviewer):
    queued(1, due_in=-1)
    response = as_user(reviewer).get(reverse("review:queue"), {"tab": "overdue"})
    assert 'class="overdue"' in response.text


@pytest.mark.parametrize(
    "field, value, query",
    [
        ("name", "Nhà thuốc Tâm Đức", "tâm đức"),
        ("name", "Nhà thuốc Tâm Đức", "TAM DUC"),
        ("name", "Nhà thuốc Tâm Đức", "tâm duc"),
        ("certificate_number", "987/ĐKKDD-BN", "987/"),
        ("certificate_number", "987/ĐKKDD-BN", "987/dkkdd"),
        ("tax_code", "2399999999", "23999"),
    ],
)
def test_queue_search_matches_facility_fields(as_user, reviewer, field, value, query):
    [wanted] = queued(1, **{field: value})
    queued(2)
    response = as_user(reviewer).get(reverse("review:queue"), {"q": query})
    assert list(response.context["page"].object_list) == [wanted]


def test_queue_search_matches_the_dossier_code(as_user, reviewer):
    wanted, _other = queued(2)
    response = as_user(reviewer).get(reverse("review:queue"), {"q": wanted.code.lower()})
    assert list(response.context["page"].object_list) == [wanted]


def test_queue_filters_by_vendor_and_kind(as_user, reviewer):
    vendor = VendorFactory(name="Công ty TNHH Phần mềm Sao Mai", short_name="SaoMai")
    [wanted] = queued(1, vendor=vendor, kind=Facility.Kind.DRUG_COUNTER)
    queued(1, vendor=vendor)
    queued(1, kind=Facility.Kind.DRUG_COUNTER)
    response = as_user(reviewer).get(
        reverse("review:queue"), {"vendor": vendor.pk, "kind": Facility.Kind.DRUG_COUNTER}
    )
    assert list(response.context["page"].object_list) == [wanted]


def test_queue_filters_by_state_and_commune(as_user, reviewer, home_province):
    commune = home_province.communes.order_by("-code").first()
    [wanted] = queued(1, status=S.APPROVED, commune=commune)
    queued(1, status=S.APPROVED)
    response = as_user(reviewer).get(
        reverse("review:queue"), {"tab": "all", "state": S.APPROVED, "commune": commune.pk}
    )
    assert list(response.context["page"].object_list) == [wanted]


def test_filters_narrow_the_tab_counts_too(as_user, reviewer):
    [wanted] = queued(1, name="Quầy thuốc Hạnh Phúc")
    queued(3)
    response = as_user(reviewer).get(reverse("review:queue"), {"q": "hạnh phúc"})
    counts = dict((name, count) for name, _label, count in response.context["tabs"])
    assert counts["new"] == counts["all"] == 1


def test_htmx_filtering_renders_only_the_results(as_user, reviewer, submitted):
    response = as_user(reviewer).get(
        reverse("review:queue"), {"q": submitted.code}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert submitted.code in response.text
    assert "<html" not in response.text
    assert 'class="tabs"' in response.text


def test_queue_is_paginated(as_user, reviewer, settings):
    settings.PAGE_SIZE = 5
    queued(7)
    response = as_user(reviewer).get(reverse("review:queue"), {"page": 2})
    assert len(response.context["page"].object_list) == 2
    assert "Trang 2/2" in response.text


@pytest.mark.parametrize("rows", [5, 40])
def test_queue_query_count_does_not_grow_with_rows(
    as_user, reviewer, rows, settings, django_assert_max_num_queries
):
    settings.PAGE_SIZE = 50
    queued(rows)
    client = as_user(reviewer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("review:queue"))
    assert len(response.context["page"].object_list) == rows


# The dossier page ---------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_a_dossier(as_user, submitted):
    response = as_user(None).get(dossier_url("review:dossier", submitted))
    assert response.status_code == 302
    assert response.url.startswith(login_url())


def test_facility_owner_gets_403_on_the_review_page(as_user, owner, submitted):
    assert as_user(owner).get(dossier_url("review:dossier", submitted)).status_code == 403


def test_reviewer_of_other_province_gets_404_on_a_dossier(as_user, other_reviewer, submitted):
    response = as_user(other_reviewer).get(dossier_url("review:dossier", submitted))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "approver", "viettel", "admin_member"])
def test_staff_of_the_province_may_read_a_dossier(as_user, request, role, submitted):
    user = request.getfixturevalue(role)
    response = as_user(user).get(dossier_url("review:dossier", submitted))
    assert response.status_code == 200
    assert submitted.facility.tax_code in response.text


def test_reviewer_sees_the_actions_of_a_submitted_dossier(as_user, reviewer, submitted):
    response = as_user(reviewer).get(dossier_url("review:dossier", submitted))
    assert dossier_url("review:request_info", submitted) in response.text
    assert dossier_url("review:propose", submitted) in response.text
    assert dossier_url("review:decide", submitted) not in response.text


def test_reviewer_is_told_that_viettel_has_not_confirmed(as_user, reviewer, submitted):
    response = as_user(reviewer).get(dossier_url("review:dossier", submitted))
    assert response.context["approval_blocked"] is True
    assert "Chi nhánh Viettel chưa xác nhận liên thông" in response.text


def test_approver_sees_decisions_with_confirmations(as_user, approver, proposed):
    response = as_user(approver).get(dossier_url("review:dossier", proposed))
    assert dossier_url("review:decide", proposed) in response.text
    assert response.text.count("data-confirm=") == 2
    assert dossier_url("review:propose", proposed) not in response.text


def test_dossier_page_shows_the_selected_document_in_a_viewer(as_user, reviewer, submitted):
    record = submitted.documents.get(kind=DocumentKind.INTERCONNECTION_RECORD)
    response = as_user(reviewer).get(dossier_url("review:dossier", submitted), {"doc": record.pk})
    assert response.context["selected_document"] == record
    assert f'<iframe class="viewer" src="{reverse("public:document", args=[record.pk])}"' in (
        response.text
    )


def test_dossier_page_lists_superseded_versions(as_user, reviewer, facility):
    dossier = dossier_at(S.DRAFT, facility=facility)
    old = dossier.documents.get(kind=DocumentKind.SECURITY_CONTRACT)
    attach(dossier, facility.owner, DocumentKind.SECURITY_CONTRACT, "hop-dong-moi.pdf")
    response = as_user(reviewer).get(dossier_url("review:dossier", dossier))
    assert response.context["old_documents"] == [old]
    assert old.sha256[:12] in response.text


def test_internal_notes_and_messages_are_shown_apart(as_user, reviewer, submitted):
    comment_add(dossier=submitted, actor=reviewer, body="Đã gọi điện cho cơ sở", internal=True)
    comment_add(dossier=submitted, actor=reviewer, body="Đề nghị gửi bản rõ hơn", internal=False)
    response = as_user(reviewer).get(dossier_url("review:dossier", submitted))
    assert [c.body for c in response.context["internal_notes"]] == ["Đã gọi điện cho cơ sở"]
    assert [c.body for c in response.context["messages_to_facility"]] == ["Đề nghị gửi bản rõ hơn"]
    assert 'class="note-internal"' in response.text
    assert 'class="note-message"' in response.text


# Request for more information ---------------------------------------------------------


def info_request(*messages):
    data = {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
    }
    targets = [DocumentKind.SECURITY_CONTRACT, "profile", "other"]
    for index, target in enumerate(targets):
        data[f"items-{index}-target"] = target
        data[f"items-{index}-message"] = messages[index] if index < len(messages) else ""
    return data


def test_reviewer_requests_info_and_the_facility_gets_the_items_by_email(
    as_user, reviewer, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(reviewer).post(
            dossier_url("review:request_info", submitted),
            info_request("Hợp đồng bảo mật đã hết hạn", "Bổ sung số điện thoại"),
            REMOTE_ADDR="10.0.0.7",
        )
    assert response.status_code == 302
    assert response.url == dossier_url("review:dossier", submitted)
    submitted.refresh_from_db()
    assert submitted.status == S.NEEDS_INFO
    assert list(InfoRequestItem.objects.values_list("target", "message")) == [
        ("security_contract", "Hợp đồng bảo mật đã hết hạn"),
        ("profile", "Bổ sung số điện thoại"),
    ]
    event = AuditEvent.objects.get(action="dossier.info_requested")
    assert (event.actor, event.ip) == (reviewer, "10.0.0.7")
    [mail] = mailoutbox
    assert "cần bổ sung" in mail.subject
    assert "1. Hợp đồng bảo mật đã hết hạn" in mail.body
    assert "2. Bổ sung số điện thoại" in mail.body


def test_request_info_without_any_message_is_refused_and_keeps_the_form(
    as_user, reviewer, submitted
):
    response = as_user(reviewer).post(dossier_url("review:request_info", submitted), info_request())
    assert response.status_code == 200
    assert "Hãy nêu ít nhất một nội dung cần bổ sung." in shown_messages(response)
    assert response.context["info_formset"].is_bound
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_approver_may_not_request_info(as_user, approver, submitted):
    response = as_user(approver).post(
        dossier_url("review:request_info", submitted), info_request("Thiếu")
    )
    assert response.status_code == 403
    assert not InfoRequestItem.objects.exists()


def test_reviewer_of_other_province_may_not_request_info(as_user, other_reviewer, submitted):
    response = as_user(other_reviewer).post(
        dossier_url("review:request_info", submitted), info_request("Thiếu")
    )
    assert response.status_code == 404


def test_anonymous_request_info_is_sent_to_login(as_user, submitted):
    response = as_user(None).post(
        dossier_url("review:request_info", submitted), info_request("Thiếu")
    )
    assert response.status_code == 302
    assert Dossier.objects.get().status == S.SUBMITTED


def test_request_info_answers_405_to_get(as_user, reviewer, submitted):
    response = as_user(reviewer).get(dossier_url("review:request_info", submitted))
    assert response.status_code == 405


# Proposals ----------------------------------------------------------------------------


def test_proposing_approval_before_viettel_confirms_is_refused(as_user, reviewer, submitted):
    response = as_user(reviewer).post(
        dossier_url("review:propose", submitted), {"decision": "approve", "note": "Đủ hồ sơ"}
    )
    assert response.status_code == 200
    assert "Chưa thể đề xuất cấp: Chi nhánh Viettel chưa xác nhận liên thông." in (
        shown_messages(response)
    )
    assert response.context["propose_form"]["note"].value() == "Đủ hồ sơ"
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_reviewer_proposes_approval_and_approvers_get_an_email(
    as_user, reviewer, approver, confirmed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(reviewer).post(
            dossier_url("review:propose", confirmed), {"decision": "approve", "note": "Đủ"}
        )
    assert response.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.status == S.PROPOSED_APPROVAL
    assert AuditEvent.objects.filter(action="dossier.approval_proposed", actor=reviewer).exists()
    [mail] = mailoutbox
    assert mail.to == [approver.email]
    assert "chờ lãnh đạo duyệt" in mail.subject


def test_reviewer_proposes_rejection_with_a_reason(as_user, reviewer, submitted):
    response = as_user(reviewer).post(
        dossier_url("review:propose", submitted),
        {"decision": "reject", "reason": "certificate_invalid", "note": "Giấy chứng nhận hết hạn"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.proposal_reason) == (
        S.PROPOSED_REJECTION,
        "certificate_invalid",
    )


def test_proposing_rejection_without_a_reason_is_refused(as_user, reviewer, submitted):
    response = as_user(reviewer).post(
        dossier_url("review:propose", submitted), {"decision": "reject"}
    )
    assert "Hãy chọn lý do từ chối." in shown_messages(response)
    assert Dossier.objects.get().status == S.SUBMITTED


def test_approver_may_not_propose(as_user, approver, confirmed):
    response = as_user(approver).post(
        dossier_url("review:propose", confirmed), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert Dossier.objects.get().status == S.SUBMITTED


def test_reviewer_of_other_province_may_not_propose(as_user, other_reviewer, confirmed):
    response = as_user(other_reviewer).post(
        dossier_url("review:propose", confirmed), {"decision": "approve"}
    )
    assert response.status_code == 404


def test_proposing_twice_shows_the_workflow_message(as_user, reviewer, confirmed):
    client = as_user(reviewer)
    client.post(dossier_url("review:propose", confirmed), {"decision": "approve"})
    response = client.post(dossier_url("review:propose", confirmed), {"decision": "approve"})
    assert response.status_code == 200
    assert any("không thể “Đề xuất cấp tài khoản”" in m for m in shown_messages(response))
    assert AuditEvent.objects.filter(action="dossier.approval_proposed").count() == 1


# Decisions ----------------------------------------------------------------------------


def test_approver_approves_and_viettel_and_facility_get_emails(
    as_user, approver, viettel, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(approver).post(
            dossier_url("review:decide", proposed),
            {"decision": "approve"},
            REMOTE_ADDR="10.0.0.9",
        )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == S.APPROVED
    assert proposed.decided_at is not None
    assert AuditEvent.objects.get(action="dossier.approved").ip == "10.0.0.9"
    recipients = {address for mail in mailoutbox for address in mail.to}
    assert viettel.email in recipients
    assert proposed.facility.email in recipients


def test_approver_agrees_to_reject(as_user, approver, proposed_rejection):
    response = as_user(approver).post(
        dossier_url("review:decide", proposed_rejection), {"decision": "reject"}
    )
    assert response.status_code == 302
    proposed_rejection.refresh_from_db()
    assert proposed_rejection.status == S.REJECTED


def test_approver_returns_with_a_note(as_user, approver, proposed):
    response = as_user(approver).post(
        dossier_url("review:decide", proposed), {"decision": "return", "note": "Xem lại GCN"}
    )
    assert response.status_code == 302
    assert Dossier.objects.get().status == S.SUBMITTED
    assert AuditEvent.objects.get(action="dossier.returned").note == "Xem lại GCN"


def test_returning_without_a_note_is_refused(as_user, approver, proposed):
    response = as_user(approver).post(
        dossier_url("review:decide", proposed), {"decision": "return"}
    )
    assert response.status_code == 200
    assert "Hãy ghi lý do trả lại để chuyên viên xử lý tiếp." in shown_messages(response)
    assert Dossier.objects.get().status == S.PROPOSED_APPROVAL


def test_reviewer_may_not_decide(as_user, reviewer, proposed):
    response = as_user(reviewer).post(
        dossier_url("review:decide", proposed), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert Dossier.objects.get().status == S.PROPOSED_APPROVAL


def test_approver_of_other_province_may_not_decide(as_user, other_approver, proposed):
    response = as_user(other_approver).post(
        dossier_url("review:decide", proposed), {"decision": "approve"}
    )
    assert response.status_code == 404


def test_a_second_decision_shows_the_workflow_message(as_user, approver, proposed):
    client = as_user(approver)
    client.post(dossier_url("review:decide", proposed), {"decision": "approve"})
    response = client.post(
        dossier_url("review:decide", proposed), {"decision": "return", "note": "Xem lại"}
    )
    assert response.status_code == 200
    assert any("người khác vừa xử lý hồ sơ này" in m for m in shown_messages(response))
    assert Dossier.objects.get().status == S.APPROVED


# Comments -----------------------------------------------------------------------------


def test_internal_note_is_saved_without_emailing_the_facility(
    as_user, reviewer, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(reviewer).post(
            dossier_url("review:comment", submitted), {"body": "Chờ Viettel", "internal": "on"}
        )
    assert response.status_code == 302
    assert Comment.objects.get().internal is True
    assert AuditEvent.objects.get(action="comment.internal").visible_to_facility is False
    assert mailoutbox == []


def test_message_to_the_facility_is_emailed(
    as_user, reviewer, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_user(reviewer).post(
            dossier_url("review:comment", submitted), {"body": "Vui lòng gọi lại cho Sở"}
        )
    assert Comment.objects.get().internal is False
    [mail] = mailoutbox
    assert submitted.facility.email in mail.to


def test_empty_comment_is_refused(as_user, reviewer, submitted):
    response = as_user(reviewer).post(dossier_url("review:comment", submitted), {"body": ""})
    assert response.status_code == 200
    assert not Comment.objects.exists()


def test_viettel_officer_may_not_comment_on_the_review_page(as_user, viettel, submitted):
    response = as_user(viettel).post(dossier_url("review:comment", submitted), {"body": "x"})
    assert response.status_code == 403


def test_reviewer_of_other_province_may_not_comment(as_user, other_reviewer, submitted):
    response = as_user(other_reviewer).post(dossier_url("review:comment", submitted), {"body": "x"})
    assert response.status_code == 404


# Next dossier -------------------------------------------------------------------------


def test_next_goes_to_the_following_dossier_by_due_date(as_user, reviewer):
    late, first, second = queued(1, due_in=9) + queued(1, due_in=2) + queued(1, due_in=4)
    response = as_user(reviewer).get(dossier_url("review:next", first), {"tab": "new"})
    assert response.status_code == 302
    assert response.url == dossier_url("review:dossier", second) + "?tab=new"


def test_next_stays_in_the_same_tab(as_user, reviewer):
    [first] = queued(1, due_in=2)
    queued(1, status=S.NEEDS_INFO, due_in=3)
    [following] = queued(1, due_in=4)
    response = as_user(reviewer).get(dossier_url("review:next", first), {"tab": "new"})
    assert response.url.startswith(dossier_url("review:dossier", following))


def test_next_after_the_last_returns_to_the_queue_with_a_message(as_user, reviewer):
    [last] = queued(1)
    response = as_user(reviewer).get(dossier_url("review:next", last), {"tab": "new"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("review:queue") + "?tab=new"
    assert "Đã hết hồ sơ trong mục “Mới nộp”." in shown_messages(response)


def test_next_of_a_dossier_of_other_province_gets_404(as_user, other_reviewer, submitted):
    response = as_user(other_reviewer).get(dossier_url("review:next", submitted))
    assert response.status_code == 404


def test_anonymous_next_is_sent_to_login(as_user, submitted):
    response = as_user(None).get(dossier_url("review:next", submitted))
    assert response.status_code == 302
    assert response.url.startswith(login_url())


@pytest.mark.parametrize("role", ["owner", "viettel"])
def test_next_is_403_outside_the_review_roles(as_user, request, role, submitted):
    user = request.getfixturevalue(role)
    assert as_user(user).get(dossier_url("review:next", submitted)).status_code == 403


def test_viettel_reading_a_review_page_gets_no_queue_links(as_user, viettel, submitted):
    response = as_user(viettel).get(dossier_url("review:dossier", submitted))
    assert dossier_url("review:next", submitted) not in response.text
    assert dossier_url("review:comment", submitted) not in response.text


@pytest.mark.parametrize(
    "name, data",
    [
        ("review:propose", {"decision": "approve"}),
        ("review:decide", {"decision": "approve"}),
        ("review:comment", {"body": "Chào"}),
    ],
)
def test_anonymous_actions_are_sent_to_login_and_change_nothing(as_user, proposed, name, data):
    response = as_user(None).post(dossier_url(name, proposed), data)
    assert response.status_code == 302
    assert response.url.startswith(login_url())
    assert Dossier.objects.get().status == S.PROPOSED_APPROVAL
    assert not Comment.objects.exists()


def test_facility_owner_may_not_comment_through_the_review_page(as_user, owner, submitted):
    response = as_user(owner).post(dossier_url("review:comment", submitted), {"body": "x"})
    assert response.status_code == 403


def test_without_waiting_for_viettel_approval_may_be_proposed_and_the_approver_is_warned(
    as_user, reviewer, approver, submitted, settings
):
    settings.REVIEW_WAITS_FOR_INTERCONNECTION = False
    as_user(reviewer).post(dossier_url("review:propose", submitted), {"decision": "approve"})
    assert Dossier.objects.get().status == S.PROPOSED_APPROVAL
    response = as_user(approver).get(dossier_url("review:dossier", submitted))
    assert "Chi nhánh Viettel chưa xác nhận liên thông cho hồ sơ này." in response.text
