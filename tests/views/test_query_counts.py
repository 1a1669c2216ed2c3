"""A dossier's pages cost the same number of queries however long its history grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from provisioning.models import DocumentKind, DossierStatus
from provisioning.services.dossiers import comment_add, dossier_submit

from ..factories import FacilityFactory
from ..flows import attach, dossier_at

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
