"""The whole path in a real browser: sign-up to a confirmed account, every role in turn."""

import os
import re

import pytest
from django.core import mail
from django.db import connections
from playwright.sync_api import expect

from provisioning.models import Dossier, DossierStatus, NationalAccount
from provisioning.national.simulator import ensure_account, start_simulator

from ..factories import VendorFactory, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Mat-khau-2026!"


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test
    # makes between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        # While Playwright marks its loop as running here, Django keeps this thread's
        # connections in a separate, context-variable store (asgiref's Local). The test's
        # own queries went through that store, and pytest-django never closes it: close it
        # before the loop stops, or the session stays open until the interpreter exits
        # and the test database cannot be dropped.
        connections.close_all()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def simulator(settings, tmp_path):
    server, base_url = start_simulator("legacy", str(tmp_path / "sim.sqlite3"))
    settings.NATIONAL_SYSTEMS = {"legacy": {"base_url": base_url, "retries": 0, "timeout": 2}}
    yield tmp_path / "sim.sqlite3"
    server.shutdown()
    server.server_close()


PHONE, TABLET, LAPTOP = 390, 768, 1366

# Elements that run past the right edge of the card holding them.
OVERFLOWING = """() => [...document.querySelectorAll('.card')].flatMap(card => {
  const edge = card.getBoundingClientRect().right + 0.5;
  return [...card.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().width && el.getBoundingClientRect().right > edge)
    .map(el => (el.textContent || el.tagName).trim().slice(0, 60));
})"""
# How many lines the log-out button's words take.
LOGOUT_LINES = """() => {
  const button = [...document.querySelectorAll('.usermenu button')]
    .find(b => b.textContent.trim() === 'Đăng xuất');
  const range = document.createRange();
  range.selectNodeContents(button);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""


class Dialogs:
    """Answers the page's confirmation questions: yes, unless told to say no once."""

    def __init__(self):
        self.asked = []
        self.refuse_next = False

    def __call__(self, dialog):
        self.asked.append(dialog.message)
        if self.refuse_next:
            self.refuse_next = False
            dialog.dismiss()
        else:
            dialog.accept()


# What Chromium refused under the Content-Security-Policy, on any page of the test.
CSP_REFUSALS = []


def page_for(browser, live_server, width=LAPTOP):
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.dialogs = Dialogs()
    page.on("dialog", page.dialogs)
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and CSP_REFUSALS.append(f"{page.url}: {message.text}")
        ),
    )
    page.set_default_timeout(15000)
    return page


def fits(page):
    """The page does not scroll sideways at its width, and nothing leaves its card."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at {width} px"
    assert page.evaluate(OVERFLOWING) == [], page.url
    if page.locator(".usermenu button", has_text="Đăng xuất").count():
        assert page.evaluate(LOGOUT_LINES) == 1, f"'Đăng xuất' wraps on {page.url}"


def log_in(page, email, password):
    page.goto("/tai-khoan/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_a_facility_gets_its_account_through_every_role(
    browser, live_server, simulator, reviewer, approver, viettel, tmp_path
):
    CSP_REFUSALS.clear()
    VendorFactory(name="Tập đoàn Bưu chính Viễn thông Việt Nam", short_name="VNPT")
    contract, record = tmp_path / "hop-dong.pdf", tmp_path / "bien-ban.pdf"
    contract.write_bytes(pdf_bytes("hop dong bao mat"))
    record.write_bytes(pdf_bytes("bien ban lien thong"))

    # The facility signs up on a phone, with its representative's name, and verifies its
    # e-mail address. No page it uses scrolls sideways.
    facility = page_for(browser, live_server, width=PHONE)
    facility.goto("/tai-khoan/signup/")
    fits(facility)
    facility.fill("input[name=full_name]", "Nguyễn Thị Minh Châu")
    facility.fill("input[name=position]", "Chủ nhà thuốc")
    facility.fill("input[name=email]", "nhathuoc.minhchau@example.vn")
    facility.fill("input[name=password1]", PASSWORD)
    facility.fill("input[name=password2]", PASSWORD)
    facility.click("form button[type=submit]")
    facility.wait_for_load_state()
    link = re.search(r"http\S+/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    facility.goto("/" + link.split("/", 3)[3])
    fits(facility)
    facility.click("form button[type=submit]")
    facility.wait_for_load_state()
    fits(facility)

    # It declares the facility, with the commune picked from the province's list; the
    # representative's name and position come from the sign-up.
    facility.goto("/co-so/ho-so-co-so/moi/")
    fits(facility)
    expect(facility.locator("input[name=representative-full_name]")).to_have_value(
        "Nguyễn Thị Minh Châu"
    )
    facility.select_option("select[name=kind]", "nha_thuoc")
    facility.fill("input[name=name]", "Nhà thuốc Minh Châu")
    facility.fill("input[name=certificate_number]", "123/ĐKKDD-BN")
    facility.fill("input[name=certificate_date]", "2024-05-20")
    facility.fill("input[name=tax_code]", "2300999888")
    facility.fill("input[name=pharmacist_name]", "Nguyễn Thị Minh Châu")
    facility.fill("input[name=practising_certificate]", "456/CCHN-D-SYT-BN")
    facility.select_option("select[name=commune]", index=1)
    facility.fill("input[name=address]", "Số 5 đường Lý Thái Tổ")
    facility.fill("input[name=phone]", "0912 345 678")
    facility.fill("input[name=email]", "nhathuoc.minhchau@example.vn")
    facility.select_option("select[name=vendor]", index=1)
    facility.fill("input[name=software_product]", "Phần mềm GPP")
    facility.select_option("select[name=connection_model]", "direct")
    facility.click("form button.primary")
    facility.wait_for_load_state()
    expect(facility.locator("body")).to_contain_text("Nhà thuốc Minh Châu")
    fits(facility)

    # It files the dossier with two PDFs. Saving the draft asks nothing; submitting asks
    # once, and a "no" leaves the draft as it was.
    facility.click("text=Lập đề nghị cấp tài khoản liên thông")
    fits(facility)
    facility.set_input_files("input[name=security_contract]", str(contract))
    facility.set_input_files("input[name=interconnection_record]", str(record))
    facility.click("button[value=save]")
    facility.wait_for_load_state()
    assert facility.dialogs.asked == []
    dossier = Dossier.objects.get(facility__name="Nhà thuốc Minh Châu")
    assert dossier.documents.count() == 2
    facility.dialogs.refuse_next = True
    facility.click("button[value=submit]")
    assert facility.dialogs.asked == [
        "Nộp hồ sơ tới Sở Y tế? Sau khi nộp, hồ sơ không sửa được trừ khi Sở yêu cầu bổ sung."
    ]
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    facility.click("button[value=submit]")
    facility.wait_for_load_state()
    assert len(facility.dialogs.asked) == 2
    expect(facility.locator("body")).to_contain_text("Phiếu tiếp nhận hồ sơ")
    fits(facility)
    code = facility.locator("dd strong").first.inner_text()
    assert code.startswith("LTD-24-")
    dossier_url = facility.url.replace("bien-nhan/", "")

    # While the dossier is open, the facility is told why it cannot open another one.
    facility.goto("/co-so/")
    fits(facility)
    expect(facility.locator("text=Lập đề nghị cấp tài khoản liên thông")).to_have_count(0)
    expect(facility.locator("body")).to_contain_text(f"Cơ sở đang có hồ sơ {code}")

    # The reviewer, on a tablet, lands on the new dossiers and asks for more.
    staff = page_for(browser, live_server, width=TABLET)
    log_in(staff, reviewer.email, "mat-khau-2026")
    expect(staff.locator(".tabs a.active")).to_contain_text("Mới nộp")
    fits(staff)
    staff.fill("input[name=q]", code)
    staff.press("input[name=q]", "Enter")
    staff.click(f"text={code}")
    review_url = staff.url
    fits(staff)
    expect(staff.locator("body")).to_contain_text("Nguyễn Thị Minh Châu, Chủ nhà thuốc")
    staff.fill("textarea[name=items-0-message]", "Đề nghị bổ sung hợp đồng còn hiệu lực.")
    staff.click("text=Gửi yêu cầu bổ sung")
    staff.wait_for_load_state()

    # The facility answers that item.
    facility.goto(dossier_url)
    fits(facility)
    expect(facility.locator("body")).to_contain_text("Đề nghị bổ sung hợp đồng còn hiệu lực.")
    facility.fill("textarea[name$=response]", "Đã bổ sung hợp đồng gia hạn đến 2027.")
    facility.click("text=Gửi bổ sung")
    facility.wait_for_load_state()
    expect(facility.locator("body")).to_contain_text("Chờ thẩm định")

    # Viettel confirms the interconnection.
    viettel_page = page_for(browser, live_server)
    log_in(viettel_page, viettel.email, "mat-khau-2026")
    viettel_page.goto(review_url.replace("/tham-dinh/", "/viettel/"))
    viettel_page.check("input[name=confirmed][value=yes]")
    viettel_page.click("text=Ghi nhận kết quả")
    # The reviewer may propose only once the confirmation is stored: wait for its message.
    expect(viettel_page.locator("body")).to_contain_text("Đã xác nhận liên thông")

    # The reviewer proposes approval; the approver lands on what waits for approval, sees
    # every badge inside its card, and approves.
    staff.goto(review_url)
    staff.check("input[name=decision][value=approve]")
    staff.click("text=Gửi đề xuất")
    expect(staff.locator("body")).to_contain_text("Đề xuất cấp, chờ lãnh đạo duyệt")
    fits(staff)
    boss = page_for(browser, live_server)
    log_in(boss, approver.email, "mat-khau-2026")
    expect(boss.locator(".tabs a.active")).to_contain_text("Chờ lãnh đạo duyệt")
    expect(boss.locator("body")).to_contain_text(code)
    boss.goto(review_url)
    fits(boss)
    boss.click("form[action$='quyet-dinh/'] button:has-text('Phê duyệt')")
    # The page first: wait_for_load_state may return before the confirmed POST's answer.
    expect(boss.locator("body")).to_contain_text("Đã duyệt")
    assert Dossier.objects.get(code=code).status == DossierStatus.APPROVED
    fits(boss)

    # Viettel records the account, sees it verified against the simulator, and hands it over.
    ensure_account(
        dialect="legacy",
        username="gpp_24_123456_000001",
        password="Ban-Dau-2026!",
        facility_codes=["24-123456"],
        db_path=str(simulator),
    )
    viettel_page.reload()
    viettel_page.select_option("select[name=system]", "legacy")
    viettel_page.fill("input[name=facility_code]", "24-123456")
    viettel_page.fill("input[name=username]", "gpp_24_123456_000001")
    viettel_page.fill("input[name=password]", "Ban-Dau-2026!")
    viettel_page.click("form[action$='tai-khoan/'] button")
    viettel_page.wait_for_load_state()
    account = NationalAccount.objects.get(username="gpp_24_123456_000001")
    assert account.verification == NationalAccount.Verification.VERIFIED
    viettel_page.reload()
    fits(viettel_page)
    viettel_page.click("form[action$='ban-giao/'] button")
    viettel_page.wait_for_load_state()
    fits(viettel_page)

    # The facility sees the password once and confirms it changed it.
    facility.goto(dossier_url)
    fits(facility)
    facility.click("text=Nhận tài khoản và mật khẩu ban đầu")
    fits(facility)
    facility.click("text=Xem mật khẩu ban đầu")
    assert facility.locator("#initial-password").inner_text() == "Ban-Dau-2026!"
    fits(facility)
    facility.goto(facility.url)  # opening the page again does not show the password again
    assert facility.locator("#initial-password").count() == 0
    facility.click("text=Tôi đã đổi mật khẩu")
    facility.wait_for_load_state()
    account.refresh_from_db()
    assert account.password_ciphertext == ""
    assert account.dossier.status == DossierStatus.COMPLETED
    fits(facility)
    facility.goto("/ca-nhan/")
    fits(facility)
    assert CSP_REFUSALS == []
