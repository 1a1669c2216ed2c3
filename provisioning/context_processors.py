from django.conf import settings

from . import demo_mailbox
from .models import Role
from .permissions import has_role, is_staff_member


def portal(request):
    user = request.user
    return {
        "mfa_relaxed": not settings.STAFF_REQUIRE_MFA,
        "demo_mailbox": demo_mailbox.is_active(),
        "is_staff_member": is_staff_member(user),
        "is_reviewer": has_role(user, Role.REVIEWER),
        "is_approver": has_role(user, Role.APPROVER),
        "is_viettel": has_role(user, Role.VIETTEL),
        "is_admin_member": has_role(user, Role.ADMIN) or user.is_superuser,
    }
