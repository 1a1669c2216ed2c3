"""Who may see and do what. Every view fetches objects through these helpers.

Objects that are not the user's answer 404 (their existence is not revealed); a user who
lacks the role for a whole screen gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Document, Dossier, Facility, Membership, NationalAccount, Role
from .selectors import guidance_for
from .workflow import FACILITY


def roles_of(user):
    """{(province_id, role)} for a staff member, cached on the user for the request."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_portal_roles"):
        user._portal_roles = frozenset(
            Membership.objects.filter(user=user).values_list("province_id", "role")
        )
    return user._portal_roles


def provinces_for(user, role):
    return {province for province, held in roles_of(user) if held == role}


def has_role(user, role, province_id=None):
    return any(
        held == role and (province_id is None or province == province_id)
        for province, held in roles_of(user)
    )


def is_staff_member(user):
    return bool(roles_of(user))


def require_role(user, *roles):
    """Raise 403 unless the user holds one of `roles` in some province."""
    if not any(has_role(user, role) for role in roles):
        raise PermissionDenied
    return {p for role in roles for p in provinces_for(user, role)}


def can_act(user, actor, dossier):
    """Whether `user` may make a move whose actor is `actor` (FACILITY or a Role)."""
    if actor == FACILITY:
        return dossier.facility.owner_id == user.pk
    return has_role(user, actor, dossier.province_id)


def get_facility_for_owner(user, pk):
    try:
        return Facility.objects.select_related("province", "commune", "vendor").get(
            pk=pk, owner=user
        )
    except Facility.DoesNotExist as exc:
        raise Http404 from exc


def _dossier_queryset():
    return Dossier.objects.select_related(
        "facility", "facility__commune", "facility__vendor", "facility__owner", "province"
    )


def get_dossier_for_owner(user, pk):
    try:
        return _dossier_queryset().get(pk=pk, facility__owner=user)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


def get_dossier_for_staff(user, pk, *roles):
    """A dossier of a province where the user holds one of `roles` (any staff role if none)."""
    wanted = roles or tuple(Role.values)
    provinces = {p for role in wanted for p in provinces_for(user, role)}
    if not provinces:
        raise PermissionDenied
    try:
        return _dossier_queryset().get(pk=pk, province_id__in=provinces)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


def get_dossier_for_user(user, pk):
    """The facility owner's or a staff member's view of one dossier."""
    if is_staff_member(user):
        return get_dossier_for_staff(user, pk)
    return get_dossier_for_owner(user, pk)


def get_document_for_user(user, pk):
    try:
        document = Document.objects.select_related("dossier").get(pk=pk)
    except Document.DoesNotExist as exc:
        raise Http404 from exc
    # Checked through the dossier so that one rule decides both.
    get_dossier_for_user(user, document.dossier_id)
    return document


def get_guidance_for_user(user, pk):
    """A guidance PDF for the staff of its province and the facilities there that received
    an account; a PDF with no province is shared by all of them."""
    provinces = {province for province, _role in roles_of(user)}
    provinces.update(
        NationalAccount.objects.filter(
            facility__owner=user, handed_over_at__isnull=False
        ).values_list("dossier__province_id", flat=True)
    )
    if not provinces:
        raise Http404
    doc = guidance_for(*provinces).filter(pk=pk).first()
    if doc is None:
        raise Http404
    return doc
