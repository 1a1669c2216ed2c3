import datetime
import io
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader

from provisioning.letters import (
    LetterContextError,
    apology_letter,
    decision_letter,
    handover_letter,
    new_verification_code,
    qr_data_uri,
    rendering,
    request_letter,
)
from provisioning.letters.filters import vn_date, vn_datetime
from provisioning.letters.samples import (
    LETTERS,
    apology_context,
    archive_context,
    decision_context,
    handover_context,
    request_context,
)
from provisioning.uploads import validate_upload

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PASSWORD = "Xk9#mP2$vLq7"


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in read(pdf).pages)


def base_fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in read(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


@pytest.fixture(scope="module")
def rendered():
    """Every letter rendered once from its sample: rendering is the slow part."""
    return {name: render(sample()) for name, (render, sample) in LETTERS.items()}


@pytest.mark.parametrize("name", LETTERS)
def test_every_letter_renders_as_an_a4_pdf(rendered, name):
    pdf = rendered[name]
    assert pdf.startswith(b"%PDF-")
    box = read(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


@pytest.mark.parametrize("name", LETTERS)
def test_every_letter_carries_the_national_title_and_motto_exactly(rendered, name):
    text = text_of(rendered[name])
    assert NATIONAL_TITLE in text
    assert MOTTO in text


@pytest.mark.parametrize("name", LETTERS)
def test_every_letter_embeds_only_the_bundled_tinos_font(rendered, name):
    fonts = base_fonts(rendered[name])
    assert fonts
    assert all("Tinos" in font for font in fonts), fonts


@pytest.mark.parametrize("name", LETTERS)
def test_every_letter_prints_its_verification_code_and_link(rendered, name):
    context = LETTERS[name][1]()
    code = context["verification_code"]
    text = text_of(rendered[name])
    assert f"Mã xác thực: {code}" in text
    assert f"/xac-thuc/{code}/" in text


@pytest.mark.parametrize("name", LETTERS)
def test_every_letter_would_pass_our_own_upload_checks(rendered, name):
    checked = validate_upload(ContentFile(rendered[name], name=f"{name}.pdf"))
    assert checked.content_type == "application/pdf"


def test_font_files_are_loaded_from_static_fonts(monkeypatch):
    fetched = []
    original = rendering._LocalFetcher.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(rendering._LocalFetcher, "fetch", recording_fetch)
    monkeypatch.delattr(rendering._per_thread, "styles", raising=False)
    apology_letter(apology_context())
    expected = {(rendering.font_dir() / name).as_uri() for name in rendering.FONT_FILES.values()}
    assert expected <= set(fetched)
    assert all(url.startswith("data:") or url in expected for url in fetched)


def test_letters_refuse_to_fetch_anything_from_the_network():
    fetcher = rendering._fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/logo.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")


def test_request_letter_shows_the_facility_with_its_vietnamese_letters_intact(rendered):
    text = text_of(rendered["request_letter"])
    for expected in [
        "ĐƠN ĐỀ NGHỊ CẤP TÀI KHOẢN LIÊN THÔNG",
        "Kính gửi: Sở Y tế tỉnh Bắc Ninh",
        "Nhà thuốc Hạnh Phước",
        "Lê Thế Vượng",
        "Số 68 đường Nguyễn Đăng Đạo, phường Kinh Bắc",
        "156/ĐKKDD-BN",
        "Qua hệ thống trung gian của đơn vị cung cấp phần mềm",
        "Biên bản xác nhận liên thông do Viettel Solutions cấp",
        "NGƯỜI ĐẠI DIỆN CƠ SỞ",
        "Nguyễn Thị Hạnh",
    ]:
        assert expected in text


def test_request_letter_refuses_an_unknown_connection_model():
    with pytest.raises(LetterContextError):
        request_letter({**request_context(), "connection_model": "qua email"})


def test_agency_letters_show_issuer_number_place_date_and_signature(rendered):
    text = text_of(rendered["decision_letter"])
    for expected in [
        "UBND TỈNH BẮC NINH",
        "SỞ Y TẾ",
        "Số: 312/TB-SYT",
        "Bắc Ninh, ngày 03 tháng 12 năm 2026",
        "THÔNG BÁO",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Trần Văn Thượng",
        "Nơi nhận:",
        "- Lưu: VT, NVD.",
        "Đồng ý cấp tài khoản liên thông",
    ]:
        assert expected in text


def test_rejection_lists_its_reasons():
    text = text_of(decision_letter(decision_context(approved=False)))
    assert "Không chấp thuận cấp tài khoản liên thông" in text
    assert "Biên bản xác nhận liên thông chưa có chữ ký của Viettel Solutions." in text
    assert "Đồng ý cấp" not in text


def test_rejection_without_reasons_is_refused():
    with pytest.raises(LetterContextError):
        decision_letter({**decision_context(approved=False), "reasons": []})


def test_receipt_gives_dossier_code_lookup_code_and_due_date(rendered):
    text = text_of(rendered["receipt_letter"])
    assert "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Mã hồ sơ: BN-2026-000123" in text
    assert "Q7M2-K9XD" in text
    assert "09 giờ 15 phút, ngày 20/11/2026" in text
    assert "ngày 27 tháng 11 năm 2026" in text


def test_apology_gives_the_old_and_new_dates_and_the_reason(rendered):
    text = " ".join(text_of(rendered["apology_letter"]).split())
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "ngày 27 tháng 11 năm 2026" in text
    assert "ngày 04 tháng 12 năm 2026" in text
    assert "tạm dừng tiếp nhận đăng ký tài khoản để nâng cấp" in text


def test_handover_letter_gives_username_code_system_and_both_signatures(rendered):
    text = text_of(rendered["handover_letter"])
    for expected in [
        "BIÊN BẢN BÀN GIAO",
        "Tên đăng nhập:",
        "24-008179",
        "Hệ thống cơ sở dữ liệu dược quốc gia",
        "ĐẠI DIỆN BÊN GIAO",
        "ĐẠI DIỆN BÊN NHẬN",
        "Đỗ Quang Huy",
        "Nguyễn Thị Hạnh",
    ]:
        assert expected in text


def test_handover_letter_never_prints_a_password_hidden_in_nested_values():
    context = handover_context()
    context["facility"]["password"] = PASSWORD
    context["receiver"] = {**context["receiver"], "initial_password": PASSWORD}
    pdf = handover_letter(context)
    assert PASSWORD not in text_of(pdf)
    assert PASSWORD.encode() not in pdf


def test_handover_letter_refuses_a_context_that_carries_a_password():
    with pytest.raises(LetterContextError):
        handover_letter({**handover_context(), "initial_password": PASSWORD})


def test_archive_record_numbers_every_page_as_page_of_pages(rendered):
    pages = read(rendered["archive_letter"]).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in page.extract_text()


def test_archive_record_lists_every_step_and_every_document_hash(rendered):
    context = archive_context()
    text = " ".join(text_of(rendered["archive_letter"]).split())
    squeezed = text.replace(" ", "")
    for step in context["steps"]:
        assert step["action"] in text
    for document in context["documents"]:
        assert document["sha256"] in squeezed
    assert "Xác nhận đổi mật khẩu" in text


def test_short_letters_have_no_page_number_on_their_first_page(rendered):
    assert "Trang 1/" not in text_of(rendered["decision_letter"])


def test_long_letters_number_their_second_page():
    context = request_context()
    context["attachments"] = [f"Tài liệu bổ sung số {n}" for n in range(1, 30)]
    pages = read(request_letter(context)).pages
    assert len(pages) >= 2
    assert "Trang 1/" not in pages[0].extract_text()
    assert f"Trang 2/{len(pages)}" in pages[1].extract_text()


def test_a_missing_key_is_named_in_the_error():
    context = apology_context()
    del context["new_due_date"]
    with pytest.raises(LetterContextError, match="new_due_date"):
        apology_letter(context)


def test_a_context_may_be_an_object_instead_of_a_dict():
    text = text_of(apology_letter(SimpleNamespace(**apology_context())))
    assert "Nhà thuốc Hạnh Phước" in text


def test_markup_in_user_data_is_printed_as_text():
    context = apology_context()
    context["facility"] = {"name": "Nhà thuốc <b>Số 1</b> & Cộng sự"}
    text = text_of(apology_letter(context))
    assert "Nhà thuốc <b>Số 1</b> & Cộng sự" in text


def test_the_verification_link_uses_the_site_url(settings):
    settings.SITE_URL = "https://lienthongduoc.bacninh.gov.vn"
    text = text_of(apology_letter(apology_context()))
    assert "https://lienthongduoc.bacninh.gov.vn/xac-thuc/B8X3Q-1MZRT/" in text


def test_verification_codes_are_short_unambiguous_and_distinct():
    codes = {new_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", c) for c in codes)


def test_qr_code_is_an_inline_svg():
    assert qr_data_uri("https://example.vn/xac-thuc/ABCDE-12345/").startswith("data:image/svg+xml")


def test_dates_follow_decree_30_zero_padding():
    assert vn_date(datetime.date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert vn_date(datetime.date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert vn_date(datetime.date(2026, 11, 27)) == "ngày 27 tháng 11 năm 2026"


def test_moments_are_printed_in_local_time():
    evening_utc = datetime.datetime(2026, 11, 26, 20, 30, tzinfo=ZoneInfo("UTC"))
    assert vn_date(evening_utc) == "ngày 27 tháng 11 năm 2026"
    assert vn_datetime(evening_utc) == "03 giờ 30 phút, ngày 27/11/2026"
