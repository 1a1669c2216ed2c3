"""Import and export through django-import-export (admin)."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from .models import Commune, Facility, Vendor


class VendorResource(resources.ModelResource):
    class Meta:
        model = Vendor
        import_id_fields = ["name"]
        fields = [
            "name",
            "short_name",
            "tax_code",
            "contact_email",
            "contact_phone",
            "security_contract_signed",
            "interconnection_confirmed",
        ]


class FacilityResource(resources.ModelResource):
    """Export of facilities; the licensing-register import is a later, service-based step."""

    commune = fields.Field(
        attribute="commune", column_name="commune", widget=ForeignKeyWidget(Commune, "name")
    )
    vendor = fields.Field(
        attribute="vendor", column_name="vendor", widget=ForeignKeyWidget(Vendor, "short_name")
    )

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
            "vendor",
            "software_product",
            "connection_model",
        ]
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        # The commune's and vendor's names in the same query, not two more per facility.
        return queryset.select_related("commune", "vendor")
