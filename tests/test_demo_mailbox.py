"""The demo's mailbox: every e-mail the demo sends, readable as text with links that work,
on a page that exists only in DEBUG."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from provisioning import demo_mailbox

from .flows import sign_up
from .test_settings import import_settings, production

PDF = b"%PDF-1.4 bien ban ban giao"


@pytest.fixture
def mailbox(settings, tmp_path):
    """The demo's settings: DEBUG, and mail kept in the mailbox instead of sent."""
    settings.DEBUG = True
    settings.DEMO_MAILBOX_DIR = tmp_path / "mail"
    settings.MAILERS = {"default": {"BACKEND": demo_mailbox.BACKEND}}
    caches["default"].clear()  # allauth's per-address rate limits
    return tmp_path / "mail"


@pytest.mark.django_db
def test_with_debug_the_mailbox_lists_the_sign_up_verification(client, mailbox):
    sign_up(client)

    page = client.get(reverse("demo:mailbox")).content.decode()

    assert "[Liên thông Dược] Xác nhận địa chỉ thư điện tử" in page
    assert "moi@nhathuoc.vn" in page
    assert len(list(mailbox.glob("*.eml"))) == 1


@pytest.mark.django_db
def test_the_verification_link_is_whole_and_clickable_and_confirms_the_address(client, mailbox):
    sign_up(client)
    (stored,) = demo_mailbox.mails()

    page = client.get(reverse("demo:mail", args=[stored.name])).content.decode()
    link = re.search(r'<a href="(http://testserver/tai-khoan/confirm-email/[^"]+/)"', page)
    confirmed = Client().post(link.group(1), follow=True).content.decode()

    assert "Anh/chị đã xác nhận địa chỉ moi@nhathuoc.vn." in confirmed


@pytest.mark.django_db
def test_a_portal_email_reads_as_text_and_its_letter_downloads(client, mailbox):
    message = EmailMultiAlternatives(
        subject="[Liên thông Dược] Biên bản bàn giao tài khoản",
        body="Kính gửi Nhà thuốc Tâm Đức,\n\nXem hồ sơ: http://127.0.0.1:8000/co-so/de-nghi/7/\n",
        to=["lienhe@tamduc.vn"],
    )
    message.attach_alternative("<p>Kính gửi Nhà thuốc Tâm Đức,</p>", "text/html")
    message.attach("bien-ban.pdf", PDF, "application/pdf")
    message.send()
    (stored,) = demo_mailbox.mails()
    raw = next(mailbox.glob("*.eml")).read_bytes()

    page = client.get(reverse("demo:mail", args=[stored.name])).content.decode()
    download = client.get(reverse("demo:attachment", args=[stored.name, 0]))

    assert b"=?utf-8?" in raw  # headers and the PDF are encoded on disk, as sent
    assert "[Liên thông Dược] Biên bản bàn giao tài khoản" in page
    assert "Kính gửi Nhà thuốc Tâm Đức," in page
    assert '<a href="http://127.0.0.1:8000/co-so/de-nghi/7/"' in page
    assert "bien-ban.pdf" in page
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_the_newest_email_comes_first(client, mailbox):
    for subject in ("Thư thứ nhất", "Thư thứ hai"):
        EmailMultiAlternatives(subject=subject, body="…", to=["a@nhathuoc.vn"]).send()

    page = client.get(reverse("demo:mailbox")).content.decode()

    assert page.index("Thư thứ hai") < page.index("Thư thứ nhất")


@pytest.mark.django_db
def test_without_debug_the_mailbox_is_404(client, mailbox, settings):
    sign_up(client)
    (stored,) = demo_mailbox.mails()
    settings.DEBUG = False

    assert client.get(reverse("demo:mailbox")).status_code == 404
    assert client.get(reverse("demo:mail", args=[stored.name])).status_code == 404
    assert client.get(reverse("demo:attachment", args=[stored.name, 0])).status_code == 404


@pytest.mark.django_db
def test_an_unknown_mail_is_404(client, mailbox):
    assert client.get(reverse("demo:mail", args=["khong-co-thu-nay"])).status_code == 404


@pytest.mark.django_db
def test_the_demo_banner_links_the_mailbox_only_when_the_demo_keeps_its_mail(
    client, mailbox, settings
):
    with_mailbox = client.get(reverse("home")).content.decode()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    without = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("demo:mailbox")}"' in with_mailbox
    assert f'href="{reverse("demo:mailbox")}"' not in without


def test_production_refuses_the_demo_mailbox(tmp_path):
    result = import_settings(tmp_path, **production(EMAIL_BACKEND=demo_mailbox.BACKEND))

    assert result.returncode != 0
    assert "EMAIL_BACKEND" in result.stderr


def test_the_demo_script_keeps_its_mail_in_the_mailbox_and_tells_where():
    script = (Path(settings.BASE_DIR) / "scripts" / "demo").read_text()
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()

    assert f"EMAIL_BACKEND=${{EMAIL_BACKEND:-{demo_mailbox.BACKEND}}}" in script
    assert f"http://127.0.0.1:$PORT{reverse('demo:mailbox')}" in script
    assert f"http://127.0.0.1:8000{reverse('demo:mailbox')}" in readme
    assert "var/log/worker.log" not in readme
