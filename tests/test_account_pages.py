"""django-allauth's pages, e-mails and messages speak Vietnamese, in the portal's look.

allauth ships no Vietnamese catalogue: the portal's `locale/vi` carries one. A page passes
when none of allauth's English texts is left on it; the same pages in English prove that the
check finds them, and that the language switch still works.
"""

import ast
import gettext
import html.parser
import re
from functools import cache
from pathlib import Path

import allauth
import django
import import_export
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation

from .factories import UserFactory
from .flows import sign_up
from .test_i18n import read_po

PASSWORD = "mat-khau-2026"  # UserFactory's
ALLAUTH_EN = Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
DJANGO_EN = [
    Path(django.__file__).parent / folder / "en" / "LC_MESSAGES" / "django.po"
    for folder in ("conf/locale", "contrib/auth/locale", "contrib/admin/locale")
]
ADMIN_JS_EN = Path(django.__file__).parent / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po"
# import-export ships no English catalogue: its French one lists the msgids.
IMPORT_EXPORT_MSGIDS = (
    Path(import_export.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
)
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
# What the portal uses of allauth: its account and mfa apps, without the features that are
# switched off (phone numbers, sign-in codes, passkeys, security keys, trusted browsers).
USED = re.compile(r"^(account/|mfa/|templates/account/|templates/mfa/|templates/allauth/)")
UNUSED = re.compile(r"phone|login_code|passkey|webauthn|mfa/trust")


@cache
def allauth_english():
    """allauth's English texts, cut at their placeholders and tags: phrases (several words),
    looked for anywhere in a page, and single words, looked for as a whole text."""
    phrases, words = set(), set()
    for entry in read_po(ALLAUTH_EN):
        for text in (entry["msgid"], entry.get("msgid_plural")):
            for fragment in re.split(r"%\(\w+\)[sdr]|%[sd]|\{\w+\}|<[^>]+>", text or ""):
                fragment = " ".join(fragment.split()).strip(" .:!?,()-")
                if " " in fragment:
                    phrases.add(fragment)
                elif len(fragment) > 2:
                    words.add(fragment)
    return phrases, words


class _Texts(html.parser.HTMLParser):
    """The texts a reader meets: text nodes and the attributes that are read out."""

    READ = {"placeholder", "title", "alt", "aria-label"}

    def __init__(self):
        super().__init__()
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self.texts += [" ".join(value.split()) for name, value in attrs if name in self.READ]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def english_left(document):
    """allauth's English texts found in an HTML page or a plain-text e-mail."""
    parser = _Texts()
    parser.feed(document)
    texts = {text.strip(" .:!?,") for text in parser.texts}
    whole = " ".join(parser.texts)
    phrases, words = allauth_english()
    return sorted({p for p in phrases if p in whole} | (words & texts))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts sign-ups and e-mails per address in the cache, across tests."""
    caches["default"].clear()


def page(response):
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return response.content.decode()


def signed_in(user, client=None):
    """A client that signed in through the login form, as a person does (allauth then
    counts the sign-in as recent, and asks staff with an authenticator for a code)."""
    client = client or Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    return client


def link_in(message):
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def reauthenticated(client):
    """Setting up two-factor authentication asks for the password again."""
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


def totp_for(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def current_code(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def messages_on(response):
    return [str(message) for message in response.context["messages"]]


# Catalogue


def used_by_the_portal(po):
    """The entries of allauth's catalogue that a template or module the portal uses refers to."""
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        references = [
            ref for line in block.splitlines() if line.startswith("#:") for ref in line[2:].split()
        ]
        if any(USED.match(ref) and not UNUSED.search(ref) for ref in references):
            msgctxt = re.search(r'^msgctxt "(.*)"$', block, re.M)
            msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M).group(1)
            yield {
                "msgid": "".join(ast.literal_eval(part) for part in msgid.split("\n") if part),
                **({"msgctxt": msgctxt.group(1)} if msgctxt else {}),
            }


def test_every_allauth_text_of_the_used_pages_forms_and_emails_has_a_vietnamese_translation():
    with open(CATALOGUE / "django.mo", "rb") as mo:
        vietnamese = gettext.GNUTranslations(mo)
    used = list(used_by_the_portal(ALLAUTH_EN))

    missing = [
        entry["msgid"]
        for entry in used
        if (
            vietnamese.pgettext(entry["msgctxt"], entry["msgid"])
            if "msgctxt" in entry
            else vietnamese.gettext(entry["msgid"])
        )
        == entry["msgid"]
    ]

    assert len(used) > 200
    assert missing == []


def test_the_vietnamese_catalogues_hold_only_allauth_django_and_import_export_texts():
    foreign = {
        (entry.get("msgctxt"), entry["msgid"])
        for po in (ALLAUTH_EN, *DJANGO_EN, ADMIN_JS_EN, IMPORT_EXPORT_MSGIDS)
        for entry in read_po(po)
    }

    ours = [
        entry["msgid"]
        for domain in ("django", "djangojs")
        for entry in read_po(CATALOGUE / f"{domain}.po")
        if entry["msgid"] and (entry.get("msgctxt"), entry["msgid"]) not in foreign
    ]

    assert ours == []


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_vietnamese_catalogue_matches_the_po_file(domain):
    with open(CATALOGUE / f"{domain}.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for entry in read_po(CATALOGUE / f"{domain}.po"):
        if not entry["msgid"]:
            continue
        context, msgid = entry.get("msgctxt"), entry["msgid"]
        if "msgid_plural" in entry:
            found = compiled.ngettext(msgid, entry["msgid_plural"], 1)
            expected = entry["msgstr[0]"]
        else:
            found = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
            expected = entry["msgstr"]
        if found != expected:
            stale.append(msgid)

    assert stale == [], "run: manage.py compilemessages -l vi"


# Pages


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_login", "Đăng nhập"),
        ("account_signup", "Đăng ký"),
        ("account_reset_password", "Đặt lại mật khẩu"),
        ("account_reset_password_done", "Đặt lại mật khẩu"),
        ("account_reset_password_from_key_done", "Mật khẩu của anh/chị đã được thay đổi."),
        ("account_email_verification_sent", "Xác nhận địa chỉ thư điện tử"),
        ("account_inactive", "Tài khoản bị khoá"),
    ],
)
def test_an_anonymous_visitor_reads_the_account_page_in_vietnamese(client, name, heading):
    text = page(client.get(reverse(name)))

    assert heading in text
    assert english_left(text) == []


@pytest.mark.django_db
def test_the_sign_in_error_is_vietnamese(client, owner):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "sai"})

    text = page(response)
    assert "Địa chỉ thư điện tử hoặc mật khẩu không đúng." in text
    assert english_left(text) == []


@pytest.mark.django_db
def test_sign_up_errors_are_vietnamese_django_ones_included(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "moi@nhathuoc.vn", "password1": "ab1", "password2": "ab2"},
    )

    text = page(response)
    assert "Mật khẩu quá ngắn: phải có ít nhất 8 ký tự." in text
    assert english_left(text) == []
    assert "This password is too short" not in text


@pytest.mark.django_db
def test_sign_up_shows_every_field_of_the_sign_up_form_whatever_it_holds(client):
    response = client.get(reverse("account_signup"))

    text = page(response)
    fields = response.context["form"].visible_fields()
    assert len(fields) >= 3
    for field in fields:
        assert f'name="{field.html_name}"' in text
        assert f'<label for="{field.id_for_label}">' in text


@pytest.mark.django_db
def test_the_password_reset_link_opens_a_vietnamese_form_and_a_used_link_says_so(client, owner):
    client.post(reverse("account_reset_password"), {"email": owner.email})
    link = link_in(mail.outbox[-1])

    form = page(client.get(link, follow=True))
    bad = page(Client().get(reverse("account_reset_password_from_key", args=["1", "khoa-sai"])))

    assert "Mật khẩu mới" in form
    assert english_left(form) == []
    assert "Liên kết đặt lại mật khẩu không hợp lệ" in bad
    assert english_left(bad) == []


@pytest.mark.django_db
def test_the_email_confirmation_page_is_vietnamese_for_a_good_and_a_dead_link(client):
    sign_up(client)
    link = link_in(mail.outbox[-1])

    good = page(Client().get(link))
    dead = page(Client().get(reverse("account_confirm_email", args=["khoa-sai"])))

    assert "Vui lòng xác nhận" in good
    assert english_left(good) == []
    assert "Liên kết xác nhận này đã hết hạn hoặc không hợp lệ" in dead
    assert english_left(dead) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_change_password", "Đổi mật khẩu"),
        ("account_email", "Địa chỉ thư điện tử"),
        ("account_logout", "Anh/chị có chắc muốn đăng xuất?"),
        ("account_reauthenticate", "Xác nhận danh tính"),
    ],
)
def test_a_signed_in_user_reads_the_account_page_in_vietnamese(owner, name, heading):
    text = page(signed_in(owner).get(reverse(name)))

    assert heading in text
    assert english_left(text) == []


@pytest.mark.django_db
def test_a_wrong_current_password_is_refused_in_vietnamese(owner):
    response = signed_in(owner).post(
        reverse("account_change_password"),
        {"oldpassword": "sai", "password1": "Mk-2026-an-toan", "password2": "Mk-2026-an-toan"},
    )

    text = page(response)
    assert "Vui lòng nhập mật khẩu hiện tại." in text
    assert english_left(text) == []


# Transactional: allauth says "activated" in an on-commit callback, during the request.
@pytest.mark.django_db(transaction=True)
def test_staff_set_up_two_factor_authentication_in_vietnamese(reviewer):
    client = reauthenticated(signed_in(reviewer))

    index = page(client.get(reverse("mfa_index")))
    activate = page(client.get(reverse("mfa_activate_totp")))
    secret = re.search(r'id="authenticator_secret" value="(\w+)"', activate).group(1)
    wrong = page(client.post(reverse("mfa_activate_totp"), {"code": "000000"}))
    activated = client.post(
        reverse("mfa_activate_totp"), {"code": current_code(secret)}, follow=True
    )

    assert "Chưa bật ứng dụng xác thực." in index
    assert "quét mã QR" in activate
    assert "Mã không đúng." in wrong
    assert "Đã bật ứng dụng xác thực." in messages_on(activated)
    for text in (index, activate, wrong, page(activated)):
        assert english_left(text) == []


@pytest.mark.django_db
def test_staff_with_an_authenticator_manage_it_and_their_recovery_codes_in_vietnamese(reviewer):
    secret = totp_for(reviewer)
    client = signed_in(reviewer)
    challenge = page(client.get(reverse("mfa_authenticate")))
    refused = page(client.post(reverse("mfa_authenticate"), {"code": "000000"}))
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    reauthenticated(client)

    pages = {
        name: page(client.get(reverse(name)))
        for name in (
            "mfa_index",
            "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes",
            "mfa_deactivate_totp",
            "mfa_reauthenticate",
        )
    }

    assert "Tài khoản của anh/chị được bảo vệ bằng xác thực hai lớp" in challenge
    assert "Mã không đúng." in refused
    assert "Xác thực bằng ứng dụng xác thực đang bật." in pages["mfa_index"]
    assert "Mã chưa dùng" in pages["mfa_view_recovery_codes"]
    assert (
        "Các mã khôi phục hiện có sẽ không dùng được nữa." in pages["mfa_generate_recovery_codes"]
    )
    assert "Anh/chị sắp tắt xác thực bằng ứng dụng xác thực." in pages["mfa_deactivate_totp"]
    for text in (challenge, refused, *pages.values()):
        assert english_left(text) == []


@pytest.mark.django_db
def test_the_select_placeholder_is_vietnamese(owner):
    text = page(signed_in(owner).get(reverse("facility:facility_create")))

    with translation.override("vi"):
        from django.db.models.fields import BLANK_CHOICE_LABEL

        assert str(BLANK_CHOICE_LABEL) == "— Chọn một mục —"
    assert "Select an option" not in text


@pytest.mark.django_db
def test_too_many_password_resets_get_a_vietnamese_page(client, owner):
    responses = [
        client.post(reverse("account_reset_password"), {"email": owner.email}) for _ in range(6)
    ]

    assert responses[-1].status_code == 429
    text = responses[-1].content.decode()
    assert "Vui lòng chờ vài phút rồi thử lại." in text
    assert "Too Many Requests" not in text


@pytest.mark.django_db
def test_the_admin_speaks_vietnamese_export_included(admin_member, as_user):
    admin_member.is_staff = admin_member.is_superuser = True
    admin_member.save()
    client = as_user(admin_member)

    facilities = page(client.get(reverse("admin:provisioning_facility_changelist")))
    export = page(client.get(reverse("admin:provisioning_facility_export")))

    assert ">Xuất dữ liệu</a>" in facilities
    assert ">Nhập dữ liệu</a>" not in facilities  # the admin exports; it never imports
    assert ">Export</a>" not in facilities
    assert "Định dạng" in export
    assert "Chọn tất cả" in export
    assert "Select all" not in export


@pytest.mark.django_db
def test_the_admin_calendar_names_days_in_vietnamese(admin_member, as_user):
    admin_member.is_staff = admin_member.is_superuser = True
    admin_member.save()

    script = page(as_user(admin_member).get(reverse("admin:jsi18n")))

    assert '"Sunday": "Ch\\u1ee7 nh\\u1eadt"' in script
    assert '"Today (%(date)s)": "H\\u00f4m nay (%(date)s)"' in script


@pytest.mark.django_db
def test_the_account_pages_stay_english_for_who_chose_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = page(client.get(reverse("account_login")))

    assert "Forgot your password?" in text
    assert "Quên mật khẩu?" not in text
    assert {"Forgot your password", "Sign In"} <= set(english_left(text))


# E-mails and messages


def assert_vietnamese_mail(message, subject):
    assert message.subject == f"[Liên thông Dược] {subject}"
    assert english_left(message.body) == []
    assert "Cổng Liên thông Dược" in message.body


@pytest.mark.django_db
def test_the_sign_up_verification_email_is_vietnamese_with_its_link_on_one_line(client):
    response = sign_up(client, follow=True)

    (message,) = mail.outbox
    assert_vietnamese_mail(message, "Xác nhận địa chỉ thư điện tử")
    assert re.search(r"^http://testserver/tai-khoan/confirm-email/\S+/$", message.body, re.M)
    assert "Đã gửi thư xác nhận tới moi@nhathuoc.vn." in messages_on(response)


@pytest.mark.django_db
def test_the_password_reset_emails_are_vietnamese_for_a_known_and_an_unknown_address(client, owner):
    client.post(reverse("account_reset_password"), {"email": owner.email})
    client.post(reverse("account_reset_password"), {"email": "khong-co@nhathuoc.vn"})

    reset, unknown = mail.outbox
    assert_vietnamese_mail(reset, "Đặt lại mật khẩu")
    assert "vừa yêu cầu đặt lại mật khẩu" in reset.body
    assert_vietnamese_mail(unknown, "Không có tài khoản")


@pytest.mark.django_db
def test_signing_up_again_with_a_known_address_sends_a_vietnamese_email(client, owner):
    sign_up(client, owner.email)

    (message,) = mail.outbox
    assert_vietnamese_mail(message, "Tài khoản đã tồn tại")


@pytest.mark.django_db
def test_sign_in_and_sign_out_messages_are_vietnamese(client, owner):
    signed_in_page = client.post(
        reverse("account_login"), {"login": owner.email, "password": PASSWORD}, follow=True
    )
    signed_out_page = client.post(reverse("account_logout"), follow=True)

    assert any(m.startswith("Đăng nhập thành công: ") for m in messages_on(signed_in_page))
    assert "Anh/chị đã đăng xuất." in messages_on(signed_out_page)


@pytest.mark.django_db
def test_confirming_an_address_and_changing_the_password_say_so_in_vietnamese(client):
    sign_up(client)
    link = link_in(mail.outbox[-1])

    confirmed = client.post(link, follow=True)
    changed = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "Mk-2026-an-toan",
            "password1": "Mk-2027-an-toan",
            "password2": "Mk-2027-an-toan",
        },
        follow=True,
    )

    assert "Anh/chị đã xác nhận địa chỉ moi@nhathuoc.vn." in messages_on(confirmed)
    assert EmailAddress.objects.get(email="moi@nhathuoc.vn").verified
    assert "Đã đổi mật khẩu." in messages_on(changed)


@pytest.mark.django_db
def test_an_unverified_user_signing_in_is_told_in_vietnamese_where_the_email_went(client):
    user = UserFactory(email="chua-xac-nhan@nhathuoc.vn", verified=False)
    EmailAddress.objects.filter(user=user).update(verified=False)

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )

    text = page(response)
    assert "Chúng tôi đã gửi thư xác nhận tới anh/chị." in text
    assert english_left(text) == []
    assert_vietnamese_mail(mail.outbox[-1], "Xác nhận địa chỉ thư điện tử")
