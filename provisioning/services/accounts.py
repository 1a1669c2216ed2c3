"""Interconnection accounts: recorded by Viettel, handed over, seen once, then erased."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..crypto import decrypt, encrypt, generate_password, password_is_strong
from ..errors import NotAllowed, WorkflowError
from ..models import Dossier, DossierStatus, NationalAccount, Role
from ..national.base import LoginOutcome
from ..permissions import can_act
from ..workflow import FACILITY
from .audit import record_event
from .dossiers import _locked, _notify, dossier_move


def account_record(*, dossier, actor, system, facility_code, username, password="", ip=None):
    """Viettel records the account it created on the national system (before handover).

    The initial password is generated when none is typed; it is kept encrypted until the
    facility confirms it changed it. Recording again replaces a not-yet-handed-over entry.
    """
    password = password or generate_password()
    if not password_is_strong(password):
        raise WorkflowError(
            _(
                "Mật khẩu ban đầu phải có ít nhất 8 ký tự, gồm chữ hoa, chữ thường, chữ số "
                "hoặc ký tự đặc biệt."
            )
        )
    try:
        with transaction.atomic():
            locked = _locked(dossier)
            if not can_act(actor, Role.VIETTEL, locked):
                raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
            if locked.status != DossierStatus.APPROVED:
                raise WorkflowError(_("Chỉ ghi nhận tài khoản cho hồ sơ đã được phê duyệt."))
            account, _created = NationalAccount.objects.update_or_create(
                dossier=locked,
                defaults={
                    "facility": locked.facility,
                    "system": system,
                    "facility_code": facility_code.strip(),
                    "username": username.strip(),
                    "password_ciphertext": encrypt(password),
                    "verification": NationalAccount.Verification.PENDING,
                    "verification_message": "",
                    "verified_at": None,
                    "created_by": actor,
                },
            )
            record_event(
                action="account.recorded",
                actor=actor,
                dossier=locked,
                data={"system": system, "facility_code": facility_code, "username": username},
                ip=ip,
                visible_to_facility=False,
            )
            transaction.on_commit(lambda: _queue_verification(account.pk))
    except IntegrityError as exc:
        raise WorkflowError(
            _("Tên đăng nhập hoặc mã cơ sở này đã được dùng cho một tài khoản khác.")
        ) from exc
    return account


def _queue_verification(account_id):
    from ..tasks import verify_account

    verify_account.delay(account_id)


def dossier_issue(*, dossier, actor, override_reason="", ip=None):
    """Hand the account over. An account not verified against its national system needs an
    explicit override with a reason, which is audited."""

    def prepare(locked):
        account = NationalAccount.objects.filter(dossier=locked).first()
        if account is None:
            raise WorkflowError(_("Hãy ghi nhận tài khoản trước khi bàn giao."))
        verified = account.verification == NationalAccount.Verification.VERIFIED
        if not verified and not override_reason.strip():
            raise WorkflowError(
                _(
                    "Tài khoản chưa được kiểm tra đăng nhập thành công. Muốn bàn giao vẫn phải "
                    "ghi rõ lý do."
                )
            )
        account.handed_over_at = timezone.now()
        account.save(update_fields=["handed_over_at"])
        return []

    data = {"override_reason": override_reason} if override_reason.strip() else None
    return dossier_move(
        dossier=dossier,
        move="issue",
        actor=actor,
        ip=ip,
        note=override_reason,
        data=data,
        prepare=prepare,
    )


def account_reveal_password(*, account, actor, ip=None):
    """The initial password, shown once to the facility's owner and never again."""
    with transaction.atomic():
        locked = (
            NationalAccount.objects.select_for_update()
            .select_related("facility")
            .get(pk=account.pk)
        )
        if locked.facility.owner_id != actor.pk:
            raise NotAllowed(_("Bạn không quản lý cơ sở này."))
        if locked.handed_over_at is None:
            raise WorkflowError(_("Tài khoản chưa được bàn giao."))
        if locked.password_shown_at or not locked.password_ciphertext:
            raise WorkflowError(
                _(
                    "Mật khẩu ban đầu chỉ hiển thị một lần và đã được xem. Nếu chưa kịp lưu, "
                    "hãy liên hệ Chi nhánh Viettel để đặt lại."
                )
            )
        locked.password_shown_at = timezone.now()
        locked.save(update_fields=["password_shown_at"])
        record_event(
            action="account.password_shown",
            actor=actor,
            dossier=locked.dossier,
            facility=locked.facility,
            ip=ip,
        )
        return decrypt(locked.password_ciphertext)


def dossier_confirm_password_change(*, dossier, actor, ip=None, note="", data=None):
    """The facility says it changed the initial password: the stored copy is erased.

    It may say so while a check it consented to is still waiting for the national system:
    that check is then dropped (there is no password left to try).
    """

    def prepare(locked):
        account = NationalAccount.objects.select_for_update().get(dossier=locked)
        account.password_ciphertext = ""
        account.password_changed_at = timezone.now()
        fields = ["password_ciphertext", "password_changed_at"]
        if account.change_check in CHECK_WAITING:
            account.change_check = ""
            fields.append("change_check")
        account.save(update_fields=fields)
        locked.closed_at = account.password_changed_at
        return ["closed_at"]

    return dossier_move(
        dossier=dossier,
        move="confirm_password_change",
        actor=actor,
        ip=ip,
        note=note,
        data=data,
        prepare=prepare,
    )


# A change check that still has to log in: asked and not yet run, or the system was down.
CHECK_WAITING = (NationalAccount.ChangeCheck.PENDING, NationalAccount.ChangeCheck.UNREACHABLE)


def account_request_change_check(*, dossier, actor, ip=None):
    """The facility says it changed the initial password and consents to the portal
    logging in with the initial one: that login must now fail.

    The dossier stays issued and the encrypted copy is kept until the check has run
    (`check_initial_password`). Asking again while a check waits changes nothing.
    """
    with transaction.atomic():
        # Race: the same lock order as `dossier_move` (dossier, then account), so a
        # confirmation without the check and this request serialise instead of deadlocking.
        locked = _locked(dossier)
        if not can_act(actor, FACILITY, locked):
            raise NotAllowed(_("Bạn không quản lý cơ sở này."))
        account = NationalAccount.objects.select_for_update().filter(dossier=locked).first()
        if locked.status != DossierStatus.ISSUED or account is None:
            raise WorkflowError(_("Chỉ kiểm tra mật khẩu của tài khoản đã bàn giao."))
        if not account.password_ciphertext:
            raise WorkflowError(
                _("Cổng không còn giữ mật khẩu ban đầu nên không thể kiểm tra được nữa.")
            )
        if account.change_check in CHECK_WAITING:
            return account, False
        previous = account.change_check
        account.change_check = NationalAccount.ChangeCheck.PENDING
        account.change_checked_at = timezone.now()
        account.save(update_fields=["change_check", "change_checked_at"])
        record_event(
            action="account.change_check.requested",
            actor=actor,
            dossier=locked,
            data={"from": previous, "username": account.username},
            ip=ip,
        )
        transaction.on_commit(lambda: _queue_change_check(account.pk))
    return account, True


def _queue_change_check(account_id):
    from ..tasks import check_initial_password

    check_initial_password.delay(account_id)


def account_set_change_check(*, account_id, outcome, message=""):
    """Store what a login with the initial password gave (`outcome`, as for verification).

    wrong_credentials: the password was changed, so the dossier completes exactly as when the
    facility confirms (the copy erased). verified: it still logs in; the dossier stays issued
    and the facility is told. locked or unreachable: nothing is known yet; the sweep tries
    again. Idempotent: only a check still waiting takes a result, so a duplicated or late
    task changes nothing and writes no second audit event.
    """
    dossier_id = (
        NationalAccount.objects.filter(pk=account_id).values_list("dossier_id", flat=True).first()
    )
    if dossier_id is None:
        return None, False
    with transaction.atomic():
        # Race: dossier first, then account, as everywhere else (see `dossier_move`).
        locked = _locked(Dossier(pk=dossier_id))
        account = NationalAccount.objects.select_for_update().get(pk=account_id)
        if (
            account.change_check not in CHECK_WAITING
            or locked.status != DossierStatus.ISSUED
            or not account.password_ciphertext
        ):
            return account, False
        Check = NationalAccount.ChangeCheck
        state = {
            LoginOutcome.WRONG_CREDENTIALS: Check.PASSED,
            LoginOutcome.VERIFIED: Check.STILL_WORKS,
        }.get(outcome, Check.UNREACHABLE)
        if state == account.change_check:
            return account, False
        previous = account.change_check
        account.change_check = state
        account.change_checked_at = timezone.now()
        account.save(update_fields=["change_check", "change_checked_at"])
        if state == Check.PASSED:
            # Whether the initial password was ever seen to work: if it never did, its
            # failing now proves less, and the record says so.
            initially = account.verification == NationalAccount.Verification.VERIFIED
            dossier_confirm_password_change(
                dossier=locked,
                actor=locked.facility.owner,
                note=_("Cổng đã thử đăng nhập bằng mật khẩu ban đầu: không còn đăng nhập được."),
                data={"change_check": state, "initial_login_verified": initially},
            )
            account.refresh_from_db()
            return account, True
        event = record_event(
            action=f"account.change_check.{state}",
            dossier=locked,
            note=message,
            data={"from": previous, "to": state, "username": account.username},
            visible_to_facility=state == Check.STILL_WORKS,
        )
        if state == Check.STILL_WORKS:
            _notify(event)
    return account, True


def account_set_verification(*, account_id, outcome, message=""):
    """Store the result of a login check. Idempotent: the same result twice writes one
    audit event; a result never downgrades an account already verified."""
    with transaction.atomic():
        # Only the account row is locked: its dossier is a nullable (outer) join.
        account = (
            NationalAccount.objects.select_for_update(of=("self",))
            .select_related("dossier")
            .get(pk=account_id)
        )
        verified = NationalAccount.Verification.VERIFIED
        if account.verification == verified or (
            account.verification == outcome and account.verification_message == message
        ):
            return account, False
        previous = account.verification
        account.verification = outcome
        account.verification_message = message[:255]
        account.verified_at = timezone.now()
        account.save(update_fields=["verification", "verification_message", "verified_at"])
        record_event(
            action=f"account.verification.{outcome}",
            dossier=account.dossier,
            facility=account.facility,
            note=message,
            data={"from": previous, "to": outcome, "username": account.username},
            visible_to_facility=False,
        )
    return account, True
