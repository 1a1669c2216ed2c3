"""Interconnection accounts: recorded by Viettel, handed over, seen once, then erased.

Two small state machines live on the account, each with its table in `workflow.py` and one
function here that applies it: the login check of a recorded account (`verification_move`,
`VERIFICATION_STEPS`) and the check that the initial password was changed
(`change_check_move`, `CHANGE_CHECK_STEPS`). Locks follow `locking`'s order: dossier, then
account.
"""

import logging

from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..crypto import (
    SYMBOLS,
    SecretUnreadable,
    decrypt,
    encrypt,
    generate_password,
    password_is_strong,
)
from ..errors import NotAllowed, WorkflowError
from ..models import NationalAccount, Role
from ..national.base import LoginOutcome
from ..permissions import can_act
from ..workflow import (
    CHANGE_CHECK_STEPS,
    CHECK_WAITING,
    FACILITY,
    MOVES,
    SO_Y_TE,
    VERIFICATION_STEPS,
    ChangeCheck,
    Verification,
    change_check_blocks_completion,
)
from .audit import record_event
from .dossiers import dossier_move
from .locking import lock_account, lock_dossier, retry_on_deadlock

logger = logging.getLogger(__name__)


def _apply(
    account,
    dossier,
    step,
    *,
    field,
    stamp,
    actor=None,
    note="",
    detail="",
    data=None,
    ip=None,
    visible_to_facility=True,
):
    """Move `account.<field>` along `step` (checked against its sources), stamp the time,
    save and audit. The caller holds the dossier's and the account's locks."""
    previous = getattr(account, field)
    if previous not in step.sources:
        raise WorkflowError(_("Không thể thực hiện thao tác này với tài khoản lúc này."))
    setattr(account, field, step.target)
    setattr(account, stamp, timezone.now() if step.target else getattr(account, stamp))
    account.save(update_fields=[field, stamp])
    if detail:
        # What the national system said, for the logs and the admin: never on a timeline.
        logger.info("%s for %s: %s", step.action, account.username, detail)
    return record_event(
        action=step.action,
        actor=actor,
        dossier=dossier,
        facility=account.facility,
        note=note,
        data={
            "from": previous,
            "to": step.target,
            "username": account.username,
            **({"detail": detail[:500]} if detail else {}),
            **(data or {}),
        },
        ip=ip,
        visible_to_facility=visible_to_facility,
    )


def verification_move(account, dossier, step, *, actor=None, detail="", data=None, ip=None):
    """The one function that applies `VERIFICATION_STEPS` (staff-only steps)."""
    account.verification_message = detail[:255]
    account.save(update_fields=["verification_message"])
    return _apply(
        account,
        dossier,
        step,
        field="verification",
        stamp="verified_at",
        actor=actor,
        detail=detail,
        data=data,
        ip=ip,
        visible_to_facility=False,
    )


def change_check_move(account, dossier, step, *, actor=None, note="", detail="", ip=None):
    """The one function that applies `CHANGE_CHECK_STEPS`. The facility reads every step but
    an inconclusive attempt (the portal retries it by itself)."""
    return _apply(
        account,
        dossier,
        step,
        field="change_check",
        stamp="change_checked_at",
        actor=actor,
        note=note,
        detail=detail,
        ip=ip,
        visible_to_facility=step.target != ChangeCheck.UNREACHABLE,
    )


@retry_on_deadlock
def account_record(*, dossier, actor, system, facility_code, username, password="", ip=None):
    """Viettel records the account it created on the national system (before handover).

    The initial password is generated when none is typed; it is kept encrypted until the
    facility confirms it changed it. Recording again replaces a not-yet-handed-over entry,
    and the login check starts over.
    """
    password = password or generate_password()
    if not password_is_strong(password):
        raise WorkflowError(
            _(
                "Mật khẩu ban đầu phải có ít nhất 8 ký tự, gồm đủ chữ hoa, chữ thường, chữ số "
                "và ký tự đặc biệt (%(symbols)s)."
            )
            % {"symbols": SYMBOLS}
        )
    try:
        with transaction.atomic():
            locked = lock_dossier(dossier)
            if not can_act(actor, Role.VIETTEL, locked):
                raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
            if locked.status not in MOVES["issue"].sources:
                raise WorkflowError(_("Chỉ ghi nhận tài khoản cho hồ sơ đã được phê duyệt."))
            account = lock_account(dossier=locked) or NationalAccount(
                dossier=locked, verification=Verification.PENDING
            )
            account.facility = locked.facility
            account.system = system
            account.facility_code = facility_code.strip()
            account.username = username.strip()
            account.password_ciphertext = encrypt(password)
            account.created_by = actor
            account.save()
            verification_move(
                account,
                locked,
                VERIFICATION_STEPS["record"],
                actor=actor,
                data={"system": system, "facility_code": account.facility_code},
                ip=ip,
            )
            transaction.on_commit(lambda: _queue_verification(account.pk))
    except IntegrityError as exc:
        raise WorkflowError(
            _("Tên đăng nhập hoặc mã cơ sở này đã được dùng cho một tài khoản khác.")
        ) from exc
    return account


def recorded_password(account):
    """The initial password Viettel recorded, for Viettel's own form before the handover
    (so that recording again keeps it); None once handed over or erased."""
    if account is None or account.handed_over_at or not account.password_ciphertext:
        return None
    return decrypt(account.password_ciphertext)


def _queue_verification(account_id):
    from ..tasks import verify_account

    verify_account.delay(account_id)


def dossier_issue(*, dossier, actor, override_reason="", ip=None):
    """Hand the account over. An account not verified against its national system needs an
    explicit override with a reason, which is audited."""

    def prepare(locked):
        account = lock_account(dossier=locked)
        if account is None:
            raise WorkflowError(_("Hãy ghi nhận tài khoản trước khi bàn giao."))
        verified = account.verification == Verification.VERIFIED
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


@retry_on_deadlock
def account_reveal_password(*, account, actor, ip=None):
    """The initial password, shown once to the facility's owner and never again."""
    with transaction.atomic():
        # Race: the dossier first, then the account (see `locking`): the handover letter,
        # rendered under the dossier's lock at this very moment, is waited for, not
        # deadlocked with.
        dossier = lock_dossier(account.dossier_id)
        locked = lock_account(pk=account.pk)
        if dossier.facility.owner_id != actor.pk:
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
        try:
            password = decrypt(locked.password_ciphertext)
        except SecretUnreadable:
            # Not marked as shown: once the old key is back, the facility can still see it.
            password = None
        else:
            locked.password_shown_at = timezone.now()
            locked.save(update_fields=["password_shown_at"])
            record_event(
                action="account.password_shown",
                actor=actor,
                dossier=dossier,
                facility=dossier.facility,
                ip=ip,
            )
    if password is None:
        _alert_unreadable(locked)
        raise WorkflowError(
            _(
                "Không giải mã được mật khẩu ban đầu của tài khoản này. Quản trị viên Cổng đã "
                "được báo. Vui lòng thử lại sau, hoặc liên hệ Chi nhánh Viettel để đặt lại mật "
                "khẩu."
            )
        )
    return password


def _alert_unreadable(account):
    message = (
        f"The initial password of national account {account.pk} ({account.username}) cannot "
        "be decrypted with any key in FIELD_ENCRYPTION_KEY: the key that encrypted it was "
        "changed or dropped. Put that key back (after the newest one), or have Viettel reset "
        "the password."
    )
    logger.error(message)
    try:
        mail_admins("Initial password cannot be decrypted", message)
    except Exception:  # a mail server down must not turn the facility's page into a 500
        logger.exception("Could not mail the administrators about account %s", account.pk)


def dossier_confirm_password_change(*, dossier, actor, ip=None, note="", data=None):
    """The facility says it changed the initial password: the stored copy is erased.

    Refused while the portal's last login with the initial password worked (unless the Sở
    overrode it): the facility changes the password and asks for the check again. It may say
    so while a check it consented to still waits for the national system: that check is then
    dropped (there is no password left to try).
    """

    def prepare(locked):
        account = lock_account(dossier=locked)
        if change_check_blocks_completion(account):
            raise WorkflowError(
                _(
                    "Cổng vừa thử và mật khẩu ban đầu vẫn đăng nhập được, tức là mật khẩu chưa "
                    "được đổi. Hãy đổi mật khẩu trên hệ thống quốc gia rồi để Cổng kiểm tra lại; "
                    "nếu có lý do khác, hãy liên hệ Sở Y tế."
                )
            )
        if account.change_check in CHECK_WAITING:
            change_check_move(account, locked, CHANGE_CHECK_STEPS["drop"], actor=actor, ip=ip)
        account.password_ciphertext = ""
        account.password_changed_at = timezone.now()
        account.save(update_fields=["password_ciphertext", "password_changed_at"])
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


def _issued_account(locked):
    account = lock_account(dossier=locked)
    if locked.status not in MOVES["confirm_password_change"].sources or account is None:
        raise WorkflowError(_("Chỉ kiểm tra mật khẩu của tài khoản đã bàn giao."))
    return account


@retry_on_deadlock
def account_request_change_check(*, dossier, actor, ip=None):
    """The facility says it changed the initial password and consents to the portal
    logging in with the initial one: that login must now fail.

    The dossier stays issued and the encrypted copy is kept until the check has run
    (`check_initial_password`). Asking again while a check waits changes nothing.
    """
    with transaction.atomic():
        locked = lock_dossier(dossier)
        if not can_act(actor, FACILITY, locked):
            raise NotAllowed(_("Bạn không quản lý cơ sở này."))
        account = _issued_account(locked)
        if not account.password_ciphertext:
            raise WorkflowError(
                _("Cổng không còn giữ mật khẩu ban đầu nên không thể kiểm tra được nữa.")
            )
        if account.change_check in CHECK_WAITING:
            return account, False
        change_check_move(account, locked, CHANGE_CHECK_STEPS["request"], actor=actor, ip=ip)
        transaction.on_commit(lambda: _queue_change_check(account.pk))
    return account, True


def _queue_change_check(account_id):
    from ..tasks import check_initial_password

    check_initial_password.delay(account_id)


@retry_on_deadlock
def account_override_change_check(*, dossier, actor, reason, ip=None):
    """Sở Y tế staff let the facility complete although the portal's last login with the
    initial password worked (e.g. the national system answered for a stale session). The
    reason is audited and printed in the dossier's archive."""
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Hãy ghi lý do cho phép hoàn thành."))
    step = CHANGE_CHECK_STEPS["override"]
    with transaction.atomic():
        locked = lock_dossier(dossier)
        if not any(can_act(actor, role, locked) for role in SO_Y_TE):
            raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
        account = _issued_account(locked)
        if account.change_check not in step.sources:
            raise WorkflowError(
                _("Chỉ cho phép khi Cổng vừa thấy mật khẩu ban đầu vẫn đăng nhập được.")
            )
        change_check_move(account, locked, step, actor=actor, note=reason, ip=ip)
    return account


@retry_on_deadlock
def account_set_change_check(*, account_id, outcome, message=""):
    """Store what a login with the initial password gave (`outcome`, as for verification).

    wrong_credentials: the password was changed, so the dossier completes exactly as when the
    facility confirms (the copy erased). verified: it still logs in; the dossier stays issued
    and the facility is told. locked or unreachable: nothing is known yet; the sweep tries
    again. Idempotent: only a check still waiting takes a result, so a duplicated or late
    task changes nothing and writes no second audit event. `message` (the national system's
    words) goes to the logs and the admin only.
    """
    dossier_id = (
        NationalAccount.objects.filter(pk=account_id).values_list("dossier_id", flat=True).first()
    )
    if dossier_id is None:
        return None, False
    with transaction.atomic():
        locked = lock_dossier(dossier_id)
        account = lock_account(pk=account_id)
        if (
            account.change_check not in CHECK_WAITING
            or locked.status not in MOVES["confirm_password_change"].sources
            or not account.password_ciphertext
        ):
            return account, False
        state = {
            LoginOutcome.WRONG_CREDENTIALS: ChangeCheck.PASSED,
            LoginOutcome.VERIFIED: ChangeCheck.STILL_WORKS,
        }.get(outcome, ChangeCheck.UNREACHABLE)
        if state == account.change_check:
            return account, False
        change_check_move(account, locked, CHANGE_CHECK_STEPS[state], detail=message)
        if state == ChangeCheck.PASSED:
            # Whether the initial password was ever seen to work: if it never did, its
            # failing now proves less, and the record says so.
            initially = account.verification == Verification.VERIFIED
            dossier_confirm_password_change(
                dossier=locked,
                actor=locked.facility.owner,
                note=_("Cổng đã thử đăng nhập bằng mật khẩu ban đầu: không còn đăng nhập được."),
                data={"change_check": state, "initial_login_verified": initially},
            )
            account.refresh_from_db()
    return account, True


@retry_on_deadlock
def account_set_verification(*, account_id, outcome, message=""):
    """Store the result of a login check. Idempotent: the same result twice writes one
    audit event; a result never downgrades an account already verified. `message` (the
    national system's words) goes to the logs and the admin only."""
    dossier_id = (
        NationalAccount.objects.filter(pk=account_id).values_list("dossier_id", flat=True).first()
    )
    with transaction.atomic():
        locked = lock_dossier(dossier_id) if dossier_id else None
        account = lock_account(pk=account_id)
        step = VERIFICATION_STEPS[Verification(outcome)]
        if account.verification not in step.sources or (
            account.verification == outcome and account.verification_message == message[:255]
        ):
            return account, False
        verification_move(account, locked, step, detail=message)
    return account, True
