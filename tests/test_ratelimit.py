"""Who the client is, and login limits that slow a guesser without locking anyone else out.

Behind the shipped nginx every connection comes from 127.0.0.1; the client is named in
X-Real-IP, which only a configured proxy (TRUSTED_PROXIES) is believed about.
"""

import re
import uuid

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from provisioning.ratelimit import client_ip

from .test_settings import import_settings, production

PASSWORD = "mat-khau-2026"
PROXY = "127.0.0.1"
ATTACKER, OFFICE = "203.0.113.9", "198.51.100.7"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def browser(address=None):
    """A browser whose requests reach Django through nginx, naming `address`."""
    headers = {"HTTP_X_REAL_IP": address} if address else {}
    return Client(REMOTE_ADDR=PROXY, **headers)


def log_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def refused_as_too_many(response):
    message = str(get_adapter().error_messages["too_many_login_attempts"])
    return response.status_code == 200 and message in response.context["form"].non_field_errors()


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


# The client's address


def test_the_proxys_x_real_ip_names_the_client(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.0/8", "::1"]
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=ATTACKER)
    assert client_ip(request) == ATTACKER


def test_x_real_ip_from_a_connection_that_is_not_the_proxy_is_ignored(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    request = RequestFactory().get("/", REMOTE_ADDR=OFFICE, HTTP_X_REAL_IP="10.0.0.1")
    assert client_ip(request) == OFFICE


def test_x_real_ip_is_ignored_when_no_proxy_is_configured(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=OFFICE, HTTP_X_REAL_IP="10.0.0.1")
    assert client_ip(request) == OFFICE


def test_production_trusts_no_header_unless_a_proxy_is_named(tmp_path):
    code = (
        "import django; django.setup(); from django.test import RequestFactory; "
        "from provisioning.ratelimit import client_ip; "
        "print(client_ip(RequestFactory().get('/', REMOTE_ADDR='198.51.100.7', "
        "HTTP_X_REAL_IP='10.6.6.6')))"
    )
    result = import_settings(tmp_path, code=code, **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == OFFICE


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start(tmp_path):
    result = import_settings(tmp_path, **production(TRUSTED_PROXIES="nginx"))
    assert "TRUSTED_PROXIES: 'nginx' is not an address." in result.stderr


def test_the_audit_records_the_address_the_proxy_names(behind_nginx, as_user, owner, facility):
    from provisioning.models import AuditEvent

    client = as_user(owner)
    client.post(
        reverse("facility:dossier_create", args=[facility.pk]),
        REMOTE_ADDR=PROXY,
        HTTP_X_REAL_IP=OFFICE,
    )
    assert AuditEvent.objects.get(action="dossier.created").ip == OFFICE


# Login limits


def test_ten_failed_logins_on_made_up_emails_do_not_stop_an_unrelated_user(behind_nginx, owner):
    attacker = browser(ATTACKER)
    for n in range(10):
        assert not signed_in(log_in(attacker, f"khongco{n}@example.vn", "doan-bua"))
    assert refused_as_too_many(log_in(attacker, "khongco99@example.vn", "doan-bua"))

    assert signed_in(log_in(browser(OFFICE), owner.email))


def test_five_wrong_passwords_do_not_lock_the_approver_out_of_their_own_browser(
    behind_nginx, approver
):
    own = browser(OFFICE)
    assert signed_in(log_in(own, approver.email))
    own.post(reverse("account_logout"))

    attacker = browser(ATTACKER)
    for _ in range(5):
        assert not signed_in(log_in(attacker, approver.email, "doan-bua"))
    # The guesser is slowed: even the right password is refused for now.
    assert refused_as_too_many(log_in(attacker, approver.email))

    assert signed_in(log_in(own, approver.email))


def test_on_a_new_browser_the_reset_link_still_lets_the_owner_in(behind_nginx, owner, mailoutbox):
    attacker = browser(ATTACKER)
    for _ in range(5):
        log_in(attacker, owner.email, "doan-bua")
    new = browser(OFFICE)
    assert refused_as_too_many(log_in(new, owner.email))

    new.post(reverse("account_reset_password"), {"email": owner.email})
    link = re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[-1].body).group(1)
    form = new.get(link, follow=True)
    new.post(
        form.redirect_chain[-1][0],
        {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026"},
    )
    assert signed_in(log_in(new, owner.email, "Mat-khau-moi-2026"))


def test_rotating_x_real_ip_without_a_proxy_setting_does_not_defeat_the_limits(settings, db):
    settings.TRUSTED_PROXIES = []
    for n in range(10):
        log_in(Client(HTTP_X_REAL_IP=f"10.0.0.{n}"), f"khongco{n}@example.vn", "doan-bua")
    assert refused_as_too_many(
        log_in(Client(HTTP_X_REAL_IP="10.0.0.99"), "khongco99@example.vn", "doan-bua")
    )


def test_rotating_x_real_ip_without_a_proxy_setting_does_not_defeat_the_lookup_limit(settings, db):
    settings.TRUSTED_PROXIES = []
    lookup = reverse("public:lookup")
    for n in range(20):
        Client(HTTP_X_REAL_IP=f"10.0.1.{n}").get(lookup, {"code": "HS-1", "secret": "ABCD"})
    page = Client(HTTP_X_REAL_IP="10.0.1.99").get(lookup, {"code": "HS-1", "secret": "ABCD"})
    assert "Bạn tra cứu quá nhiều lần." in page.text


@pytest.mark.skipif(
    not django_settings.CELERY_BROKER_URL.startswith("redis://"),
    reason="needs Redis: CELERY_BROKER_URL=redis://…",
)
def test_counts_live_in_redis_where_every_worker_process_sees_them(db):
    location = django_settings.CELERY_BROKER_URL
    options = {"KEY_PREFIX": f"test-ratelimit-{uuid.uuid4().hex}"}
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    lookup = reverse("public:lookup")
    with override_settings(CACHES={"default": {**redis, **options}}):
        for _ in range(3):
            Client(REMOTE_ADDR=ATTACKER).get(lookup, {"code": "HS-1", "secret": "ABCD"})
    # Another process opens its own connection and reads the same count.
    other_worker = RedisCache(location, options)
    assert other_worker.get(f"ratelimit:lookup:{ATTACKER}") == 3
    other_worker.delete(f"ratelimit:lookup:{ATTACKER}")
