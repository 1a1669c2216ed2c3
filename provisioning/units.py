"""Administrative units from vietnam-provinces (the 34 provinces and 3,321 communes in force
since 1 July 2025): never typed by hand."""

from vietnam_provinces import Province as VNProvince
from vietnam_provinces import Ward as VNWard

PREFIXES = ("Thành phố ", "Tỉnh ")


def short_name(name):
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def office_name(name):
    return f"Sở Y tế {name[0].lower()}{name[1:]}"


def load_units(province_model, commune_model, served_codes):
    """Create or refresh every province and commune; mark the served provinces."""
    provinces = [
        province_model(
            code=int(p.code),
            name=p.name,
            short_name=short_name(p.name),
            served=int(p.code) in served_codes,
            office_name=office_name(p.name),
        )
        for p in VNProvince.iter_all()
    ]
    province_model.objects.bulk_create(
        provinces,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "short_name", "served"],
    )
    communes = [
        commune_model(
            code=int(w.code),
            province_id=int(w.province_code),
            name=w.name,
            division_type=str(w.division_type.value),
        )
        for w in VNWard.iter_all()
    ]
    commune_model.objects.bulk_create(
        communes,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "province", "division_type"],
        batch_size=500,
    )
    return len(provinces), len(communes)
