"""Factories for the domain; the fixed cast of users lives in conftest.py."""

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from provisioning.models import (
    Commune,
    Dossier,
    Facility,
    Membership,
    Province,
    User,
    Vendor,
)

HOME_PROVINCE = 24  # Bắc Ninh, served by the test settings
OTHER_PROVINCE = 1  # Hà Nội


def province(code):
    """A province, reloading the units first if a transactional test flushed them."""
    if not Province.objects.filter(code=code).exists():
        from django.conf import settings

        from provisioning.units import load_units

        load_units(Province, Commune, set(settings.PORTAL_PROVINCE_CODES))
    return Province.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"nguoidung{n}@example.vn")
    full_name = factory.Faker("name", locale="vi_VN")
    position = "Chủ cơ sở"
    password = factory.django.Password("mat-khau-2026")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    province = factory.LazyFunction(lambda: province(HOME_PROVINCE))
    role = "reviewer"


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Công ty Cổ phần Phần mềm Dược {n}")
    short_name = factory.Sequence(lambda n: f"PMD{n}")
    security_contract_signed = True
    interconnection_confirmed = True


def _commune(province_code):
    return Commune.objects.filter(province_id=province_code).order_by("code").first()


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    owner = factory.SubFactory(UserFactory)
    province = factory.LazyFunction(lambda: province(HOME_PROVINCE))
    commune = factory.LazyAttribute(lambda o: _commune(o.province.code))
    kind = Facility.Kind.PHARMACY
    name = factory.Sequence(lambda n: f"Nhà thuốc Hồng Phúc số {n}")
    certificate_number = factory.Sequence(lambda n: f"{n + 1}/ĐKKDD-BN")
    certificate_date = datetime.date(2024, 3, 15)
    gpp_certificate = factory.Sequence(lambda n: f"{n + 1}/GPP-BN")
    tax_code = factory.Sequence(lambda n: f"{2300000000 + n}")
    pharmacist_name = "Nguyễn Thị Hương"
    practising_certificate = factory.Sequence(lambda n: f"{n + 1}/CCHN-D-SYT-BN")
    address = "Số 12 đường Lý Thái Tổ"
    phone = "0912345678"
    email = factory.LazyAttribute(lambda o: o.owner.email)
    vendor = factory.SubFactory(VendorFactory)
    software_product = "Phần mềm quản lý nhà thuốc GPP"
    connection_model = Facility.ConnectionModel.DIRECT


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    facility = factory.SubFactory(FacilityFactory)
    province = factory.LazyAttribute(lambda o: o.facility.province)


def pdf_bytes(text="tai lieu"):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name="hop-dong.pdf", text=None):
    return SimpleUploadedFile(name, pdf_bytes(text or name), content_type="application/pdf")
