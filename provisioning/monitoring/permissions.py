"""Who may manage which API keys: staff of a province, for its facilities and its vendors.

A facility key belongs to the province of its facility. A vendor serves many provinces; the
staff of any province where the vendor has facilities may manage its keys.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from ..models import NationalAccount, NationalSystem, Role, Vendor
from ..permissions import has_role, provinces_for
from .models import ApiKey
from .status import HEALTH_DEPARTMENT, ISSUER

KEY_ROLES = (Role.REVIEWER, Role.APPROVER, Role.VIETTEL, Role.ADMIN)


def key_provinces(user):
    """The provinces whose keys `user` manages; 403 for a user with no staff role."""
    provinces = {p for role in KEY_ROLES for p in provinces_for(user, role)}
    if not provinces:
        raise PermissionDenied
    return provinces


def vendors_for(provinces):
    return Vendor.objects.filter(facilities__province_id__in=provinces).distinct()


def api_keys_for(provinces):
    return ApiKey.objects.filter(
        Q(facility__province_id__in=provinces) | Q(vendor__in=vendors_for(provinces).values("pk"))
    )


def get_api_key_for_staff(user, pk):
    try:
        return api_keys_for(key_provinces(user)).select_related("facility", "vendor").get(pk=pk)
    except ApiKey.DoesNotExist as exc:
        raise Http404 from exc


def may_make(user, move, account):
    """Whether `user` may record `move` (a staff move of `status.MOVES`) on `account`."""
    province = account.facility.province_id
    health_department = has_role(user, Role.REVIEWER, province) or has_role(
        user, Role.APPROVER, province
    )
    if move.by == HEALTH_DEPARTMENT:
        return health_department
    if move.by == ISSUER:
        if account.system == NationalSystem.LEGACY:
            return has_role(user, Role.VIETTEL, province)
        return health_department
    return False  # the portal's own moves are never made by hand


LOCK_ROLES = (Role.REVIEWER, Role.APPROVER, Role.VIETTEL)


def lockable_accounts(user):
    """The accounts `user` locks and unlocks as their issuer: legacy accounts for the Viettel
    branch of their province, 2026 accounts for its Sở Y tế; 403 for anyone else."""
    viettel = provinces_for(user, Role.VIETTEL)
    health = provinces_for(user, Role.REVIEWER) | provinces_for(user, Role.APPROVER)
    if not viettel and not health:
        raise PermissionDenied
    return NationalAccount.objects.filter(
        Q(system=NationalSystem.LEGACY, facility__province_id__in=viettel)
        | Q(system=NationalSystem.V2, facility__province_id__in=health)
    )


def get_account_for_lock(user, pk, move):
    """An account of the user's provinces (else 404) that the user may `move` (else 403)."""
    provinces = incident_provinces(user)
    try:
        account = NationalAccount.objects.select_related("facility").get(
            pk=pk, facility__province_id__in=provinces
        )
    except NationalAccount.DoesNotExist as exc:
        raise Http404 from exc
    if not may_make(user, move, account):
        raise PermissionDenied
    return account


def incident_provinces(user):
    """The provinces whose vendor incidents `user` follows: its Sở Y tế and Viettel branch."""
    provinces = {p for role in LOCK_ROLES for p in provinces_for(user, role)}
    if not provinces:
        raise PermissionDenied
    return provinces


def get_account_for_owner(user, pk):
    """A handed-over account of one of the user's facilities; 403 for staff, else 404."""
    from ..permissions import is_staff_member

    if is_staff_member(user):
        raise PermissionDenied
    try:
        return NationalAccount.objects.select_related("facility", "monitoring").get(
            pk=pk, facility__owner=user, handed_over_at__isnull=False
        )
    except NationalAccount.DoesNotExist as exc:
        raise Http404 from exc


PAUSE_ROLES = (Role.REVIEWER, Role.APPROVER)


def pause_provinces(user):
    """The provinces whose pause requests `user` decides (its Sở Y tế); 403 for others."""
    provinces = {p for role in PAUSE_ROLES for p in provinces_for(user, role)}
    if not provinces:
        raise PermissionDenied
    return provinces


def get_pause_request_for_staff(user, pk):
    from .models import PauseRequest

    try:
        return PauseRequest.objects.select_related("account__facility").get(
            pk=pk, account__facility__province_id__in=pause_provinces(user)
        )
    except PauseRequest.DoesNotExist as exc:
        raise Http404 from exc
