"""Bad input gets a plain answer, never a 500: a NUL in an address, a megabyte comment,
control characters that reorder what the next reader sees."""

import inspect

import pytest
from django import forms as django_forms
from django.urls import reverse

from provisioning import forms
from provisioning.models import Comment, DossierStatus, SupportContact
from provisioning.validators import MSG_CONTROL

from .factories import HOME_PROVINCE

pytestmark = pytest.mark.django_db

RIGHT_TO_LEFT_OVERRIDE = "\u202e"
BAD_CHARACTERS = [
    "\u202a",  # left-to-right embedding
    RIGHT_TO_LEFT_OVERRIDE,
    "\u2066",  # left-to-right isolate
    "\u2069",  # pop directional isolate
    "\x07",  # bell (C0)
    "\x1b",  # escape (C0)
    "\x85",  # next line (C1)
    "\x9b",  # control sequence introducer (C1)
]


@pytest.fixture
def site_admin(admin_member):
    admin_member.is_staff = admin_member.is_superuser = True
    admin_member.save()
    return admin_member


def test_a_nul_in_the_verification_address_answers_400(client):
    response = client.get("/xac-thuc/%00/")
    assert response.status_code == 400
    assert "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ." in response.text


@pytest.mark.parametrize(
    "address",
    [
        "/quan-tri/provisioning/auditevent/?action=%00",
        "/quan-tri/provisioning/membership/?role__exact=%00",
        "/quan-tri/provisioning/dossier/?q=%00",
        "/quan-tri/provisioning/dossier/?%00=1",
    ],
)
def test_admin_list_filters_with_a_nul_answer_400(as_user, site_admin, address):
    assert as_user(site_admin).get(address).status_code == 400


def test_a_million_character_comment_is_refused(as_user, owner, submitted):
    response = as_user(owner).post(
        reverse("facility:dossier_message", args=[submitted.pk]),
        {"body": "a" * 1_000_000},
        follow=True,
    )
    assert not Comment.objects.exists()
    assert "Nội dung dài quá 5000 ký tự (hiện có 1000000 ký tự)." in response.text


def test_a_comment_with_a_direction_override_is_refused(as_user, owner, submitted):
    response = as_user(owner).post(
        reverse("facility:dossier_message", args=[submitted.pk]),
        {"body": f"Xin xem tệp {RIGHT_TO_LEFT_OVERRIDE}fdp.exe"},
        follow=True,
    )
    assert not Comment.objects.exists()
    assert str(MSG_CONTROL) in response.text


def test_a_multi_line_comment_keeps_its_line_breaks_and_tabs(as_user, owner, submitted):
    body = "Dòng một\r\nDòng hai\tcó tab"
    as_user(owner).post(reverse("facility:dossier_message", args=[submitted.pk]), {"body": body})
    assert Comment.objects.get().body == body


def test_a_withdrawal_reason_with_a_control_character_is_refused(as_user, owner, submitted):
    response = as_user(owner).post(
        reverse("facility:dossier_withdraw", args=[submitted.pk]),
        {"note": "Không cần\x1b[2J nữa"},
        follow=True,
    )
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.SUBMITTED
    assert str(MSG_CONTROL) in response.text


def _form_classes():
    return [
        cls
        for _name, cls in inspect.getmembers(forms, inspect.isclass)
        if issubclass(cls, django_forms.BaseForm) and cls.__module__ == forms.__name__
    ]


def _build(cls, data):
    if cls is forms.QueueFilterForm:
        return cls(data, provinces=[HOME_PROVINCE])
    return cls(data)


TEXT_FIELDS = [
    (cls, name)
    for cls in _form_classes()
    for name, field in cls.base_fields.items()
    if isinstance(field, django_forms.CharField)
]


@pytest.mark.parametrize(("cls", "name"), TEXT_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_every_text_field_refuses_a_direction_override_in_vietnamese(cls, name):
    form = _build(cls, {name: f"Nhà thuốc {RIGHT_TO_LEFT_OVERRIDE}An Khang"})
    assert str(MSG_CONTROL) in form.errors.get(name, [])


@pytest.mark.parametrize("bad", BAD_CHARACTERS, ids=lambda char: f"U+{ord(char):04X}")
@pytest.mark.parametrize("field", ["name", "address"])
def test_each_kind_of_control_character_is_refused_in_a_facility(field, bad):
    form = forms.FacilityForm({field: f"Nhà thuốc {bad}An Khang"})
    assert str(MSG_CONTROL) in form.errors[field]


@pytest.mark.parametrize(("cls", "name"), TEXT_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_every_text_field_has_a_length_limit(cls, name):
    form = _build(cls, {name: "x" * 6000})
    assert any("Nội dung dài quá" in error for error in form.errors.get(name, []))


def test_text_typed_in_the_admin_refuses_a_direction_override(as_user, site_admin, home_province):
    response = as_user(site_admin).post(
        reverse("admin:provisioning_supportcontact_add"),
        {
            "province": home_province.pk,
            "kind": "soyte",
            "name": "Nguyễn Văn \u202eAn",
            "position": "Chuyên viên",
            "phone": "0222 3822 000",
            "email": "",
        },
    )
    assert response.status_code == 200
    assert not SupportContact.objects.exists()
    assert "ký tự đảo chiều văn bản" in response.text
