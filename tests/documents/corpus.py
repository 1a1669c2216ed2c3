"""Good and bad files, built in memory so the test corpus needs no binary fixtures."""

import io
import zipfile

from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def upload(data: bytes, name: str) -> ContentFile:
    # ContentFile keeps the name as given; Django's UploadedFile would strip the path
    # parts first and hide what a hostile client actually sent.
    return ContentFile(data, name=name)


def _pdf_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _one_page_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def good_pdf() -> bytes:
    return _pdf_bytes(_one_page_writer())


def encrypted_pdf() -> bytes:
    writer = _one_page_writer()
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    return _pdf_bytes(writer)


def _script_action(writer: PdfWriter, code: str):
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(code),
        }
    )
    return writer._add_object(action)


def pdf_with_open_action_script() -> bytes:
    writer = _one_page_writer()
    writer._root_object[NameObject("/OpenAction")] = _script_action(writer, "app.alert('x');")
    return _pdf_bytes(writer)


def pdf_with_document_script() -> bytes:
    """A script in the catalogue's name tree, run when the document opens."""
    writer = _one_page_writer()
    tree = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("in"), _script_action(writer, "this.print({bUI: false});")]
            )
        }
    )
    names = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    writer._root_object[NameObject("/Names")] = writer._add_object(names)
    return _pdf_bytes(writer)


def pdf_with_embedded_file() -> bytes:
    writer = _one_page_writer()
    writer.add_attachment("hoa-don.exe", b"MZ\x90\x00 not really a program")
    return _pdf_bytes(writer)


def pdf_with_file_attachment_annotation() -> bytes:
    writer = _one_page_writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([]),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _pdf_bytes(writer)


def _zip_with_a_script(comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("huong-dan.js", "WScript.CreateObject('WScript.Shell').Run('calc');")
        archive.comment = comment
    return buffer.getvalue()


def pdf_with_zip_appended() -> bytes:
    """A good PDF, then a ZIP carrying a script after its %%EOF: readers show the PDF."""
    return good_pdf() + _zip_with_a_script()


def pdf_with_zip_appended_ending_in_eof() -> bytes:
    """The same, the ZIP's comment repeating the PDF's own ending so that PDF readers still
    find the cross-reference table and the file ends in %%EOF."""
    pdf = good_pdf()
    ending = pdf[pdf.rindex(b"startxref") :]
    return pdf + _zip_with_a_script(comment=b"\n" + ending)


def pdf_with_trailing_whitespace() -> bytes:
    return good_pdf() + b"\r\n \x00\n"


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n%%EOF garbage"


def _image(kind: str) -> bytes:
    # Noise compresses badly, so the file is big enough to cut in half meaningfully.
    buffer = io.BytesIO()
    Image.effect_noise((96, 96), 60).convert("RGB").save(buffer, kind)
    return buffer.getvalue()


def good_jpeg() -> bytes:
    return _image("JPEG")


def good_png() -> bytes:
    return _image("PNG")


def truncated_jpeg() -> bytes:
    data = good_jpeg()
    return data[: len(data) // 2]
