"""The simulator's real activity export, downloaded over HTTP, imports (plain and messy)."""

from datetime import date

import httpx
import pytest

from provisioning.monitoring.activity import (
    activity_import,
    build_dataset,
    default_mapping,
    read_rows,
)
from provisioning.monitoring.models import ActivityDay, MonitoringState, MonitoringStatus

from ..national.conftest import (  # noqa: F401 - the simulator fixtures
    FACILITY,
    OTHER_FACILITY,
    USERNAMES,
    legacy_document,
    legacy_sim,
    make_simulator,
)
from .factories import HandedOverAccountFactory

DAY_1, DAY_2 = date(2026, 3, 2), date(2026, 3, 3)


@pytest.fixture
def activity(request):
    simulator = request.getfixturevalue("legacy_sim")
    simulator.add_account(USERNAMES["legacy"], facility_codes=[FACILITY, OTHER_FACILITY])
    with simulator.client() as client:
        client.push("hoa_don", legacy_document("hoa_don", "HD1", day=DAY_1))
        client.push("hoa_don", legacy_document("hoa_don", "HD2", day=DAY_1))
        client.push("phieu_nhap", legacy_document("phieu_nhap", "PN1", day=DAY_2))
        client.push("hoa_don", legacy_document("hoa_don", "HD9", OTHER_FACILITY, day=DAY_2))
        client.push("hoa_don", legacy_document("hoa_don", "HD8", OTHER_FACILITY, day=DAY_1))
    return simulator


def download(simulator, extension, **params):
    answer = httpx.get(f"{simulator.root}/_simulator/activity.{extension}", params=params)
    answer.raise_for_status()
    return answer.content


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("messy", [None, "1"])
def test_the_simulators_export_imports_once(activity, db, extension, messy):
    account = HandedOverAccountFactory(facility_code=FACILITY)
    content = download(activity, extension, **({"messy": messy} if messy else {}))
    headers, rows = read_rows(content, f"hoat-dong.{extension}")

    first = activity_import(build_dataset(headers, rows, default_mapping(headers)), system="legacy")
    again = activity_import(build_dataset(headers, rows, default_mapping(headers)), system="legacy")

    assert first.errors == []
    assert (first.new, first.matched_accounts, first.unknown_codes) == (2, 1, [OTHER_FACILITY])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    days = {d.day: (d.invoices, d.receipts, d.issues) for d in ActivityDay.objects.all()}
    assert days == {DAY_1: (2, 0, 0), DAY_2: (0, 1, 0)}
    assert MonitoringState.objects.get(pk=account.pk).status == MonitoringStatus.ACTIVE
