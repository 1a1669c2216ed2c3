from django.db import transaction

from ..models import Membership, User
from .audit import record_event


def staff_invite(*, email, full_name, province, role, actor, ip=None):
    """Create (or reuse) the staff member's user, give the role, and e-mail a set-password link."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            email=email.strip().lower(), defaults={"full_name": full_name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership, _ = Membership.objects.get_or_create(user=user, province=province, role=role)
        record_event(
            action="staff.invited",
            actor=actor,
            data={"email": user.email, "role": role, "province": province.pk},
            ip=ip,
            visible_to_facility=False,
        )
        from ..tasks import send_staff_invitation

        send_staff_invitation.delay_on_commit(membership.pk)
    return membership
