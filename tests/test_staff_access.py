import re

import pytest
from django.core import mail
from django.urls import reverse

from provisioning.models import AuditEvent, Membership

pytestmark = pytest.mark.django_db


def test_staff_without_two_factor_are_sent_to_set_it_up_when_required(settings, as_user, reviewer):
    settings.STAFF_REQUIRE_MFA = True
    response = as_user(reviewer).get(reverse("review:queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_facility_users_are_not_asked_for_two_factor(settings, as_user, owner):
    settings.STAFF_REQUIRE_MFA = True
    assert as_user(owner).get(reverse("facility:home")).status_code == 200


def test_the_demo_banner_shows_while_two_factor_is_relaxed(settings, as_user, reviewer):
    settings.STAFF_REQUIRE_MFA = False
    response = as_user(reviewer).get(reverse("review:queue"))
    assert "miễn xác thực hai lớp" in response.content.decode()


def test_an_administrator_invites_staff_who_set_their_own_password(
    as_user, admin_member, home_province, django_capture_on_commit_callbacks
):
    admin_member.is_staff = admin_member.is_superuser = True
    admin_member.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(admin_member).post(
            reverse("admin:invite_staff"),
            {
                "email": "moi@soyte.vn",
                "full_name": "Đỗ Văn Mới",
                "province": home_province.pk,
                "role": "reviewer",
            },
        )
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="moi@soyte.vn", role="reviewer").exists()
    assert AuditEvent.objects.filter(action="staff.invited").count() == 1
    invitation = mail.outbox[-1]
    assert invitation.to == ["moi@soyte.vn"]
    assert "Chuyên viên Sở Y tế" in invitation.body
    link = re.search(r"http\S+/password/reset/key/\S+", invitation.body).group(0)
    assert as_user(None).get("/" + link.split("/", 3)[3], follow=True).status_code == 200
