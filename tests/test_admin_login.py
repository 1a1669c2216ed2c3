"""The admin has no login of its own: a superuser goes through the portal's login and its
two-factor step, and the password alone never opens the admin."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse

from .factories import UserFactory

PASSWORD = "mat-khau-2026"
pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_with_totp():
    user = UserFactory(email="sieuquantri@soyte.vn", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return user


def current_code(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_the_admin_login_page_sends_to_the_portals_login_keeping_next():
    response = Client().get(reverse("admin:login") + "?next=/quan-tri/provisioning/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/quan-tri/provisioning/"


def test_a_superuser_with_totp_cannot_enter_the_admin_with_the_password_alone(
    superuser_with_totp,
):
    client = Client()
    client.post(
        reverse("admin:login"),
        {"username": superuser_with_totp.email, "password": PASSWORD, "next": "/quan-tri/"},
    )
    assert client.get(reverse("admin:index")).status_code == 302

    answer = client.post(
        reverse("account_login"), {"login": superuser_with_totp.email, "password": PASSWORD}
    )
    assert answer["Location"] == reverse("mfa_authenticate")
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302
    assert admin["Location"].startswith(reverse("admin:login"))


def test_a_superuser_enters_the_admin_after_the_totp_step(superuser_with_totp):
    client = Client()
    client.post(
        reverse("account_login") + "?next=" + reverse("admin:index"),
        {"login": superuser_with_totp.email, "password": PASSWORD},
    )
    done = client.post(
        reverse("mfa_authenticate"), {"code": current_code(superuser_with_totp.totp_secret)}
    )
    assert done["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_signed_in_user_who_is_not_staff_gets_403_rather_than_a_login_loop(as_user, owner):
    client = as_user(owner)
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403
