from allauth.mfa.models import Authenticator
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


def _record_membership(action, membership, *, actor, ip, **data):
    record_event(
        action=action,
        actor=actor,
        data={
            "email": membership.user.email,
            "role": membership.role,
            "province": membership.province_id,
            **data,
        },
        ip=ip,
        visible_to_facility=False,
    )


def membership_create(*, user, province, role, actor, ip=None):
    """Give `user` a staff role in `province` (the admin's "add")."""
    with transaction.atomic():
        membership = Membership.objects.create(user=user, province=province, role=role)
        _record_membership("membership.created", membership, actor=actor, ip=ip)
    return membership


def membership_change(*, membership, role, province, actor, ip=None):
    """Move a membership to another role or province; the event says from what."""
    with transaction.atomic():
        # Race: two administrators editing the same row; the lock makes the second one's
        # event name the first one's result as its "from".
        locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        before = {"from_role": locked.role, "from_province": locked.province_id}
        if (locked.role, locked.province_id) == (role, province.pk):
            return locked
        locked.role = role
        locked.province = province
        locked.save(update_fields=["role", "province"])
        _record_membership("membership.changed", locked, actor=actor, ip=ip, **before)
    return locked


def membership_delete(*, membership, actor, ip=None):
    """Take a staff role away; a row already deleted is left alone."""
    with transaction.atomic():
        locked = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(pk=membership.pk)
            .first()
        )
        if locked is None:
            return
        _record_membership("membership.deleted", locked, actor=actor, ip=ip)
        locked.delete()


# What an administrator may change on a user in the admin; the rest (password, e-mail, which
# allauth verifies) the user changes on the portal, and roles are memberships.
USER_ADMIN_FIELDS = ("full_name", "phone", "is_active", "is_staff", "is_superuser")


def user_update(*, user, actor, ip=None, **changes):
    """An administrator's edit of a user; the event names each changed field, old and new."""
    unknown = set(changes) - set(USER_ADMIN_FIELDS)
    if unknown:
        raise ValueError(f"not editable by an administrator: {sorted(unknown)}")
    with transaction.atomic():
        # Race: two administrators editing one user; each event records what it replaced.
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = {
            field: [getattr(locked, field), value]
            for field, value in changes.items()
            if getattr(locked, field) != value
        }
        if not changed:
            return locked
        for field, (_old, new) in changed.items():
            setattr(locked, field, new)
        locked.save(update_fields=list(changed))
        record_event(
            action="user.changed",
            actor=actor,
            data={"email": locked.email, "changes": changed},
            ip=ip,
            visible_to_facility=False,
        )
    return locked


def authenticator_delete(*, authenticator, actor, ip=None):
    """Remove a staff member's lost authenticator (their phone, their recovery codes), so that
    they set up a new one at their next sign-in. Its key is never written to the event."""
    with transaction.atomic():
        locked = (
            Authenticator.objects.select_for_update()
            .select_related("user")
            .filter(pk=authenticator.pk)
            .first()
        )
        if locked is None:
            return
        record_event(
            action="two_factor.removed",
            actor=actor,
            data={"email": locked.user.email, "type": locked.type},
            ip=ip,
            visible_to_facility=False,
        )
        locked.delete()
