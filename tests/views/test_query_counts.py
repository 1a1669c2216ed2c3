"""A dossier's pages cost the same number of queries however long its history grows."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from provisioning.models import AuditEvent, DocumentKind, Dossier, DossierStatus
from provisioning.services.dossiers import comment_add, dossier_submit

from ..factories import FacilityFactory
from ..flows import attach, dossier_at

S = DossierStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def short_and_long(facility, reviewer, approver, viettel):
    """Two submitted dossiers of one owner: one fresh, one with a long history (more
    documents, messages both ways and internal notes)."""
    owner = facility.owner
    other = FacilityFactory(owner=owner, province=facility.province)
    short = dossier_at(DossierStatus.DRAFT, facility=facility)
    long = dossier_at(DossierStatus.DRAFT, facility=other)
    for number in range(4):
        attach(long, owner, DocumentKind.OTHER, f"phu-luc-{number}.pdf")
    short, long = (dossier_submit(dossier=dossier, actor=owner) for dossier in (short, long))
    for number in range(12):
        comment_add(dossier=long, actor=reviewer, body=f"Trao đổi {number}", internal=False)
        comment_add(dossier=long, actor=reviewer, body=f"Ghi chú {number}", internal=True)
        comment_add(dossier=long, actor=owner, body=f"Trả lời {number}", internal=False)
    return short, long


def _queries(client, name, dossier):
    url = reverse(name, args=[dossier.pk])
    client.get(url)  # the session and caches warmed
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "page, who",
    [
        ("review:dossier", "reviewer"),
        ("issuance:dossier", "viettel"),
        ("facility:dossier", "owner"),
    ],
)
def test_a_dossier_page_costs_the_same_queries_however_long_the_history(
    as_user, short_and_long, page, who, request
):
    client = as_user(request.getfixturevalue(who))
    short, long = short_and_long
    assert _queries(client, page, short) == _queries(client, page, long)


def _public_steps(dossier, count):
    """`count` more steps on the public timeline (requests for information and answers)."""
    moves = [("dossier.info_requested", "submitted", "needs_info")]
    moves.append(("dossier.info_provided", "needs_info", "submitted"))
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=moves[number % 2][0],
            from_status=moves[number % 2][1],
            to_status=moves[number % 2][2],
            dossier=dossier,
            facility=dossier.facility,
            note="Bổ sung hợp đồng bảo mật",
        )
        for number in range(count)
    )


def test_the_public_lookup_costs_the_same_queries_however_many_steps(short_and_long, client):
    cache.clear()  # the lookup's rate limit
    short, long = short_and_long
    _public_steps(long, 20)

    def lookup_queries(dossier):
        params = {"code": dossier.code, "secret": dossier.lookup_secret}
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("public:lookup"), params)
        assert response.status_code == 200
        assert dossier.code in response.text
        return len(captured.captured_queries)

    assert lookup_queries(short) == lookup_queries(long)
    assert lookup_queries(long) <= 5


def _bulk_dossiers(province, statuses, *, first):
    """Dossiers straight into the tables: history the queues must not read."""
    today = timezone.localdate()
    facilities = [FacilityFactory(province=province) for _ in statuses]
    return Dossier.objects.bulk_create(
        Dossier(
            facility=facility,
            province=facility.province,
            status=status,
            code=f"LTD-24-2024-{900 + first + number:05d}",
            submitted_at=timezone.now(),
            due_date=today - datetime.timedelta(days=400 - number),
        )
        for number, (facility, status) in enumerate(zip(facilities, statuses, strict=True))
    )


@pytest.mark.parametrize(
    "page, who, tabs",
    [
        ("review:queue", "reviewer", ["new", "overdue", "decided", "all"]),
        ("issuance:queue", "viettel", ["confirm", "issue", "done"]),
    ],
)
def test_a_queue_costs_the_same_queries_however_long_the_closed_history(
    as_user, short_and_long, home_province, page, who, tabs, request
):
    client = as_user(request.getfixturevalue(who))
    _bulk_dossiers(home_province, [S.COMPLETED, S.APPROVED], first=0)

    def counts():
        return [_tab_queries(client, page, tab) for tab in tabs]

    before = counts()
    more = [S.COMPLETED] * 6 + [S.REJECTED] * 3 + [S.WITHDRAWN] * 3
    _bulk_dossiers(home_province, more, first=10)
    assert counts() == before


def _tab_queries(client, name, tab):
    client.get(reverse(name), {"tab": tab})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), {"tab": tab})
    assert response.status_code == 200
    return len(captured.captured_queries)
