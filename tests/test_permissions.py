"""Every move of the workflow: made by its role it succeeds; any other role, or the same
role of another province, is refused and the dossier does not move."""

import pytest

from provisioning.errors import NotAllowed
from provisioning.models import AuditEvent, Dossier, DossierStatus, Role
from provisioning.services.accounts import (
    account_record,
    dossier_confirm_password_change,
    dossier_issue,
)
from provisioning.services.dossiers import (
    dossier_confirm_interconnection,
    dossier_decide,
    dossier_propose,
    dossier_request_info,
    dossier_respond,
    dossier_submit,
    dossier_withdraw,
)
from provisioning.workflow import FACILITY, MOVES

from .flows import dossier_at

S = DossierStatus
pytestmark = pytest.mark.django_db

# The cast member who holds each actor of the workflow, and the same role elsewhere.
RIGHT = {
    FACILITY: "owner",
    Role.REVIEWER: "reviewer",
    Role.APPROVER: "approver",
    Role.VIETTEL: "viettel",
}
SAME_ROLE_ELSEWHERE = {
    FACILITY: "other_owner",
    Role.REVIEWER: "other_reviewer",
    Role.APPROVER: "other_approver",
    Role.VIETTEL: "other_viettel",
}
EVERYONE = ["owner", "reviewer", "approver", "viettel", "admin_member"]


def _respond(dossier, actor):
    answers = {item.pk: ("Đã bổ sung", None) for item in dossier.info_items.all()}
    return dossier_respond(dossier=dossier, actor=actor, answers=answers)


# How each move is made through its service.
MAKE = {
    "submit": lambda d, a: dossier_submit(dossier=d, actor=a),
    "request_info": lambda d, a: dossier_request_info(
        dossier=d, actor=a, items=[("other", "Bổ sung ảnh biển hiệu")]
    ),
    "respond": _respond,
    "propose_approval": lambda d, a: dossier_propose(dossier=d, actor=a, approve=True),
    "propose_rejection": lambda d, a: dossier_propose(
        dossier=d, actor=a, approve=False, reason="missing_contract"
    ),
    "approve": lambda d, a: dossier_decide(dossier=d, actor=a, decision="approve"),
    "reject": lambda d, a: dossier_decide(dossier=d, actor=a, decision="reject"),
    "return": lambda d, a: dossier_decide(
        dossier=d, actor=a, decision="return", note="Xem lại hợp đồng"
    ),
    "issue": lambda d, a: dossier_issue(dossier=d, actor=a, override_reason="Hệ thống chậm"),
    "confirm_password_change": lambda d, a: dossier_confirm_password_change(dossier=d, actor=a),
    "withdraw": lambda d, a: dossier_withdraw(dossier=d, actor=a),
}

CASES = [(name, source) for name, move in MOVES.items() for source in move.sources]
CASE_IDS = [f"{name}-from-{source}" for name, source in CASES]


def wrong_actors(name):
    actor = MOVES[name].actor
    return [who for who in EVERYONE if who != RIGHT[actor]] + [SAME_ROLE_ELSEWHERE[actor]]


WRONG_CASES = [(name, source, who) for name, source in CASES for who in wrong_actors(name)]
WRONG_IDS = [f"{name}-from-{source}-by-{who}" for name, source, who in WRONG_CASES]


@pytest.fixture
def cast(facility, reviewer, approver, viettel):
    return {"facility": facility, "reviewer": reviewer, "approver": approver, "viettel": viettel}


def reach(source, cast):
    """A dossier standing at `source`, ready for any move out of it."""
    if source == S.NEEDS_INFO:
        dossier = dossier_at(S.SUBMITTED, **cast)
        return dossier_request_info(
            dossier=dossier, actor=cast["reviewer"], items=[("other", "Bổ sung giấy tờ")]
        )
    dossier = dossier_at(source, **cast)
    if source == S.SUBMITTED:
        # Proposing approval waits for Viettel's word on the interconnection.
        dossier = dossier_confirm_interconnection(
            dossier=dossier, actor=cast["viettel"], confirmed=True
        )
    if source == S.APPROVED:
        account_record(
            dossier=dossier,
            actor=cast["viettel"],
            system="legacy",
            facility_code="24-000777",
            username="gpp_24_000777",
        )
    return dossier


def test_every_move_has_a_way_to_be_made_and_a_cast_member():
    assert set(MAKE) == set(MOVES)
    assert {move.actor for move in MOVES.values()} <= set(RIGHT)


@pytest.mark.parametrize(("name", "source"), CASES, ids=CASE_IDS)
def test_the_right_role_makes_the_move(name, source, cast, request):
    dossier = reach(source, cast)
    actor = request.getfixturevalue(RIGHT[MOVES[name].actor])

    moved = MAKE[name](dossier, actor)

    assert moved.status == MOVES[name].target
    assert Dossier.objects.get(pk=dossier.pk).status == MOVES[name].target
    event = AuditEvent.objects.filter(dossier=dossier).latest("pk")
    assert (event.action, event.actor, event.from_status) == (MOVES[name].action, actor, source)


@pytest.mark.parametrize(("name", "source", "who"), WRONG_CASES, ids=WRONG_IDS)
def test_any_other_role_or_province_is_refused(name, source, who, cast, request):
    dossier = reach(source, cast)
    events_before = AuditEvent.objects.count()
    actor = request.getfixturevalue(who)

    with pytest.raises(NotAllowed, match="không có quyền"):
        MAKE[name](dossier, actor)

    assert Dossier.objects.get(pk=dossier.pk).status == source
    assert AuditEvent.objects.count() == events_before
