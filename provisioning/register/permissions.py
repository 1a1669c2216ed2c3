"""Who may see the register: the Sở Y tế's reviewers and approvers, of their own province.
Built on the portal's one role rule (`provisioning.permissions`)."""

from django.http import Http404

from ..models import Role
from ..permissions import require_role
from .models import RegisterEntry, RegisterImport

REGISTER_ROLES = (Role.REVIEWER, Role.APPROVER)


def register_provinces(user):
    """The provinces whose register `user` keeps; 403 for anyone else."""
    return require_role(user, *REGISTER_ROLES)


def get_register_entry_for_staff(user, pk):
    try:
        return RegisterEntry.objects.select_related("province", "commune").get(
            pk=pk, province_id__in=register_provinces(user)
        )
    except RegisterEntry.DoesNotExist as exc:
        raise Http404 from exc


def get_register_import_for_staff(user, pk):
    try:
        return RegisterImport.objects.select_related("province", "uploaded_by").get(
            pk=pk, province_id__in=register_provinces(user)
        )
    except RegisterImport.DoesNotExist as exc:
        raise Http404 from exc
