"""Exports through django-import-export (admin). There is no import: every row that holds
state changes through a service, and no resource calls one yet.

Each resource names the columns it exports; secrets (password hashes, initial passwords,
lookup secrets, TOTP keys) are never among them.
"""

from import_export import fields, resources

from .models import AuditEvent, Dossier, Facility, NationalAccount, User, Vendor


def related(attribute, column_name=None):
    """A read-only column from a related row, e.g. related("facility__name")."""
    return fields.Field(attribute=attribute, column_name=column_name or attribute, readonly=True)


class UserResource(resources.ModelResource):
    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "phone",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
            "last_login",
        ]
        export_order = fields


class VendorResource(resources.ModelResource):
    class Meta:
        model = Vendor
        fields = [
            "name",
            "short_name",
            "tax_code",
            "contact_email",
            "contact_phone",
            "security_contract_signed",
            "interconnection_confirmed",
        ]
        export_order = fields


class FacilityResource(resources.ModelResource):
    """The licensing-register import is a later, service-based step."""

    commune = related("commune__name", "commune")
    vendor = related("vendor__short_name", "vendor")
    owner = related("owner__email", "owner")

    class Meta:
        model = Facility
        fields = [
            "id",
            "name",
            "kind",
            "certificate_number",
            "certificate_date",
            "tax_code",
            "pharmacist_name",
            "practising_certificate",
            "address",
            "commune",
            "phone",
            "email",
            "owner",
            "vendor",
            "software_product",
            "connection_model",
        ]
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        # The commune, vendor and owner in the same query, not three more per facility.
        return queryset.select_related("commune", "vendor", "owner")


class DossierResource(resources.ModelResource):
    facility = related("facility__name", "facility")
    province = related("province__name", "province")

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "facility",
            "province",
            "purpose",
            "status",
            "submitted_at",
            "due_date",
            "interconnection",
            "decided_at",
            "closed_at",
            "created_at",
        ]
        export_order = fields


class NationalAccountResource(resources.ModelResource):
    facility = related("facility__name", "facility")
    dossier = related("dossier__code", "dossier")

    class Meta:
        model = NationalAccount
        fields = [
            "id",
            "system",
            "username",
            "facility_code",
            "facility",
            "dossier",
            "verification",
            "verified_at",
            "change_check",
            "handed_over_at",
            "password_shown_at",
            "password_changed_at",
            "created_at",
        ]
        export_order = fields


class AuditEventResource(resources.ModelResource):
    actor = related("actor__email", "actor")
    dossier = related("dossier__code", "dossier")
    facility = related("facility__name", "facility")

    class Meta:
        model = AuditEvent
        # `data` is left out: it is masked when written, but its keys are not a closed list.
        fields = [
            "id",
            "created_at",
            "action",
            "actor",
            "dossier",
            "facility",
            "from_status",
            "to_status",
            "note",
            "ip",
        ]
        export_order = fields
