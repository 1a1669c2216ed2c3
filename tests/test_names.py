"""People have names: asked at sign-up, in the facility's profile and before anyone acts;
printed on letters, e-mails and timelines instead of e-mail addresses."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from provisioning.models import AuditEvent, DossierStatus, Letter, User
from provisioning.services.accounts import dossier_confirm_password_change
from provisioning.services.dossiers import comment_add, dossier_decide
from provisioning.services.staff import staff_invite

from .factories import UserFactory
from .flows import dossier_at

pytestmark = pytest.mark.django_db


def _text(letter):
    with letter.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def staff(reviewer, approver, viettel):
    return {"reviewer": reviewer, "approver": approver, "viettel": viettel}


# Asking for names


def test_sign_up_asks_for_the_representatives_name_and_position(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="full_name"' in page
    assert 'name="position"' in page

    response = client.post(
        reverse("account_signup"),
        {
            "email": "khong.ten@example.vn",
            "password1": "Lien-Thong#8472",
            "password2": "Lien-Thong#8472",
        },
    )

    assert response.status_code == 200
    assert not User.objects.filter(email="khong.ten@example.vn").exists()


def test_a_user_without_a_name_is_sent_to_the_profile_page_before_filing(as_user):
    nameless = UserFactory(email="cu@nhathuoc.vn", full_name="", position="")
    client = as_user(nameless)

    response = client.get(reverse("facility:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("profile") + "?next=%2Fco-so%2F"
    page = client.get(response["Location"])
    assert "họ tên và chức vụ" in page.content.decode()

    saved = client.post(
        reverse("profile"),
        {"full_name": "Đỗ Thị  Lan", "position": "Chủ nhà thuốc", "next": "/co-so/"},
    )

    assert saved["Location"] == "/co-so/"
    nameless.refresh_from_db()
    assert (nameless.full_name, nameless.position) == ("Đỗ Thị Lan", "Chủ nhà thuốc")
    assert AuditEvent.objects.filter(action="user.profile_updated", actor=nameless).exists()
    assert client.get(reverse("facility:home")).status_code == 200


def test_staff_without_a_title_are_asked_for_it_before_reviewing(as_user, reviewer):
    reviewer.position = ""
    reviewer.save()

    response = as_user(reviewer).get(reverse("review:queue"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("profile"))


def test_an_invited_staff_member_gives_a_title_at_the_first_visit(as_user, home_province, owner):
    membership = staff_invite(
        email="moi@soyte.vn",
        full_name="Vũ Văn Tâm",
        province=home_province,
        role="reviewer",
        actor=None,
    )
    client = as_user(membership.user)

    assert client.get(reverse("review:queue"))["Location"].startswith(reverse("profile"))
    page = client.get(reverse("profile")).content.decode()
    assert 'value="Vũ Văn Tâm"' in page

    client.post(reverse("profile"), {"full_name": "Vũ Văn Tâm", "position": "Chuyên viên"})
    assert client.get(reverse("review:queue")).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in_from_the_profile_page(client):
    response = client.get(reverse("profile"))
    assert response["Location"].startswith(reverse("account_login"))


def test_the_profile_page_does_not_send_people_to_another_site(as_user, owner):
    response = as_user(owner).post(
        reverse("profile"),
        {"full_name": "Trần Thị An", "position": "Chủ nhà thuốc", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_the_facility_profile_saves_the_representatives_name_and_position(as_user, owner, facility):
    page = as_user(owner).get(reverse("facility:facility_edit", args=[facility.pk]))
    assert 'value="Trần Thị An"' in page.content.decode()


def test_staff_see_the_representative_by_name_and_position(as_user, submitted, reviewer):
    page = as_user(reviewer).get(reverse("review:dossier", args=[submitted.pk])).content.decode()
    owner = submitted.facility.owner
    assert f"{owner.full_name}, {owner.position}" in page


# Printing names


def test_every_letter_names_the_people_who_sign_it(
    facility, staff, django_capture_on_commit_callbacks
):
    owner = facility.owner
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.ISSUED, facility=facility, **staff)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_confirm_password_change(dossier=dossier, actor=owner)
    text = {letter.kind: _text(letter) for letter in dossier.letters.all()}

    assert f"Người đại diện: {owner.full_name}, chức vụ: {owner.position}" in text["request"]
    assert f"Người nộp hồ sơ: {owner.full_name}, {owner.position}" in text["receipt"]
    assert staff["approver"].full_name in text["decision"]
    assert staff["approver"].position.upper() in text["decision"]
    assert owner.full_name in text["handover"]
    assert owner.position in text["handover"]
    assert staff["viettel"].full_name in text["handover"]
    assert staff["reviewer"].full_name in text["archive"]
    # An address only where an address is meant: the receipt's contact line.
    for kind in ("request", "decision", "handover", "archive"):
        assert owner.email not in text[kind], kind
        assert staff["viettel"].email not in text[kind], kind


def test_a_letter_leaves_a_line_to_write_a_missing_name_rather_than_an_address(
    facility, staff, django_capture_on_commit_callbacks
):
    staff["approver"].full_name = ""
    staff["approver"].save()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.REJECTED, facility=facility, **staff)
    text = _text(dossier.letters.get(kind=Letter.Kind.DECISION))
    assert staff["approver"].email not in text
    assert "……" in text


def test_e_mails_and_timelines_name_people_not_addresses(
    facility, staff, as_user, django_capture_on_commit_callbacks
):
    reviewer, approver = staff["reviewer"], staff["approver"]
    dossier = dossier_at(DossierStatus.PROPOSED_APPROVAL, facility=facility, **staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(dossier=dossier, actor=reviewer, body="Xin chào cơ sở.", internal=False)
        dossier_decide(dossier=dossier, actor=approver, decision="return", note="Xem lại.")

    message = next(m for m in mail.outbox if "Xin chào cơ sở." in m.body)
    assert f"{reviewer.full_name}, {reviewer.position} viết:" in message.body
    returned = next(m for m in mail.outbox if "trả lại" in m.body)
    assert f"Người trả lại: {approver.full_name}, {approver.position}." in returned.body
    for sent in mail.outbox:
        assert reviewer.email not in sent.body
        assert approver.email not in sent.body

    timeline = as_user(reviewer).get(reverse("review:dossier", args=[dossier.pk]))
    page = timeline.content.decode()
    assert f"{approver.full_name}, {approver.position}" in page
    assert approver.email not in page
