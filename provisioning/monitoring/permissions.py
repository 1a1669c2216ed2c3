"""Who may manage which API keys: staff of a province, for its facilities and its vendors.

A facility key belongs to the province of its facility. A vendor serves many provinces; the
staff of any province where the vendor has facilities may manage its keys.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from ..models import NationalSystem, Role, Vendor
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
