from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.forms import SelectableFieldsExportForm

from .forms import InviteStaffForm
from .models import (
    Apology,
    AuditEvent,
    Commune,
    Document,
    Dossier,
    Facility,
    GuidanceDocument,
    Letter,
    Membership,
    NationalAccount,
    Province,
    SupportContact,
    User,
    Vendor,
)
from .ratelimit import client_ip
from .resources import (
    AuditEventResource,
    DossierResource,
    FacilityResource,
    NationalAccountResource,
    UserResource,
    VendorResource,
)
from .services.staff import (
    USER_ADMIN_FIELDS,
    authenticator_delete,
    membership_change,
    membership_create,
    membership_delete,
    staff_invite,
    user_update,
)
from .validators import clean_text_field


class PortalAdmin(admin.ModelAdmin):
    """Text typed in the admin obeys the same rules as the portal's forms: a length limit
    and no control or bidi characters (`validators.clean_text_field`)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.CharField):
            clean_text_field(field)
        return field


class ExportForm(SelectableFieldsExportForm):
    """import-export's form, with its "select all" box wired from a static file: the inline
    handler its template carries is refused by the Content-Security-Policy."""

    @property
    def media(self):
        return super().media + forms.Media(js=["js/admin_export.js"])


class ExportOnly(ExportMixin):
    """django-import-export for export only: an import would write rows without the services,
    their checks and their audit. Each admin names its resource, that is its columns."""

    export_form_class = ExportForm


@admin.register(User)
class UserAdmin(ExportOnly, PortalAdmin):
    resource_classes = [UserResource]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff"]
    fields = ["email", *USER_ADMIN_FIELDS, "last_login", "date_joined"]
    readonly_fields = ["email", "last_login", "date_joined"]

    # Users come from the sign-up or an invitation, and are deactivated, never deleted here;
    # an edit goes through the audited service.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {field: form.cleaned_data[field] for field in USER_ADMIN_FIELDS}
        user_update(user=obj, actor=request.user, ip=client_ip(request), **changes)

    def get_urls(self):
        return [
            path("moi-can-bo/", self.admin_site.admin_view(self.invite), name="invite_staff"),
            *super().get_urls(),
        ]

    def invite(self, request):
        """Invite a staff member: the e-mail carries a link to set their own password."""
        form = InviteStaffForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            staff_invite(actor=request.user, ip=client_ip(request), **form.cleaned_data)
            messages.success(
                request, _("Đã gửi thư mời tới %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("admin:provisioning_membership_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Mời cán bộ")}
        return render(request, "admin/invite_staff.html", context)


@admin.register(Membership)
class MembershipAdmin(PortalAdmin):
    list_display = ["user", "role", "province", "created_at"]
    list_filter = ["role", "province"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]

    # Roles change only through the audited services, like every other state.
    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    def save_model(self, request, obj, form, change):
        common = {"role": obj.role, "province": obj.province, "actor": request.user}
        if change:
            saved = membership_change(membership=obj, ip=client_ip(request), **common)
        else:
            saved = membership_create(user=obj.user, ip=client_ip(request), **common)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        membership_delete(membership=obj, actor=request.user, ip=client_ip(request))

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_delete(membership=membership, actor=request.user, ip=client_ip(request))


@admin.register(Province)
class ProvinceAdmin(PortalAdmin):
    list_display = ["code", "name", "served", "office_name", "office_symbol"]
    list_filter = ["served"]
    search_fields = ["name"]
    readonly_fields = ["code", "name", "short_name"]


@admin.register(Commune)
class CommuneAdmin(PortalAdmin):
    list_display = ["code", "name", "division_type", "province"]
    list_filter = ["province"]
    search_fields = ["name"]
    list_select_related = ["province"]


@admin.register(SupportContact)
class SupportContactAdmin(PortalAdmin):
    list_display = ["name", "kind", "province", "phone", "email"]
    list_filter = ["kind", "province"]


@admin.register(Vendor)
class VendorAdmin(ExportOnly, PortalAdmin):
    resource_classes = [VendorResource]
    list_display = ["short_name", "name", "security_contract_signed", "interconnection_confirmed"]
    search_fields = ["name", "short_name", "tax_code"]


@admin.register(Facility)
class FacilityAdmin(ExportOnly, PortalAdmin):
    resource_classes = [FacilityResource]
    list_display = ["name", "kind", "certificate_number", "tax_code", "commune", "vendor"]
    list_filter = ["kind", "province", "vendor"]
    search_fields = ["name", "certificate_number", "tax_code"]
    list_select_related = ["commune", "vendor"]
    autocomplete_fields = ["owner", "commune"]
    show_full_result_count = False


class ReadOnlyAdmin(PortalAdmin):
    """State is changed only through the workflow's services, never by editing rows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ExportOnly, ReadOnlyAdmin):
    resource_classes = [DossierResource]
    list_display = ["__str__", "facility", "status", "submitted_at", "due_date", "interconnection"]
    list_filter = ["status", "province", "interconnection"]
    search_fields = ["code", "facility__name"]
    list_select_related = ["facility"]
    show_full_result_count = False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "kind", "dossier", "size", "uploaded_at"]
    list_select_related = ["dossier"]
    exclude = ["file"]


@admin.register(NationalAccount)
class NationalAccountAdmin(ExportOnly, ReadOnlyAdmin):
    resource_classes = [NationalAccountResource]
    list_display = [
        "username",
        "system",
        "facility_code",
        "facility",
        "verification",
        "handed_over_at",
        "password_changed_at",
    ]
    list_filter = ["system", "verification"]
    search_fields = ["username", "facility_code", "facility__name"]
    exclude = ["password_ciphertext"]
    list_select_related = ["facility"]


@admin.register(AuditEvent)
class AuditEventAdmin(ExportOnly, ReadOnlyAdmin):
    resource_classes = [AuditEventResource]
    list_display = ["created_at", "action", "actor", "dossier", "from_status", "to_status", "ip"]
    list_filter = ["action"]
    search_fields = ["dossier__code", "actor__email"]
    list_select_related = ["actor", "dossier"]
    show_full_result_count = False


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "dossier", "verification_code", "created_at"]
    list_filter = ["kind"]
    search_fields = ["dossier__code", "number", "verification_code"]
    list_select_related = ["dossier"]
    exclude = ["file"]
    show_full_result_count = False


@admin.register(Apology)
class ApologyAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "old_due_date", "new_due_date", "drafted_at", "sent_at", "sent_by"]
    list_filter = ["sent_at"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier", "sent_by"]


@admin.register(GuidanceDocument)
class GuidanceDocumentAdmin(PortalAdmin):
    list_display = ["title", "province", "active", "uploaded_at"]
    list_filter = ["active", "province"]


# allauth's own admin shows each authenticator's data: the TOTP key and the recovery-code
# seed. Here they are only listed, and a lost one removed through the audited service.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(PortalAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        authenticator_delete(authenticator=obj, actor=request.user, ip=client_ip(request))

    def delete_queryset(self, request, queryset):
        for authenticator in queryset:
            authenticator_delete(
                authenticator=authenticator, actor=request.user, ip=client_ip(request)
            )


admin.site.site_header = _("Quản trị Liên thông Dược")
admin.site.site_title = _("Liên thông Dược")
admin.site.index_title = _("Quản trị hệ thống")
