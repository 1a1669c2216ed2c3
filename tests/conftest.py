import pytest
from django.test import Client

from portal.celery import app as celery_app
from provisioning.models import DossierStatus

from .factories import (
    HOME_PROVINCE,
    OTHER_PROVINCE,
    FacilityFactory,
    MembershipFactory,
    UserFactory,
    province,
)
from .flows import dossier_at


@pytest.fixture(autouse=True)
def _portal_test_settings(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STAFF_REQUIRE_MFA = False
    settings.REVIEW_WAITS_FOR_INTERCONNECTION = True
    # Nothing listens on the discard port: account checks answer "unreachable" at once
    # unless a test starts the simulator and points here.
    settings.NATIONAL_SYSTEMS = {
        system: {"base_url": "http://127.0.0.1:9", "retries": 0, "timeout": 1}
        for system in ("legacy", "v2")
    }
    # Tasks run in-process, after commit, exactly as a worker would run them; the tests
    # marked `worker` run a real worker instead.
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def home_province(db):
    return province(HOME_PROVINCE)


@pytest.fixture
def other_province(db):
    return province(OTHER_PROVINCE)


@pytest.fixture
def owner(db):
    """Alice runs a pharmacy in the home province."""
    return UserFactory(email="alice@nhathuoc.vn", full_name="Trần Thị An")


@pytest.fixture
def facility(owner):
    return FacilityFactory(owner=owner, name="Nhà thuốc An Khang", email="lienhe@ankhang.vn")


@pytest.fixture
def other_owner(db):
    """Bob runs another pharmacy and must never see Alice's."""
    return UserFactory(email="bob@nhathuoc.vn", full_name="Lê Văn Bình")


@pytest.fixture
def other_facility(other_owner):
    return FacilityFactory(owner=other_owner, name="Nhà thuốc Bình Minh")


STAFF_POSITIONS = {
    "reviewer": "Chuyên viên Phòng Nghiệp vụ Dược",
    "approver": "Phó Giám đốc Sở Y tế",
    "viettel": "Kỹ thuật viên Chi nhánh Viettel",
    "admin": "Quản trị hệ thống",
}


def _staff(email, role, province_code=HOME_PROVINCE):
    user = UserFactory(email=email, position=STAFF_POSITIONS[role])
    MembershipFactory(user=user, role=role, province=province(province_code))
    return user


@pytest.fixture
def reviewer(db):
    return _staff("chuyenvien@soyte.vn", "reviewer")


@pytest.fixture
def approver(db):
    return _staff("lanhdao@soyte.vn", "approver")


@pytest.fixture
def viettel(db):
    return _staff("canbo@viettel.vn", "viettel")


@pytest.fixture
def admin_member(db):
    return _staff("quantri@soyte.vn", "admin")


@pytest.fixture
def other_reviewer(db):
    """A reviewer of another province: sees nothing of the home province."""
    return _staff("chuyenvien@soyte-hanoi.vn", "reviewer", OTHER_PROVINCE)


@pytest.fixture
def other_approver(db):
    return _staff("lanhdao@soyte-hanoi.vn", "approver", OTHER_PROVINCE)


@pytest.fixture
def other_viettel(db):
    return _staff("canbo@viettel-hanoi.vn", "viettel", OTHER_PROVINCE)


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    """`as_user(user)` gives a test client logged in as `user` (anonymous for None)."""
    return client_for


@pytest.fixture
def submitted(facility, reviewer, approver, viettel):
    """A dossier of `facility`, submitted, with the province's staff in place."""
    return dossier_at(DossierStatus.SUBMITTED, facility=facility)


@pytest.fixture
def approved(facility, reviewer, approver, viettel):
    """A dossier of `facility` approved by the Sở, waiting for Viettel's account."""
    return dossier_at(
        DossierStatus.APPROVED,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )


@pytest.fixture
def issued(facility, reviewer, approver, viettel):
    """A dossier of `facility` whose account Viettel handed over, waiting for the facility
    to confirm the password change."""
    return dossier_at(
        DossierStatus.ISSUED,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )
