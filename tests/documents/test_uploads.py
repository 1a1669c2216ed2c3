import hashlib
import unicodedata

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from provisioning import uploads
from provisioning.uploads import CheckedFileField, check_dossier_total, validate_upload

from . import corpus

BAD_FILES = {
    "text_named_pdf": (lambda: b"Day la van ban thuong, khong phai PDF.\n", "don.pdf"),
    "png_named_pdf": (corpus.good_png, "giay-chung-nhan.pdf"),
    "encrypted_pdf": (corpus.encrypted_pdf, "hop-dong.pdf"),
    "broken_pdf": (corpus.broken_pdf, "bien-ban.pdf"),
    "pdf_with_javascript_open_action": (corpus.pdf_with_open_action_script, "a.pdf"),
    "pdf_with_embedded_file": (corpus.pdf_with_embedded_file, "b.pdf"),
    "pdf_with_zip_appended": (corpus.pdf_with_zip_appended, "hop-dong.pdf"),
    "truncated_jpeg": (corpus.truncated_jpeg, "anh-chup.jpg"),
    "empty_file": (lambda: b"", "rong.pdf"),
    "name_with_parent_folder": (corpus.good_pdf, "../../etc/passwd.pdf"),
    "name_with_bell_character": (corpus.good_pdf, "bao\x07cao.pdf"),
    "executable_extension": (corpus.good_pdf, "chuong-trinh.exe"),
}
EXPECTED = {
    "text_named_pdf": ("type_unknown", uploads.MSG_TYPE_UNKNOWN),
    "png_named_pdf": (
        "type_mismatch",
        "Tên tệp có đuôi .pdf nhưng nội dung là tệp PNG. Vui lòng đặt tên tệp đúng với loại tệp.",
    ),
    "encrypted_pdf": ("pdf_encrypted", uploads.MSG_PDF_ENCRYPTED),
    "broken_pdf": ("pdf_unreadable", uploads.MSG_PDF_UNREADABLE),
    "pdf_with_javascript_open_action": ("pdf_script", uploads.MSG_PDF_SCRIPT),
    "pdf_with_embedded_file": ("pdf_embedded", uploads.MSG_PDF_EMBEDDED),
    "pdf_with_zip_appended": ("pdf_trailing_data", uploads.MSG_PDF_TRAILING_DATA),
    "truncated_jpeg": ("image_broken", uploads.MSG_IMAGE_BROKEN),
    "empty_file": ("empty", uploads.MSG_EMPTY),
    "name_with_parent_folder": ("name_path", uploads.MSG_NAME_PATH),
    "name_with_bell_character": ("name_control", uploads.MSG_NAME_CONTROL),
    "executable_extension": (
        "type_not_allowed",
        "Chỉ nhận tệp PDF, JPEG, PNG (đuôi .pdf, .jpg, .jpeg, .png).",
    ),
}


def refusal(data: bytes, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_upload(corpus.upload(data, name))
    return caught.value


@pytest.mark.parametrize("case", BAD_FILES)
def test_each_bad_file_is_refused_with_its_own_vietnamese_message(case):
    make, name = BAD_FILES[case]
    error = refusal(make(), name)
    assert (error.code, error.message) == EXPECTED[case]


def test_no_two_kinds_of_bad_file_share_a_message():
    messages = [message for _, message in EXPECTED.values()]
    assert len(set(messages)) == len(messages)


def test_pdf_with_a_document_level_script_is_refused_too():
    assert refusal(corpus.pdf_with_document_script(), "c.pdf").code == "pdf_script"


def test_pdf_with_a_file_attachment_annotation_is_refused_too():
    error = refusal(corpus.pdf_with_file_attachment_annotation(), "d.pdf")
    assert error.code == "pdf_embedded"


def test_pdf_with_a_zip_whose_comment_ends_in_eof_is_refused_too():
    error = refusal(corpus.pdf_with_zip_appended_ending_in_eof(), "e.pdf")
    assert error.code == "pdf_trailing_data"


def test_pdf_with_only_whitespace_after_its_end_is_accepted():
    checked = validate_upload(corpus.upload(corpus.pdf_with_trailing_whitespace(), "f.pdf"))
    assert checked.content_type == "application/pdf"


def test_truncated_jpeg_is_refused_even_after_weasyprint_relaxed_pillow(monkeypatch):
    # Importing WeasyPrint sets this flag for the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert refusal(corpus.truncated_jpeg(), "anh.jpg").code == "image_broken"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_name_with_a_backslash_path_is_refused():
    assert refusal(corpus.good_pdf(), "..\\windows\\hop-dong.pdf").code == "name_path"


def test_file_over_the_size_limit_is_refused_with_the_limit_in_the_message(settings):
    settings.UPLOAD_MAX_FILE_BYTES = 1000
    error = refusal(b"%PDF-1.7\n" + b"0" * 2000, "lon.pdf")
    assert error.code == "too_big"
    assert error.message == "Tệp vượt quá dung lượng tối đa 1000 byte. Vui lòng nén hoặc quét lại."


def test_size_is_measured_from_the_content_not_the_declared_size(settings):
    settings.UPLOAD_MAX_FILE_BYTES = 1000
    lying = corpus.upload(b"%PDF-1.7\n" + b"0" * 2000, "lon.pdf")
    lying.size = 10
    with pytest.raises(ValidationError) as caught:
        validate_upload(lying)
    assert caught.value.code == "too_big"


def test_a_type_the_settings_no_longer_allow_is_refused(settings):
    settings.UPLOAD_ALLOWED_TYPES = ["application/pdf"]
    error = refusal(corpus.good_png(), "anh.png")
    assert error.message == "Chỉ nhận tệp PDF (đuôi .pdf)."


@pytest.mark.parametrize(
    ("make", "name", "content_type"),
    [
        (corpus.good_pdf, "Giấy chứng nhận.pdf", "application/pdf"),
        (corpus.good_jpeg, "anh-chup.JPG", "image/jpeg"),
        (corpus.good_jpeg, "anh-chup.jpeg", "image/jpeg"),
        (corpus.good_png, "ban-quet.png", "image/png"),
    ],
)
def test_good_files_pass_with_their_type_size_and_sha256(make, name, content_type):
    data = make()
    checked = validate_upload(corpus.upload(data, name))
    assert checked.content_type == content_type
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.size == len(data)
    assert checked.name == name


def test_a_checked_file_is_left_rewound_for_saving():
    upload = corpus.upload(corpus.good_pdf(), "a.pdf")
    validate_upload(upload)
    assert upload.tell() == 0


def test_a_decomposed_vietnamese_name_is_stored_composed():
    decomposed = unicodedata.normalize("NFD", "Hợp đồng bảo mật.pdf")
    checked = validate_upload(corpus.upload(corpus.good_pdf(), decomposed))
    assert checked.name == unicodedata.normalize("NFC", "Hợp đồng bảo mật.pdf")
    assert checked.name != decomposed


def test_dossier_total_within_the_limit_returns_the_new_total(settings):
    settings.UPLOAD_MAX_DOSSIER_BYTES = 30 * 1024 * 1024
    assert check_dossier_total(20 * 1024 * 1024, 5 * 1024 * 1024) == 25 * 1024 * 1024


def test_dossier_total_over_the_limit_is_refused_with_sizes_in_the_message(settings):
    settings.UPLOAD_MAX_DOSSIER_BYTES = 30 * 1024 * 1024
    with pytest.raises(ValidationError) as caught:
        check_dossier_total(28 * 1024 * 1024, 2621440)
    assert caught.value.message == (
        "Tổng dung lượng các tệp của hồ sơ vượt quá 30 MB (đã có 28 MB, tệp mới 2,5 MB)."
    )


class DossierFileForm(forms.Form):
    file = CheckedFileField(label="Tệp")


def test_checked_file_field_puts_the_checked_facts_on_the_file():
    data = corpus.good_png()
    form = DossierFileForm(files={"file": SimpleUploadedFile("ban-quet.png", data)})
    assert form.is_valid(), form.errors
    checked = form.cleaned_data["file"].checked
    assert (checked.content_type, checked.sha256) == ("image/png", hashlib.sha256(data).hexdigest())


def test_checked_file_field_shows_the_refusal_as_a_form_error():
    form = DossierFileForm(files={"file": SimpleUploadedFile("don.pdf", corpus.good_png())})
    assert not form.is_valid()
    assert form.errors["file"][0].startswith("Tên tệp có đuôi .pdf nhưng nội dung là tệp PNG.")


def test_checked_file_field_refuses_an_empty_file_in_vietnamese():
    form = DossierFileForm(files={"file": SimpleUploadedFile("rong.pdf", b"")})
    assert not form.is_valid()
    assert form.errors["file"] == [uploads.MSG_EMPTY]
