"""The staff page of the activity import: upload, columns, preview, confirm."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from provisioning.monitoring.models import ActivityDay, MonitoringState, MonitoringStatus

from .factories import HandedOverAccountFactory

PAGE = "/theo-doi/nhap-hoat-dong/"
DAY = (timezone.localdate() - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
COLUMNS = ["Mã cơ sở", "Tên cơ sở", "Ngày", "Số hóa đơn", "Số phiếu nhập", "Số phiếu xuất"]


def a_file(text, name="hoat-dong.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


@pytest.fixture
def account(facility):
    return HandedOverAccountFactory(facility=facility, facility_code="24-008179")


def mapping(headers):
    return {f"column_{index}": header for index, header in enumerate(headers)}


def upload(client, text, name="hoat-dong.csv"):
    return client.post(PAGE, {"step": "upload", "system": "legacy", "file": a_file(text, name)})


def test_anonymous_is_sent_to_log_in(as_user, db):
    response = as_user(None).get(PAGE)

    assert response.status_code == 302
    assert "/tai-khoan/login/" in response["Location"]


@pytest.mark.parametrize("who", ["owner", "viettel"])
def test_a_facility_owner_or_viettel_gets_403(as_user, who, request):
    assert as_user(request.getfixturevalue(who)).get(PAGE).status_code == 403


def test_a_reviewer_previews_then_confirms_and_the_account_becomes_active(
    as_user, reviewer, account
):
    client = as_user(reviewer)
    text = ",".join(COLUMNS) + f"\n 24-008179 ,Nhà thuốc,{DAY},3,0,0\n24-999999,Lạ,{DAY},1,0,0\n"

    columns = upload(client, text)
    assert columns.context["step"] == "columns"
    assert columns.context["mapping"].initial["column_0"] == "Mã cơ sở"
    preview = client.post(PAGE, {"step": "preview", **mapping(COLUMNS)})

    assert preview.context["step"] == "preview"
    assert preview.context["summary"].matched_accounts == 1
    assert "24-999999" in preview.content.decode()
    assert not ActivityDay.objects.exists()
    done = client.post(PAGE, {"step": "confirm", **mapping(COLUMNS)})

    assert done.context["summary"].new == 1
    assert ActivityDay.objects.get().account == account
    assert MonitoringState.objects.get(pk=account.pk).status == MonitoringStatus.ACTIVE


def test_columns_named_otherwise_are_mapped_by_hand(as_user, approver, account):
    client = as_user(approver)
    headers = ["Ma CS", "Ten", "Ngay GD", "HD", "PN", "PX"]
    upload(client, ",".join(headers) + f"\n24-008179,A,{DAY},1,0,0\n")

    missing = client.post(PAGE, {"step": "preview"})
    assert missing.context["step"] == "columns"
    assert missing.context["mapping"].errors
    preview = client.post(PAGE, {"step": "preview", **mapping(headers)})

    assert preview.context["summary"].new == 1


def test_row_errors_are_shown_with_their_line_and_confirm_is_refused(as_user, reviewer, account):
    client = as_user(reviewer)
    upload(
        client, ",".join(COLUMNS) + f"\n24-008179,A,{DAY},1,0,0\n\n24-008179,A,32/13/2026,1,0,0\n"
    )

    preview = client.post(PAGE, {"step": "preview", **mapping(COLUMNS)})
    page = preview.content.decode()
    assert "Ngày “32/13/2026” không đúng dạng dd/mm/yyyy." in page
    assert preview.context["summary"].errors[0][0] == 4
    assert 'value="confirm"' not in page
    client.post(PAGE, {"step": "confirm", **mapping(COLUMNS)})

    assert not ActivityDay.objects.exists()


def test_a_reviewer_of_another_province_matches_none_of_this_provinces_accounts(
    as_user, other_reviewer, account
):
    client = as_user(other_reviewer)
    upload(client, ",".join(COLUMNS) + f"\n24-008179,A,{DAY},1,0,0\n")

    done = client.post(PAGE, {"step": "confirm", **mapping(COLUMNS)})

    assert done.context["summary"].unknown_codes == ["24-008179"]
    assert not ActivityDay.objects.exists()


def test_a_file_of_another_type_is_refused(as_user, reviewer):
    response = upload(as_user(reviewer), "x", name="hoat-dong.pdf")

    assert response.context["step"] == "upload"
    assert "Chỉ nhận tệp .csv hoặc .xlsx." in response.content.decode()


def test_a_preview_without_an_upload_asks_for_the_file_again(as_user, reviewer):
    response = as_user(reviewer).post(PAGE, {"step": "preview"})

    assert response.status_code == 302
