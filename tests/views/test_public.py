"""Pages anyone may reach: the status lookup by code and secret, and stored documents."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from provisioning.models import Document, DocumentKind, DossierStatus
from provisioning.services.dossiers import comment_add, document_add, dossier_request_info
from provisioning.uploads import validate_upload

from ..factories import pdf_bytes
from ..flows import dossier_at

S = DossierStatus
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def needs_info(facility, reviewer, approver, viettel):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    dossier = dossier_request_info(
        dossier=dossier,
        actor=reviewer,
        items=[("other", "Ghi chú riêng: hợp đồng có dấu hiệu tẩy xóa")],
    )
    comment_add(
        dossier=dossier,
        actor=reviewer,
        body="Trao đổi riêng với cơ sở về hợp đồng",
        internal=False,
    )
    comment_add(dossier=dossier, actor=reviewer, body="Ghi chú nội bộ: gọi Viettel", internal=True)
    return dossier


def lookup(client, code, secret):
    return client.get(reverse("public:lookup"), {"code": code, "secret": secret})


def test_lookup_with_code_and_secret_shows_the_status_and_the_steps(needs_info, client):
    response = lookup(client, needs_info.code, needs_info.lookup_secret)

    assert response.status_code == 200
    page = response.content.decode()
    assert needs_info.code in page
    assert "Chờ cơ sở bổ sung" in page
    assert "Nộp hồ sơ" in page
    assert "Yêu cầu bổ sung" in page
    assert needs_info.due_date.strftime("%d/%m/%Y") in page


def test_lookup_accepts_the_code_and_secret_typed_in_lower_case(needs_info, client):
    response = lookup(client, f" {needs_info.code.lower()} ", needs_info.lookup_secret.lower())
    assert response.context["dossier"] == needs_info


def test_lookup_shows_no_names_emails_notes_or_messages(needs_info, reviewer, client):
    page = lookup(client, needs_info.code, needs_info.lookup_secret).content.decode()

    facility = needs_info.facility
    for private in (
        reviewer.email,
        reviewer.full_name,
        facility.owner.email,
        facility.owner.full_name,
        facility.email,
        facility.pharmacist_name,
        facility.phone,
        "Ghi chú riêng",
        "Trao đổi riêng",
        "Ghi chú nội bộ",
        "hop-dong-bao-mat.pdf",
    ):
        assert private not in page, private


def test_lookup_with_a_wrong_secret_finds_nothing(needs_info, client):
    response = lookup(client, needs_info.code, "ZZZZZZZZ")

    assert response.context["dossier"] is None
    page = response.content.decode()
    assert "Không tìm thấy hồ sơ với mã và mã tra cứu đã nhập." in page
    assert "Chờ cơ sở bổ sung" not in page


def test_a_draft_has_no_code_and_cannot_be_looked_up_with_an_empty_secret(facility, client):
    dossier_at(S.DRAFT, facility=facility)
    response = lookup(client, "", "")
    assert response.context["dossier"] is None


def test_lookup_is_refused_after_twenty_tries_even_with_the_right_secret(needs_info, client):
    for _ in range(20):
        lookup(client, needs_info.code, "SAI00000")

    response = lookup(client, needs_info.code, needs_info.lookup_secret)

    assert response.context["dossier"] is None
    assert "Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút." in response.content.decode()


def test_the_twentieth_try_is_still_answered(needs_info, client):
    for _ in range(19):
        lookup(client, needs_info.code, "SAI00000")
    assert lookup(client, needs_info.code, needs_info.lookup_secret).context["dossier"]


# Stored documents


@pytest.fixture
def document(facility, reviewer, approver, viettel):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    return Document.objects.get(dossier=dossier, kind=DocumentKind.SECURITY_CONTRACT)


def png_upload(name):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def body_of(response):
    return b"".join(response.streaming_content)


def test_the_owner_gets_the_file_inline_with_protective_headers(document, as_user):
    response = as_user(document.dossier.facility.owner).get(
        reverse("public:document", args=[document.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Content-Disposition"] == 'inline; filename="hop-dong-bao-mat.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert body_of(response) == pdf_bytes("hop-dong-bao-mat.pdf")


def test_an_image_is_served_in_a_sandbox(facility, as_user):
    dossier = dossier_at(S.DRAFT, facility=facility)
    upload = png_upload("bien-hieu.png")
    image = document_add(
        dossier=dossier,
        actor=facility.owner,
        kind=DocumentKind.OTHER,
        upload=upload,
        checked=validate_upload(upload),
    )

    response = as_user(facility.owner).get(reverse("public:document", args=[image.pk]))

    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    # PDFs are not sandboxed: Chromium's viewer will not run in a sandboxed document.
    assert "script-src" not in response["Content-Security-Policy"]
    response.close()


def test_the_owner_can_ask_for_the_file_as_a_download(document, as_user):
    response = as_user(document.dossier.facility.owner).get(
        reverse("public:document", args=[document.pk]), {"tai": "1"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="hop-dong-bao-mat.pdf"'
    response.close()


def test_a_reviewer_of_the_province_opens_the_file(document, reviewer, as_user):
    response = as_user(reviewer).get(reverse("public:document", args=[document.pk]))
    assert response.status_code == 200
    response.close()


@pytest.mark.parametrize(
    "who", ["other_owner", "other_reviewer", "other_approver", "other_viettel"]
)
def test_people_outside_the_dossier_get_404_for_its_file(who, request, document, as_user):
    user = request.getfixturevalue(who)
    response = as_user(user).get(reverse("public:document", args=[document.pk]))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page_for_a_file(document, client):
    response = client.get(reverse("public:document", args=[document.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_an_owner_guessing_the_id_of_another_facility_document_gets_404(
    facility, other_facility, reviewer, approver, viettel, as_user
):
    dossier_at(S.DRAFT, facility=facility)
    theirs = dossier_at(S.DRAFT, facility=other_facility)
    guessed = Document.objects.filter(dossier=theirs).order_by("pk").first()

    response = as_user(facility.owner).get(reverse("public:document", args=[guessed.pk]))

    assert response.status_code == 404


def test_an_id_that_does_not_exist_gets_404(facility, as_user):
    response = as_user(facility.owner).get(reverse("public:document", args=[999999]))
    assert response.status_code == 404
