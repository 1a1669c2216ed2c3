"""The facility's screens, tried by the owner, another owner, staff and anonymous visitors."""

import datetime
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from provisioning.models import (
    AuditEvent,
    Comment,
    Commune,
    Document,
    DocumentKind,
    Dossier,
    DossierStatus,
    Facility,
    NationalAccount,
    Province,
    User,
)
from provisioning.services.dossiers import dossier_create, dossier_request_info
from provisioning.uploads import MSG_TYPE_UNKNOWN
from provisioning.urls.facility import urlpatterns as FACILITY_URLS
from provisioning.workdays import add_working_days, working_days_between

from ..factories import HOME_PROVINCE, OTHER_PROVINCE, VendorFactory, pdf_upload
from ..flows import dossier_at

S = DossierStatus
pytestmark = pytest.mark.django_db

# URL names whose <pk> is a facility; every other name with a pk takes a dossier.
FACILITY_PK_NAMES = {"facility_edit", "dossier_create"}
URL_NAMES = [pattern.name for pattern in FACILITY_URLS]
PK_URL_NAMES = [pattern.name for pattern in FACILITY_URLS if "<int:pk>" in str(pattern.pattern)]


@pytest.fixture
def staff(reviewer, approver, viettel):
    return {"reviewer": reviewer, "approver": approver, "viettel": viettel}


@pytest.fixture
def issued(facility, staff):
    return dossier_at(S.ISSUED, facility=facility, **staff)


def commune_of(province_code):
    return Commune.objects.filter(province_id=province_code).order_by("code").first()


def facility_data(**overrides):
    vendor = VendorFactory(name="Công ty TNHH Phần mềm Nhà thuốc Việt", short_name="PMNTV")
    data = {
        "kind": Facility.Kind.PHARMACY,
        "name": "Nhà thuốc Minh Châu",
        "certificate_number": "215/ĐKKDD-BN",
        "certificate_date": "2024-05-20",
        "gpp_certificate": "88/GPP-BN",
        "tax_code": "2300987654",
        "pharmacist_name": "Phạm Thị Minh Châu",
        "practising_certificate": "1234/CCHN-D-SYT-BN",
        "insurance_code": "",
        "province": HOME_PROVINCE,
        "commune": commune_of(HOME_PROVINCE).code,
        "address": "Số 5 đường Nguyễn Trãi",
        "phone": "0912 345 679",
        "email": "minhchau@nhathuoc.vn",
        "vendor": vendor.pk,
        "software_product": "Nhà thuốc GPP Pro",
        "connection_model": Facility.ConnectionModel.DIRECT,
        "representative-full_name": "Phạm Thị Minh Châu",
        "representative-position": "Chủ nhà thuốc",
    }
    data.update(overrides)
    return data


def url_for(name, *, facility, dossier):
    if name not in PK_URL_NAMES:
        return reverse(f"facility:{name}")
    pk = facility.pk if name in FACILITY_PK_NAMES else dossier.pk
    return reverse(f"facility:{name}", args=[pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# Signing up and the facility profile


def test_a_new_user_signs_up_confirms_the_email_and_declares_the_facility(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "  Phạm Thị   Minh Châu ",
            "position": "Chủ nhà thuốc",
            "email": "chu.nhathuoc@gmail.com",
            "password1": "Lien-Thong#8472",
            "password2": "Lien-Thong#8472",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="chu.nhathuoc@gmail.com")
    assert (user.full_name, user.position) == ("Phạm Thị Minh Châu", "Chủ nhà thuốc")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/tai-khoan/\S+/", mail.outbox[0].body).group(0)
    confirmed = client.post(urlsplit(link).path)
    assert confirmed.status_code == 302

    response = client.post(reverse("facility:facility_create"), facility_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("facility:home")
    facility = Facility.objects.get(owner=user)
    assert facility.name == "Nhà thuốc Minh Châu"
    assert facility.phone == "0912345679"
    assert AuditEvent.objects.filter(action="facility.created", facility=facility).count() == 1


def test_the_certificate_number_is_stored_normalised(owner, as_user):
    as_user(owner).post(
        reverse("facility:facility_create"),
        facility_data(certificate_number=" 215 / đkkdd-bn "),
    )
    assert Facility.objects.get(owner=owner).certificate_number == "215/ĐKKDD-BN"


def test_a_certificate_number_already_registered_is_refused_with_a_vietnamese_message(
    owner, other_facility, as_user
):
    typed = other_facility.certificate_number.lower()
    response = as_user(owner).post(
        reverse("facility:facility_create"), facility_data(certificate_number=typed)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["certificate_number"]
    assert errors == [
        "Số Giấy chứng nhận này đã được một cơ sở khác đăng ký trên cổng. "
        "Nếu đó là cơ sở của bạn, hãy liên hệ Sở Y tế."
    ]
    assert not Facility.objects.filter(owner=owner).exists()


def test_a_tax_code_already_registered_is_refused_with_a_vietnamese_message(
    owner, other_facility, as_user
):
    response = as_user(owner).post(
        reverse("facility:facility_create"), facility_data(tax_code=other_facility.tax_code)
    )

    assert response.status_code == 200
    assert (
        "Mã số thuế này đã được một cơ sở khác đăng ký trên cổng"
        in (response.context["form"].errors["tax_code"][0])
    )
    assert not Facility.objects.filter(owner=owner).exists()


def test_an_invalid_tax_code_is_explained_next_to_the_field_and_the_typed_values_stay(
    owner, as_user
):
    response = as_user(owner).post(
        reverse("facility:facility_create"), facility_data(tax_code="23009")
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["tax_code"]
    assert "Mã số thuế gồm 10 chữ số, hoặc 13 ký tự dạng 0101234567-001." in (
        response.content.decode()
    )
    assert 'value="23009"' in response.content.decode()
    assert 'value="Nhà thuốc Minh Châu"' in response.content.decode()
    assert 'value="Phạm Thị Minh Châu"' in response.content.decode()


def test_a_certificate_number_in_the_wrong_form_is_explained_next_to_the_field(owner, as_user):
    response = as_user(owner).post(
        reverse("facility:facility_create"), facility_data(certificate_number="GCN so 215")
    )

    assert list(response.context["form"].errors) == ["certificate_number"]
    assert "Số Giấy chứng nhận không đúng dạng “số/ký hiệu”, ví dụ 123/ĐKKDD-BN." in (
        response.content.decode()
    )
    assert 'value="GCN so 215"' in response.content.decode()
    assert not Facility.objects.filter(owner=owner).exists()


def test_a_commune_of_a_province_the_portal_does_not_serve_is_refused_next_to_the_field(
    owner, as_user
):
    outside = commune_of(OTHER_PROVINCE)
    response = as_user(owner).post(
        reverse("facility:facility_create"), facility_data(commune=outside.code)
    )

    assert response.status_code == 200
    message = (
        "Xã/phường đã chọn không thuộc tỉnh/thành phố mà Cổng phục vụ. Hãy chọn trong danh sách."
    )
    assert response.context["form"].errors == {"commune": [message]}
    assert message in response.content.decode()
    assert 'value="Nhà thuốc Minh Châu"' in response.content.decode()
    assert not Facility.objects.filter(owner=owner).exists()


def test_a_commune_of_another_served_province_is_refused_with_the_province_named(owner, as_user):
    Province.objects.filter(code=OTHER_PROVINCE).update(served=True)
    home = Province.objects.get(code=HOME_PROVINCE)
    response = as_user(owner).post(
        reverse("facility:facility_create"),
        facility_data(commune=commune_of(OTHER_PROVINCE).code),
    )

    assert response.context["form"].errors["commune"] == [
        f"Xã, phường này không thuộc {home.name}."
    ]
    assert not Facility.objects.filter(owner=owner).exists()


def test_a_clinic_without_an_insurance_code_is_asked_for_it(owner, as_user):
    response = as_user(owner).post(
        reverse("facility:facility_create"),
        facility_data(kind=Facility.Kind.CLINIC, name="Phòng khám Đa khoa Hòa Bình"),
    )

    assert response.context["form"].errors["insurance_code"] == [
        "Phòng khám, bệnh viện phải nhập mã cơ sở KCB."
    ]
    assert 'value="Phòng khám Đa khoa Hòa Bình"' in response.content.decode()
    assert not Facility.objects.filter(owner=owner).exists()


def test_a_clinic_with_an_insurance_code_is_saved(owner, as_user):
    as_user(owner).post(
        reverse("facility:facility_create"),
        facility_data(kind=Facility.Kind.CLINIC, insurance_code="27a01"),
    )
    assert Facility.objects.get(owner=owner).insurance_code == "27A01"


def test_the_facility_profile_records_the_representatives_name_and_position(owner, as_user):
    response = as_user(owner).post(
        reverse("facility:facility_create"),
        facility_data(
            **{"representative-full_name": "Trần Thị  An", "representative-position": ""}
        ),
    )
    assert response.context["person_form"].errors["position"] == ["Trường này là bắt buộc."]
    assert not Facility.objects.filter(owner=owner).exists()

    as_user(owner).post(
        reverse("facility:facility_create"),
        facility_data(**{"representative-position": "Giám đốc"}),
    )

    owner.refresh_from_db()
    assert (owner.full_name, owner.position) == ("Phạm Thị Minh Châu", "Giám đốc")
    assert Facility.objects.filter(owner=owner).exists()


def test_the_profile_cannot_be_edited_while_the_so_reviews_the_dossier(facility, staff, as_user):
    dossier_at(S.SUBMITTED, facility=facility)
    response = as_user(facility.owner).post(
        reverse("facility:facility_edit", args=[facility.pk]),
        facility_data(name="Tên mới"),
        follow=True,
    )

    assert "Hồ sơ của cơ sở đang được xử lý, chưa thể sửa thông tin cơ sở." in messages_of(response)
    facility.refresh_from_db()
    assert facility.name == "Nhà thuốc An Khang"


# The draft and its attachments


def test_the_owner_opens_a_draft_dossier_for_the_facility(facility, as_user):
    response = as_user(facility.owner).post(reverse("facility:dossier_create", args=[facility.pk]))

    dossier = Dossier.objects.get(facility=facility)
    assert response["Location"] == reverse("facility:dossier_edit", args=[dossier.pk])
    assert dossier.status == S.DRAFT
    assert AuditEvent.objects.filter(dossier=dossier, action="dossier.created").count() == 1


def test_saving_a_draft_keeps_the_note_and_both_files(facility, as_user):
    dossier = dossier_create(facility=facility, actor=facility.owner)
    response = as_user(facility.owner).post(
        reverse("facility:dossier_edit", args=[dossier.pk]),
        {
            "note": "Đề nghị cấp tài khoản cho nhà thuốc",
            "security_contract": pdf_upload("hop-dong-bao-mat.pdf"),
            "interconnection_record": pdf_upload("bien-ban-lien-thong.pdf"),
            "action": "save",
        },
        follow=True,
    )

    assert "Đã lưu bản nháp." in messages_of(response)
    dossier.refresh_from_db()
    assert dossier.note == "Đề nghị cấp tài khoản cho nhà thuốc"
    assert dossier.status == S.DRAFT
    assert set(Document.objects.filter(dossier=dossier).values_list("kind", "original_name")) == {
        (DocumentKind.SECURITY_CONTRACT, "hop-dong-bao-mat.pdf"),
        (DocumentKind.INTERCONNECTION_RECORD, "bien-ban-lien-thong.pdf"),
    }
    assert "Đủ tài liệu bắt buộc" in response.content.decode()


def test_the_facility_attaches_its_signed_request_letter(facility, as_user):
    dossier = dossier_create(facility=facility, actor=facility.owner)
    page = as_user(facility.owner).get(reverse("facility:dossier_edit", args=[dossier.pk]))
    assert reverse("facility:request_letter", args=[dossier.pk]) in page.content.decode()
    as_user(facility.owner).post(
        reverse("facility:dossier_edit", args=[dossier.pk]),
        {"request_letter": pdf_upload("don-de-nghi-da-ky.pdf"), "action": "save"},
    )
    document = Document.objects.get(dossier=dossier)
    assert (document.kind, document.original_name) == (
        DocumentKind.REQUEST_LETTER,
        "don-de-nghi-da-ky.pdf",
    )


def test_a_text_file_named_pdf_is_refused_but_the_good_file_sent_with_it_is_kept(facility, as_user):
    dossier = dossier_create(facility=facility, actor=facility.owner)
    fake = SimpleUploadedFile(
        "hop-dong.pdf", b"Day la van ban thuong, khong phai PDF", content_type="application/pdf"
    )
    response = as_user(facility.owner).post(
        reverse("facility:dossier_edit", args=[dossier.pk]),
        {
            "security_contract": fake,
            "interconnection_record": pdf_upload("bien-ban-lien-thong.pdf"),
            "action": "save",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["security_contract"] == [MSG_TYPE_UNKNOWN]
    assert str(MSG_TYPE_UNKNOWN) in response.content.decode()
    assert list(Document.objects.filter(dossier=dossier).values_list("kind", flat=True)) == [
        DocumentKind.INTERCONNECTION_RECORD
    ]


def test_submitting_without_the_attachments_is_refused_with_what_is_missing(facility, as_user):
    dossier = dossier_create(facility=facility, actor=facility.owner)
    response = as_user(facility.owner).post(
        reverse("facility:dossier_submit", args=[dossier.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("facility:dossier_edit", args=[dossier.pk])
    assert (
        "Hồ sơ còn thiếu: Hợp đồng bảo mật thông tin, Biên bản xác nhận liên thông."
        in messages_of(response)
    )
    dossier.refresh_from_db()
    assert dossier.status == S.DRAFT
    assert dossier.code is None


def test_submitting_shows_the_receipt_with_code_secret_and_due_date(
    facility, reviewer, as_user, django_capture_on_commit_callbacks
):
    dossier = dossier_at(S.DRAFT, facility=facility)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(facility.owner).post(
            reverse("facility:dossier_edit", args=[dossier.pk]), {"action": "submit"}, follow=True
        )

    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED
    assert response.redirect_chain[-1][0] == reverse("facility:dossier_receipt", args=[dossier.pk])
    page = response.content.decode()
    assert "Phiếu tiếp nhận hồ sơ" in page
    assert dossier.code in page
    assert dossier.lookup_secret in page
    assert dossier.due_date.strftime("%d/%m/%Y") in page
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(
        [reviewer.email, facility.email, facility.owner.email]
    )


# Answering a request for more


@pytest.fixture
def needs_info(facility, staff):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    return dossier_request_info(
        dossier=dossier,
        actor=staff["reviewer"],
        items=[
            ("profile", "Bổ sung số điện thoại của dược sĩ phụ trách"),
            (DocumentKind.SECURITY_CONTRACT, "Hợp đồng bảo mật phải có dấu đỏ"),
        ],
    )


def test_the_facility_answers_each_item_and_the_due_date_moves_by_the_paused_working_days(
    needs_info, reviewer, as_user, django_capture_on_commit_callbacks
):
    paused_since = timezone.localdate() - datetime.timedelta(days=14)
    Dossier.objects.filter(pk=needs_info.pk).update(paused_since=paused_since)
    due_before = needs_info.due_date
    text_item, file_item = needs_info.info_items.order_by("pk")

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(needs_info.facility.owner).post(
            reverse("facility:dossier_respond", args=[needs_info.pk]),
            {
                f"item-{text_item.pk}-response": "Điện thoại dược sĩ: 0987654321",
                f"item-{file_item.pk}-file": pdf_upload("hop-dong-co-dau.pdf"),
            },
            follow=True,
        )

    assert "Đã gửi nội dung bổ sung tới Sở Y tế." in messages_of(response)
    needs_info.refresh_from_db()
    assert needs_info.status == S.SUBMITTED
    assert needs_info.paused_since is None
    waited = working_days_between(paused_since, timezone.localdate())
    assert waited >= 5
    assert needs_info.due_date == add_working_days(due_before, waited)
    text_item.refresh_from_db()
    file_item.refresh_from_db()
    assert text_item.response == "Điện thoại dược sĩ: 0987654321"
    assert file_item.response_document.original_name == "hop-dong-co-dau.pdf"
    current = Document.objects.get(
        dossier=needs_info, kind=DocumentKind.SECURITY_CONTRACT, superseded_by__isnull=True
    )
    assert current == file_item.response_document
    assert [m.to for m in mail.outbox] == [[reviewer.email]]


def test_answering_only_some_items_is_refused_and_nothing_moves(needs_info, as_user):
    text_item, file_item = needs_info.info_items.order_by("pk")
    response = as_user(needs_info.facility.owner).post(
        reverse("facility:dossier_respond", args=[needs_info.pk]),
        {f"item-{text_item.pk}-response": "Điện thoại dược sĩ: 0987654321"},
    )

    assert response.status_code == 400
    assert "Hãy trả lời tất cả các nội dung Sở Y tế yêu cầu bổ sung." in messages_of(response)
    needs_info.refresh_from_db()
    assert needs_info.status == S.NEEDS_INFO
    assert not needs_info.info_items.filter(answered_at__isnull=False).exists()


def test_a_bad_file_in_an_answer_is_explained_next_to_its_item(needs_info, as_user):
    text_item, file_item = needs_info.info_items.order_by("pk")
    fake = SimpleUploadedFile("hop-dong.pdf", b"khong phai pdf", content_type="application/pdf")
    response = as_user(needs_info.facility.owner).post(
        reverse("facility:dossier_respond", args=[needs_info.pk]),
        {f"item-{text_item.pk}-response": "Đã bổ sung", f"item-{file_item.pk}-file": fake},
    )

    assert response.status_code == 400
    assert str(MSG_TYPE_UNKNOWN) in response.content.decode()
    needs_info.refresh_from_db()
    assert needs_info.status == S.NEEDS_INFO


# Withdrawing and writing to the Sở


def test_the_owner_withdraws_a_submitted_dossier_with_a_reason(facility, staff, as_user):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    response = as_user(facility.owner).post(
        reverse("facility:dossier_withdraw", args=[dossier.pk]),
        {"note": "Cơ sở tạm ngừng kinh doanh"},
        follow=True,
    )

    assert "Đã rút hồ sơ." in messages_of(response)
    dossier.refresh_from_db()
    assert dossier.status == S.WITHDRAWN
    assert dossier.closed_at is not None
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.withdrawn")
    assert event.note == "Cơ sở tạm ngừng kinh doanh"
    assert event.actor == facility.owner


def test_a_message_to_the_so_is_stored_and_emailed_to_its_reviewers(
    facility, staff, as_user, django_capture_on_commit_callbacks
):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(facility.owner).post(
            reverse("facility:dossier_message", args=[dossier.pk]),
            {"body": "Xin hỏi khi nào có kết quả?"},
            follow=True,
        )

    assert "Đã gửi trao đổi tới Sở Y tế." in messages_of(response)
    comment = Comment.objects.get(dossier=dossier)
    assert (comment.body, comment.internal, comment.author) == (
        "Xin hỏi khi nào có kết quả?",
        False,
        facility.owner,
    )
    assert [m.to for m in mail.outbox] == [[staff["reviewer"].email]]
    assert "Xin hỏi khi nào có kết quả?" in response.content.decode()


def test_an_empty_message_is_refused(facility, staff, as_user):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    response = as_user(facility.owner).post(
        reverse("facility:dossier_message", args=[dossier.pk]), {"body": "  "}, follow=True
    )
    assert "Nội dung trao đổi không được để trống." in messages_of(response)
    assert not Comment.objects.exists()


# Receiving the account


def test_opening_the_account_page_does_not_reveal_the_password(issued, as_user):
    response = as_user(issued.facility.owner).get(
        reverse("facility:account_reveal", args=[issued.pk])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "gpp_24_000123" in page
    assert "Ban-dau-2026" not in page
    assert "Xem mật khẩu ban đầu" in page
    assert NationalAccount.objects.get(dossier=issued).password_shown_at is None


def test_the_password_is_shown_once_on_post_and_refused_the_second_time(issued, as_user):
    client = as_user(issued.facility.owner)
    url = reverse("facility:account_reveal", args=[issued.pk])

    first = client.post(url)
    assert first.status_code == 200
    assert "Ban-dau-2026" in first.content.decode()
    assert "no-cache" in first["Cache-Control"]

    second = client.post(url, follow=True)
    assert second.redirect_chain[-1][0] == reverse("facility:dossier", args=[issued.pk])
    assert "Ban-dau-2026" not in second.content.decode()
    assert any("chỉ hiển thị một lần và đã được xem" in m for m in messages_of(second))
    assert AuditEvent.objects.filter(dossier=issued, action="account.password_shown").count() == 1


def test_confirming_the_password_change_completes_the_dossier_and_erases_the_password(
    issued, as_user
):
    response = as_user(issued.facility.owner).post(
        reverse("facility:account_confirm", args=[issued.pk]), follow=True
    )

    assert "Cảm ơn. Cổng đã xoá mật khẩu ban đầu; từ nay chỉ cơ sở biết mật khẩu." in (
        messages_of(response)
    )
    issued.refresh_from_db()
    assert issued.status == S.COMPLETED
    account = NationalAccount.objects.get(dossier=issued)
    assert account.password_ciphertext == ""
    assert account.password_changed_at is not None


# Who may open the facility's pages


@pytest.mark.parametrize("role", ["reviewer", "approver", "viettel", "admin_member"])
@pytest.mark.parametrize("name", ["home", "facility_create", "dossier", "account_reveal"])
def test_staff_get_403_on_facility_pages(role, name, request, issued, as_user):
    user = request.getfixturevalue(role)
    response = as_user(user).get(url_for(name, facility=issued.facility, dossier=issued))
    assert response.status_code == 403


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_visitors_are_sent_to_the_login_page(name, client):
    # The login check comes before any lookup: any id will do.
    url = url_for(name, facility=SimpleNamespace(pk=1), dossier=SimpleNamespace(pk=1))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("name", PK_URL_NAMES)
def test_another_owner_gets_404_on_every_facility_and_dossier_url(
    name, facility, other_owner, staff, as_user
):
    dossier = dossier_at(S.ISSUED, facility=facility, **staff)
    response = as_user(other_owner).post(url_for(name, facility=facility, dossier=dossier))

    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == S.ISSUED
    assert NationalAccount.objects.get(dossier=dossier).password_shown_at is None


@pytest.mark.parametrize(
    "name", ["facility_edit", "dossier", "dossier_edit", "dossier_receipt", "account_reveal"]
)
def test_another_owner_gets_404_when_reading_the_pages(name, issued, other_owner, as_user):
    response = as_user(other_owner).get(url_for(name, facility=issued.facility, dossier=issued))
    assert response.status_code == 404
