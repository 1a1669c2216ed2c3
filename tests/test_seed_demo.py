"""`seed_demo` takes minutes: it says what it does, step by step, with counts."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provisioning import demo
from provisioning.models import Dossier, Facility


@pytest.fixture
def small_demo(settings, tmp_path, home_province, monkeypatch):
    """The demo in DEBUG with three facilities instead of sixty: the same steps, in seconds."""
    settings.DEBUG = True
    settings.NATIONAL_SIMULATOR_DB = tmp_path / "simulator.sqlite3"
    monkeypatch.setattr(demo, "FACILITY_COUNT", 3)


@pytest.mark.django_db(transaction=True)
def test_seed_demo_prints_each_step_and_each_facility_as_it_goes(small_demo):
    out = StringIO()

    call_command("seed_demo", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Bước 1/3 · Bắc Ninh (")
    assert "5 tài khoản trình diễn" in lines[0]
    assert "Bước 2/3 · 3 cơ sở, 3 hồ sơ" in lines[1]
    facilities = [line for line in lines if re.match(r"\s+\[\d/3\] ", line)]
    assert [line.split("]")[0].strip() for line in facilities] == ["[1/3", "[2/3", "[3/3"]
    assert "Chờ cơ sở bổ sung" in facilities[0]
    assert "Đã cấp tài khoản" in facilities[1]
    assert "Bản nháp" in facilities[2]
    assert any(line.startswith("Bước 3/3 · ") for line in lines)
    assert any(re.match(r"Xong sau \d+ giây\.", line) for line in lines)
    assert Facility.objects.count() == 3
    assert Dossier.objects.count() == 3
    assert "chuyenvien@demo.vn" in out.getvalue()
    assert "(Chuyên viên Sở Y tế)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_seeding_again_says_the_data_is_kept(small_demo):
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert "Đã có 3 cơ sở trình diễn: giữ nguyên dữ liệu." in out.getvalue()
    assert Facility.objects.count() == 3


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings, home_province):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
