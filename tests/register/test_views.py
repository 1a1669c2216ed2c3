import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from provisioning.models import AuditEvent, RegisterEntry, RegisterImport
from provisioning.register.services import register_import_confirm, register_import_upload

from .helpers import csv_file, row

DAP_CAU_NOW_VU_NINH = 9169


def _upload(province, actor, content=None):
    content = content or csv_file(
        [row("01"), row("02", commune="Nơi Không Có"), row("03", date="32/01/2020")]
    )
    return register_import_upload(
        province=province, uploaded_file=SimpleUploadedFile("so.csv", content), actor=actor
    )


@pytest.fixture
def pending(home_province, reviewer):
    return _upload(home_province, reviewer)


@pytest.fixture
def done(pending, reviewer):
    return register_import_confirm(register_import=pending, actor=reviewer)


@pytest.fixture
def awaiting(done):
    return RegisterEntry.objects.get(certificate_number="02")


def _urls(pending_import, done_import, entry):
    return [
        reverse("register:entries"),
        reverse("register:review"),
        reverse("register:upload"),
        reverse("register:preview", args=[pending_import.pk]),
        reverse("register:columns", args=[pending_import.pk]),
        reverse("register:import", args=[done_import.pk]),
        reverse("register:report", args=[done_import.pk]),
    ]


@pytest.fixture
def second_pending(home_province, reviewer):
    return _upload(home_province, reviewer, csv_file([row("09")]))


def test_anonymous_is_sent_to_log_in(as_user, second_pending, done, awaiting):
    for url in _urls(second_pending, done, awaiting):
        response = as_user(None).get(url)
        assert response.status_code == 302 and "/tai-khoan/" in response["Location"], url


def test_facility_user_and_viettel_get_403(as_user, owner, viettel, second_pending, done, awaiting):
    for user in (owner, viettel):
        for url in _urls(second_pending, done, awaiting):
            assert as_user(user).get(url).status_code == 403, url


def test_reviewer_of_other_province_gets_404_for_this_province_imports(
    as_user, other_reviewer, second_pending, done, awaiting
):
    client = as_user(other_reviewer)
    for url in _urls(second_pending, done, awaiting)[3:]:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("register:choose_commune", args=[awaiting.pk]),
        {f"e{awaiting.pk}-commune": DAP_CAU_NOW_VU_NINH},
    )
    assert response.status_code == 404
    awaiting.refresh_from_db()
    assert awaiting.commune is None
    # The lists show only their own province.
    assert "01" not in as_user(other_reviewer).get(reverse("register:entries")).content.decode()


def test_reviewer_and_approver_of_the_province_see_every_page(
    as_user, reviewer, approver, second_pending, done, awaiting
):
    for user in (reviewer, approver):
        for url in _urls(second_pending, done, awaiting):
            assert as_user(user).get(url).status_code == 200, url


def test_upload_then_preview_saves_nothing_and_names_row_errors(as_user, reviewer, home_province):
    client = as_user(reviewer)
    content = csv_file([row("01"), row("03", date="32/01/2020")])

    response = client.post(
        reverse("register:upload"),
        {"file": SimpleUploadedFile("so.csv", content), "province": home_province.pk},
    )
    preview = client.get(response["Location"])

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Dòng 4, cột “Ngày cấp”" in page
    assert "Xác nhận nhập" in page
    assert not RegisterEntry.objects.exists()
    assert not AuditEvent.objects.exists()


def test_confirming_imports_once_and_offers_the_report(as_user, reviewer, pending):
    client = as_user(reviewer)

    response = client.post(reverse("register:preview", args=[pending.pk]))
    client.post(reverse("register:preview", args=[pending.pk]))  # a double click

    assert response["Location"] == reverse("register:import", args=[pending.pk])
    assert RegisterEntry.objects.count() == 2
    assert AuditEvent.objects.filter(action="register.created", actor=reviewer).count() == 2
    assert AuditEvent.objects.filter(action="register.imported").count() == 1
    pending.refresh_from_db()
    assert pending.status == RegisterImport.Status.DONE
    report = client.get(reverse("register:report", args=[pending.pk])).content.decode("utf-8-sig")
    lines = report.splitlines()
    assert lines[0] == "row,certificate_number,outcome,commune_code,message"
    assert lines[1].startswith("3,01,created,9169")
    assert lines[2].startswith("4,02,review,,")
    assert lines[3].startswith("5,03,error,,")


def test_a_file_without_a_header_shows_why_in_the_preview(as_user, reviewer, home_province):
    register_import = _upload(home_province, reviewer, b"a,b,c\n1,2,3\n")

    page = as_user(reviewer).get(reverse("register:preview", args=[register_import.pk]))

    assert "Không tìm thấy dòng tiêu đề" in page.content.decode()
    assert "Xác nhận nhập" not in page.content.decode()


def test_staff_choose_the_commune_from_the_review_list(as_user, reviewer, awaiting):
    client = as_user(reviewer)
    page = client.get(reverse("register:review")).content.decode()
    assert awaiting.name in page

    response = client.post(
        reverse("register:choose_commune", args=[awaiting.pk]),
        {f"e{awaiting.pk}-commune": DAP_CAU_NOW_VU_NINH},
    )

    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.commune_id == DAP_CAU_NOW_VU_NINH
    event = AuditEvent.objects.get(action="register.commune_chosen")
    assert event.actor == reviewer
    assert (
        "Không còn cơ sở nào chờ chọn xã, phường"
        in client.get(reverse("register:review")).content.decode()
    )


def test_a_commune_outside_the_candidates_is_refused(as_user, reviewer, awaiting):
    awaiting.commune_candidates = [DAP_CAU_NOW_VU_NINH]
    awaiting.save()

    as_user(reviewer).post(
        reverse("register:choose_commune", args=[awaiting.pk]),
        {f"e{awaiting.pk}-commune": 9193},
    )

    awaiting.refresh_from_db()
    assert awaiting.commune is None


def test_the_list_searches_without_diacritics_and_says_when_empty(as_user, reviewer, done):
    client = as_user(reviewer)

    found = client.get(reverse("register:entries"), {"q": "nha thuoc an khang"}).content.decode()
    nothing = client.get(reverse("register:entries"), {"q": "khong co"}).content.decode()

    assert "01" in found and "Nhà thuốc An Khang" in found
    assert "Không có cơ sở nào khớp với tìm kiếm" in nothing


def test_an_empty_register_points_to_the_upload(as_user, reviewer):
    page = as_user(reviewer).get(reverse("register:entries")).content.decode()

    assert "Sổ cấp phép chưa có cơ sở nào" in page
    assert reverse("register:upload") in page


def test_the_register_is_in_the_menu_of_province_staff_only(as_user, reviewer, owner):
    link = reverse("register:entries")

    assert link in as_user(reviewer).get(reverse("review:queue")).content.decode()
    assert link not in as_user(owner).get(reverse("facility:home")).content.decode()


def test_choosing_a_commune_never_sends_the_reviewer_off_site(as_user, reviewer, awaiting):
    response = as_user(reviewer).post(
        reverse("register:choose_commune", args=[awaiting.pk]),
        {f"e{awaiting.pk}-commune": DAP_CAU_NOW_VU_NINH, "next": "https://example.com/"},
    )

    assert response["Location"] == reverse("register:review")


ODD_HEADER = ["TT", "Cơ sở", "Hình thức", "GCN số", "Cấp ngày", "Phường xã", "Ghi chú"]


def _odd_file():
    rows = [["1", "Nhà thuốc Bình An", "Nhà thuốc", "77/BN", "01/02/2020", "P. Đáp Cầu", ""]]
    return csv_file(rows, header=ODD_HEADER)


def test_unknown_headers_are_mapped_by_a_person_then_imported(as_user, reviewer, home_province):
    register_import = _upload(home_province, reviewer, _odd_file())
    client = as_user(reviewer)
    preview = client.get(reverse("register:preview", args=[register_import.pk])).content
    assert "Ghép cột bằng tay" in preview.decode()
    columns_url = reverse("register:columns", args=[register_import.pk])
    assert "Hình thức" in client.get(columns_url).content.decode()

    response = client.post(
        columns_url,
        {"col_1": "name", "col_2": "kind", "col_3": "certificate_number",
         "col_4": "certificate_date", "col_5": "old_commune"},
    )  # fmt: skip
    preview = client.get(response["Location"]).content.decode()
    client.post(reverse("register:preview", args=[register_import.pk]))

    assert "Thêm mới: 1" in preview
    entry = RegisterEntry.objects.get()
    assert entry.certificate_number == "77/BN"
    assert entry.commune_id == DAP_CAU_NOW_VU_NINH


def test_the_mapping_needs_the_key_columns_each_once(as_user, reviewer, home_province):
    register_import = _upload(home_province, reviewer, _odd_file())
    url = reverse("register:columns", args=[register_import.pk])

    twice = as_user(reviewer).post(url, {"col_1": "name", "col_2": "name"}).content.decode()

    assert "Mỗi trường chỉ ghép với một cột" in twice
    assert "Cần ghép các cột" in as_user(reviewer).post(url, {"col_1": "name"}).content.decode()
    register_import.refresh_from_db()
    assert register_import.columns == {}
