"""Checks every uploaded dossier file before it is stored.

Facilities upload scans of certificates and contracts that reviewers then open on their
own machines, so a file is judged by what it contains, never by its name or the browser's
Content-Type: the magic bytes must match the extension, a PDF must parse and carry no
script or hidden attachment, an image must decode completely. When a ClamAV daemon is
configured, the file is then scanned, and refused while the daemon cannot answer.
"""

import hashlib
import logging
import os
import threading
import unicodedata
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from . import virusscan

logger = logging.getLogger(__name__)

DEFAULT_ALLOWED_TYPES = ["application/pdf", "image/jpeg", "image/png"]
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DOSSIER_BYTES = 30 * 1024 * 1024
MAX_NAME_LENGTH = 200
# A scanned dossier has a few hundred objects; a million means a crafted file.
MAX_PDF_OBJECTS = 200_000
# A PDF ends with %%EOF; after it only PDF whitespace (NUL, tab, LF, FF, CR, space) may follow.
PDF_END_MARKER = b"%%EOF"
PDF_WHITESPACE = b"\x00\t\n\x0c\r "
PDF_TAIL_BYTES = 1024
_PILLOW_FLAG_LOCK = threading.Lock()

TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
EXTENSION_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
MAGIC_NUMBERS = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}

# PDF keys and names that make a reader run something or unpack something.
PDF_SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA"}
PDF_SCRIPT_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"}
PDF_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF"}
PDF_EMBEDDED_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia"}

MSG_NAME_PATH = _("Tên tệp không được chứa đường dẫn (dấu / hoặc \\). Vui lòng đổi tên tệp.")
MSG_NAME_CONTROL = _("Tên tệp chứa ký tự điều khiển không hợp lệ. Vui lòng đổi tên tệp.")
MSG_NAME_EMPTY = _("Tệp tải lên không có tên.")
MSG_NAME_LONG = _("Tên tệp dài quá %(limit)s ký tự. Vui lòng đặt tên ngắn hơn.")
MSG_EMPTY = _("Tệp tải lên rỗng (0 byte). Vui lòng chọn lại tệp.")
MSG_TYPE_UNKNOWN = _("Nội dung tệp không phải là PDF, JPEG hoặc PNG hợp lệ.")
MSG_PDF_UNREADABLE = _("Tệp PDF bị hỏng hoặc không đọc được. Vui lòng xuất lại tệp PDF rồi nộp.")
MSG_PDF_ENCRYPTED = _(
    "Tệp PDF đang được đặt mật khẩu hoặc mã hóa. Vui lòng nộp bản PDF không đặt mật khẩu."
)
MSG_PDF_SCRIPT = _(
    "Tệp PDF chứa mã JavaScript hoặc lệnh tự chạy, không được chấp nhận. "
    "Vui lòng in lại thành tệp PDF thông thường rồi nộp."
)
MSG_PDF_EMBEDDED = _(
    "Tệp PDF có tệp khác đính kèm bên trong, không được chấp nhận. "
    "Vui lòng nộp từng tài liệu thành tệp riêng."
)
MSG_PDF_TRAILING_DATA = _(
    "Tệp PDF có dữ liệu lạ nối thêm sau phần kết thúc tệp, không được chấp nhận. "
    "Vui lòng xuất lại tệp PDF rồi nộp."
)
MSG_IMAGE_BROKEN = _("Tệp ảnh bị hỏng hoặc không mở được. Vui lòng chụp hoặc quét lại.")
MSG_MALWARE = _("Tệp có chứa mã độc (%(signature)s) và đã bị từ chối.")
MSG_SCAN_UNAVAILABLE = _(
    "Hệ thống kiểm tra mã độc tạm thời không hoạt động nên chưa nhận được tệp này. "
    "Vui lòng thử lại sau ít phút."
)
MSG_DOSSIER_TOTAL = _(
    "Tổng dung lượng các tệp của hồ sơ vượt quá %(limit)s (đã có %(existing)s, tệp mới %(new)s)."
)


@dataclass(frozen=True)
class CheckedUpload:
    """What a file turned out to be; the dossier stores these facts beside it."""

    content_type: str
    sha256: str
    size: int
    name: str


def validate_upload(uploaded_file) -> CheckedUpload:
    """Return the checked facts about `uploaded_file` or raise ValidationError.

    The file is left rewound so that the caller can save it straight away.
    """
    name = _checked_name(uploaded_file.name)
    allowed = list(getattr(settings, "UPLOAD_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES))
    declared = EXTENSION_TYPES.get(PurePosixPath(name).suffix.lower())
    if declared not in allowed:
        raise ValidationError(_msg_type_not_allowed(allowed), code="type_not_allowed")

    size, sha256, head = _measure(uploaded_file)
    actual = next((kind for magic, kind in MAGIC_NUMBERS if head.startswith(magic)), None)
    if actual is None:
        raise ValidationError(MSG_TYPE_UNKNOWN, code="type_unknown")
    if actual != declared:
        raise ValidationError(_msg_type_mismatch(name, actual), code="type_mismatch")

    uploaded_file.seek(0)
    try:
        if actual == "application/pdf":
            _check_pdf(uploaded_file)
        else:
            _check_image(uploaded_file, PIL_FORMATS[actual])
    finally:
        uploaded_file.seek(0)
    _scan_for_malware(uploaded_file, name)
    return CheckedUpload(content_type=actual, sha256=sha256, size=size, name=name)


def check_dossier_total(existing_bytes: int, new_bytes: int) -> int:
    """Return the dossier's new total size, or raise ValidationError if it is too big."""
    limit = getattr(settings, "UPLOAD_MAX_DOSSIER_BYTES", DEFAULT_MAX_DOSSIER_BYTES)
    total = existing_bytes + new_bytes
    if total > limit:
        message = MSG_DOSSIER_TOTAL % {
            "limit": format_size(limit),
            "existing": format_size(existing_bytes),
            "new": format_size(new_bytes),
        }
        raise ValidationError(message, code="dossier_too_big")
    return total


class CheckedFileField(forms.FileField):
    """A FileField whose new uploads pass validate_upload; the result is on `file.checked`."""

    default_error_messages = {"empty": MSG_EMPTY}

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        # An unchanged initial value (editing a form without a new upload) was checked
        # when it was first uploaded.
        if cleaned and cleaned is not initial:
            cleaned.checked = validate_upload(cleaned)
        return cleaned


def _checked_name(raw_name) -> str:
    # Browsers on macOS send decomposed Vietnamese (NFD); store the composed form so
    # that names compare and display the same everywhere.
    name = unicodedata.normalize("NFC", raw_name or "").strip()
    if not name:
        raise ValidationError(MSG_NAME_EMPTY, code="name_empty")
    if "/" in name or "\\" in name:
        raise ValidationError(MSG_NAME_PATH, code="name_path")
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ValidationError(MSG_NAME_CONTROL, code="name_control")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(MSG_NAME_LONG % {"limit": MAX_NAME_LENGTH}, code="name_long")
    return name


def _measure(uploaded_file) -> tuple[int, str, bytes]:
    """Size, SHA-256 and first bytes, read once; stops early past the size limit."""
    limit = getattr(settings, "UPLOAD_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)
    declared_size = getattr(uploaded_file, "size", None)
    if declared_size is not None and declared_size > limit:
        raise ValidationError(_msg_too_big(limit), code="too_big")
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in uploaded_file.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        size += len(chunk)
        if size > limit:
            raise ValidationError(_msg_too_big(limit), code="too_big")
        digest.update(chunk)
    if size == 0:
        raise ValidationError(MSG_EMPTY, code="empty")
    return size, digest.hexdigest(), head


def _check_pdf(stream):
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise ValidationError(MSG_PDF_ENCRYPTED, code="pdf_encrypted")
        if len(reader.pages) < 1:
            raise ValidationError(MSG_PDF_UNREADABLE, code="pdf_unreadable")
        for dictionary in _pdf_dictionaries(reader.trailer["/Root"]):
            _refuse_active_content(dictionary)
        _refuse_data_after_the_end(stream)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on a broken file
        raise ValidationError(MSG_PDF_UNREADABLE, code="pdf_unreadable") from exc


def _refuse_data_after_the_end(stream):
    """Refuse bytes after the last %%EOF, and a PDF that is a ZIP archive too.

    PDF readers ignore what follows the end, so a ZIP (or a script) appended there travels
    unseen and is served back as part of the "PDF". A ZIP whose comment ends in %%EOF passes
    the first test; ZIP readers find the archive from the end, and so does is_zipfile.
    """
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - PDF_TAIL_BYTES))
    tail = stream.read()
    end = tail.rfind(PDF_END_MARKER)
    trailing = end < 0 or tail[end + len(PDF_END_MARKER) :].strip(PDF_WHITESPACE)
    stream.seek(0)
    if trailing or zipfile.is_zipfile(stream):
        raise ValidationError(MSG_PDF_TRAILING_DATA, code="pdf_trailing_data")


def _pdf_dictionaries(root):
    """Every dictionary reachable from the catalogue, each indirect object visited once.

    Walking the object graph (rather than grepping bytes) also finds keys hidden inside
    compressed object streams, and ignores unreachable objects no reader would run.
    """
    seen = set()
    pending = [root]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValidationError(MSG_PDF_UNREADABLE, code="pdf_unreadable")
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            yield item
            pending.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            pending.extend(list.__iter__(item))


def _refuse_active_content(dictionary):
    keys = set(dictionary.keys())
    if keys & PDF_SCRIPT_KEYS or _name_of(dictionary, "/S") in PDF_SCRIPT_ACTIONS:
        raise ValidationError(MSG_PDF_SCRIPT, code="pdf_script")
    kinds = {_name_of(dictionary, "/Type"), _name_of(dictionary, "/Subtype")}
    if keys & PDF_EMBEDDED_KEYS or kinds & PDF_EMBEDDED_TYPES:
        raise ValidationError(MSG_PDF_EMBEDDED, code="pdf_embedded")


def _name_of(dictionary, key):
    value = dict.get(dictionary, key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return value if isinstance(value, str) else None


def _scan_for_malware(uploaded_file, name):
    """Refuse a file ClamAV flags; fail closed while a configured daemon cannot answer."""
    if virusscan.daemon_address() is None:
        return
    try:
        signature = virusscan.scan(uploaded_file.chunks())
    except virusscan.ScanError as exc:
        logger.error("Upload %r refused: the virus scan failed: %s", name, exc)
        raise ValidationError(MSG_SCAN_UNAVAILABLE, code="scan_unavailable") from exc
    finally:
        uploaded_file.seek(0)
    if signature:
        logger.warning("Upload %r refused: ClamAV found %s", name, signature)
        raise ValidationError(MSG_MALWARE % {"signature": signature}, code="malware")


def _check_image(stream, pil_format):
    # verify() checks structure without decoding pixels, and load() decodes them (which is
    # what catches a truncated JPEG); verify() leaves the image unusable, hence two opens.
    try:
        with warnings.catch_warnings(), _strict_pillow():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=[pil_format]) as image:
                image.verify()
            stream.seek(0)
            with Image.open(stream, formats=[pil_format]) as image:
                image.load()
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, warnings…
        raise ValidationError(MSG_IMAGE_BROKEN, code="image_broken") from exc


@contextmanager
def _strict_pillow():
    """Make Pillow refuse truncated images again while we decode one.

    WeasyPrint sets Pillow's process-wide ImageFile.LOAD_TRUNCATED_IMAGES to True when it
    is imported (weasyprint/images.py), after which a half-uploaded JPEG decodes "fine"
    with grey padding. Any process that renders letters has imported it. The flag is
    global, so it is switched under a lock and always put back.
    """
    with _PILLOW_FLAG_LOCK:
        saved = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _msg_type_not_allowed(allowed):
    labels = ", ".join(TYPE_LABELS.get(kind, kind) for kind in allowed)
    extensions = ", ".join(ext for ext, kind in EXTENSION_TYPES.items() if kind in allowed)
    return gettext("Chỉ nhận tệp %(labels)s (đuôi %(extensions)s).") % {
        "labels": labels,
        "extensions": extensions,
    }


def _msg_type_mismatch(name, actual):
    extension = PurePosixPath(name).suffix.lower()
    return gettext(
        "Tên tệp có đuôi %(extension)s nhưng nội dung là tệp %(kind)s. "
        "Vui lòng đặt tên tệp đúng với loại tệp."
    ) % {"extension": extension, "kind": TYPE_LABELS[actual]}


def _msg_too_big(limit):
    return gettext("Tệp vượt quá dung lượng tối đa %(limit)s. Vui lòng nén hoặc quét lại.") % {
        "limit": format_size(limit)
    }


def format_size(size: int) -> str:
    """'10 MB', '2,5 MB', '900 KB', '12 byte': Vietnamese writes a decimal comma."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".replace(".", ",").removesuffix(",0") + f" {unit}"
    return f"{size} byte"
