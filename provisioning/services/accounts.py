"""Interconnection accounts: recorded by Viettel, handed over, seen once, then erased."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..crypto import decrypt, encrypt, generate_password, password_is_strong
from ..errors import NotAllowed, WorkflowError
from ..models import DossierStatus, NationalAccount, Role
from ..permissions import can_act
from .audit import record_event
from .dossiers import _locked, dossier_move


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


def dossier_confirm_password_change(*, dossier, actor, ip=None):
    """The facility says it changed the initial password: the stored copy is erased."""

    def prepare(locked):
        account = NationalAccount.objects.select_for_update().get(dossier=locked)
        account.password_ciphertext = ""
        account.password_changed_at = timezone.now()
        account.save(update_fields=["password_ciphertext", "password_changed_at"])
        locked.closed_at = account.password_changed_at
        return ["closed_at"]

    return dossier_move(
        dossier=dossier, move="confirm_password_change", actor=actor, ip=ip, prepare=prepare
    )


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
