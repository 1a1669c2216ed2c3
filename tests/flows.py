"""Drive a dossier through the real services to the state a test needs."""

from django.urls import reverse

from provisioning.models import DocumentKind, DossierStatus
from provisioning.services.accounts import account_record, dossier_issue
from provisioning.services.dossiers import (
    document_add,
    dossier_confirm_interconnection,
    dossier_create,
    dossier_decide,
    dossier_propose,
    dossier_submit,
)
from provisioning.uploads import validate_upload

from .factories import pdf_upload

ORDER = [
    DossierStatus.DRAFT,
    DossierStatus.SUBMITTED,
    DossierStatus.PROPOSED_APPROVAL,
    DossierStatus.APPROVED,
    DossierStatus.ISSUED,
]


SIGN_UP_PASSWORD = "Mk-2026-an-toan"


def sign_up(client, email="moi@nhathuoc.vn", **extra):
    """Sign up through allauth's form as a new facility user would."""
    return client.post(
        reverse("account_signup"),
        {
            "full_name": "Nguyễn Văn Mới",
            "position": "Chủ nhà thuốc",
            "email": email,
            "password1": SIGN_UP_PASSWORD,
            "password2": SIGN_UP_PASSWORD,
        },
        **extra,
    )


def attach(dossier, actor, kind, name):
    upload = pdf_upload(name)
    return document_add(
        dossier=dossier, actor=actor, kind=kind, upload=upload, checked=validate_upload(upload)
    )


def dossier_at(status, *, facility, reviewer=None, approver=None, viettel=None):
    """A dossier of `facility` moved through the workflow up to `status`.

    Needs the staff of the facility's province for the steps it passes.
    """
    owner = facility.owner
    dossier = dossier_create(facility=facility, actor=owner)
    attach(dossier, owner, DocumentKind.SECURITY_CONTRACT, "hop-dong-bao-mat.pdf")
    attach(dossier, owner, DocumentKind.INTERCONNECTION_RECORD, "bien-ban-lien-thong.pdf")
    if status == DossierStatus.DRAFT:
        return dossier
    dossier = dossier_submit(dossier=dossier, actor=owner)
    if status == DossierStatus.SUBMITTED:
        return dossier
    if status in (DossierStatus.PROPOSED_REJECTION, DossierStatus.REJECTED):
        dossier = dossier_propose(
            dossier=dossier,
            actor=reviewer,
            approve=False,
            reason="missing_contract",
            note="Hợp đồng đã hết hạn",
        )
        if status == DossierStatus.REJECTED:
            dossier = dossier_decide(dossier=dossier, actor=approver, decision="reject")
        return dossier
    dossier_confirm_interconnection(dossier=dossier, actor=viettel, confirmed=True)
    dossier = dossier_propose(dossier=dossier, actor=reviewer, approve=True)
    if status == DossierStatus.PROPOSED_APPROVAL:
        return dossier
    dossier = dossier_decide(dossier=dossier, actor=approver, decision="approve")
    if status == DossierStatus.APPROVED:
        return dossier
    account_record(
        dossier=dossier,
        actor=viettel,
        system="legacy",
        facility_code="24-000123",
        username="gpp_24_000123",
        password="Ban-dau-2026",
    )
    dossier = dossier_issue(dossier=dossier, actor=viettel, override_reason="Kiểm thử")
    return dossier
