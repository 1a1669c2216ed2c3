"""What typed text may hold: a length limit and no control characters.

A name or a comment is shown to other people, printed on letters and exported; a control
character can hide or reorder what they read (the bidi overrides U+202A-U+202E and
U+2066-U+2069 make "exe.fdp" read as "pdf.exe"), and a megabyte comment fills the pages.
Every form of the portal applies this through CleanTextMixin.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Defaults for a field that names no max_length of its own.
MAX_LINE_LENGTH = 255
MAX_TEXT_LENGTH = 5000
# Unicode "format" characters that change how text around them is displayed.
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
MULTILINE_ALLOWED = frozenset("\n\r\t")
MSG_CONTROL = _(
    "Nội dung chứa ký tự điều khiển hoặc ký tự đảo chiều văn bản không được phép. "
    "Vui lòng gõ lại, không dán từ nguồn khác."
)
MSG_TOO_LONG = _("Nội dung dài quá %(limit_value)d ký tự (hiện có %(show_value)d ký tự).")


@deconstructible
class NoControlCharacters:
    """Refuse C0 and C1 control characters and the bidi overrides; a multi-line text may
    keep its line breaks and tabs."""

    code = "control_characters"

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        allowed = MULTILINE_ALLOWED if self.multiline else frozenset()
        for char in str(value):
            if char in allowed:
                continue
            if unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS:
                raise ValidationError(MSG_CONTROL, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


class CleanTextMixin:
    """Every text field of the form gets a length limit (its own max_length, or a default
    for one line or a text area) and refuses control characters, in Vietnamese."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                clean_text_field(field)


def clean_text_field(field):
    multiline = isinstance(field.widget, forms.Textarea)
    if field.max_length is None:
        field.max_length = MAX_TEXT_LENGTH if multiline else MAX_LINE_LENGTH
        field.widget.attrs.setdefault("maxlength", str(field.max_length))
    # Django's own MaxLengthValidator speaks English in some catalogues; ours says it plainly.
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)] + [
        MaxLengthValidator(field.max_length, message=MSG_TOO_LONG),
        NoControlCharacters(multiline=multiline),
    ]
