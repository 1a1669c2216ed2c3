"""A small drug catalogue in the shape of the v2 ``/master/drugs`` list.

Names are common Vietnamese retail products; registration numbers follow the real formats
(VD- domestic, VN- imported, with the year suffix) but are illustrative, not looked up.
"""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Unit:
    id: int
    name: str


UNITS = (
    Unit(1, "Viên"),
    Unit(2, "Gói"),
    Unit(3, "Chai"),
    Unit(4, "Ống"),
    Unit(5, "Tuýp"),
    Unit(6, "Hộp"),
)
UNIT_NAMES = {unit.id: unit.name for unit in UNITS}


@dataclass(frozen=True)
class Drug:
    id: int
    code: str
    name: str
    active_ingredient: str
    strength: str
    dosage_form: str
    unit_id: int
    route: str
    registration_number: str
    manufacturer: str
    country: str
    price: int  # a typical retail price per unit, in đồng

    @property
    def unit(self):
        return UNIT_NAMES[self.unit_id]

    def as_json(self):
        return {**asdict(self), "unit": self.unit}


_VN = "Việt Nam"
DRUGS = (
    Drug(1, "TH000101", "Hapacol 500", "Paracetamol", "500mg", "Viên nén", 1, "Uống",
         "VD-21154-14", "Công ty CP Dược Hậu Giang", _VN, 1000),
    Drug(2, "TH000102", "Panadol Extra", "Paracetamol; Cafein", "500mg; 65mg", "Viên nén", 1,
         "Uống", "VN-19215-15", "GlaxoSmithKline", "Ireland", 1800),
    Drug(3, "TH000103", "Efferalgan 500", "Paracetamol", "500mg", "Viên sủi", 1, "Uống",
         "VN-20436-17", "UPSA SAS", "Pháp", 3200),
    Drug(4, "TH000104", "Amoxicillin 500mg", "Amoxicillin", "500mg", "Viên nang", 1, "Uống",
         "VD-25831-16", "Công ty CP Dược phẩm Imexpharm", _VN, 900),
    Drug(5, "TH000105", "Augmentin 625mg", "Amoxicillin; Acid clavulanic", "500mg; 125mg",
         "Viên nén bao phim", 1, "Uống", "VN-16487-13", "SmithKline Beecham", "Anh", 14500),
    Drug(6, "TH000106", "Berberin 100mg", "Berberin clorid", "100mg", "Viên nén", 1, "Uống",
         "VD-24101-16", "Công ty CP Dược phẩm Mekophar", _VN, 150),
    Drug(7, "TH000107", "Oresol 245", "Natri clorid; Kali clorid; Glucose; Natri citrat",
         "4,1g", "Thuốc bột", 2, "Uống", "VD-27612-17", "Công ty CP Dược phẩm OPV", _VN, 2500),
    Drug(8, "TH000108", "Vitamin C 500mg", "Acid ascorbic", "500mg", "Viên nén", 1, "Uống",
         "VD-23307-15", "Công ty CP Dược phẩm TV.Pharm", _VN, 300),
    Drug(9, "TH000109", "Omeprazol 20mg", "Omeprazol", "20mg", "Viên nang", 1, "Uống",
         "VD-26544-17", "Công ty CP Dược phẩm Domesco", _VN, 700),
    Drug(10, "TH000110", "Zinnat 500mg", "Cefuroxim", "500mg", "Viên nén bao phim", 1, "Uống",
         "VN-20567-17", "Glaxo Operations UK", "Anh", 22000),
    Drug(11, "TH000111", "Loratadin 10mg", "Loratadin", "10mg", "Viên nén", 1, "Uống",
         "VD-22890-15", "Công ty CP Dược phẩm Khánh Hòa", _VN, 500),
    Drug(12, "TH000112", "Glucophage 850mg", "Metformin hydroclorid", "850mg",
         "Viên nén bao phim", 1, "Uống", "VN-21019-18", "Merck Santé", "Pháp", 3100),
    Drug(13, "TH000113", "Amlodipin 5mg", "Amlodipin", "5mg", "Viên nén", 1, "Uống",
         "VD-28803-18", "Công ty CP Dược phẩm Stada Việt Nam", _VN, 600),
    Drug(14, "TH000114", "Decolgen Forte", "Paracetamol; Phenylephrin; Clorpheniramin",
         "500mg; 10mg; 2mg", "Viên nén", 1, "Uống", "VD-20873-14",
         "Công ty TNHH United International Pharma", _VN, 1200),
    Drug(15, "TH000115", "Ventolin Inhaler", "Salbutamol", "100mcg/liều", "Thuốc xịt", 3,
         "Hít", "VN-18762-15", "Glaxo Wellcome", "Tây Ban Nha", 85000),
    Drug(16, "TH000116", "Ibuprofen 400mg", "Ibuprofen", "400mg", "Viên nén bao phim", 1,
         "Uống", "VD-25117-16", "Công ty CP Dược phẩm Trung ương 1 - Pharbaco", _VN, 800),
    Drug(17, "TH000117", "Smecta", "Diosmectit", "3g", "Thuốc bột", 2, "Uống", "VN-19838-16",
         "Ipsen Industrie", "Pháp", 4000),
    Drug(18, "TH000118", "Ciprofloxacin 500mg", "Ciprofloxacin", "500mg", "Viên nén bao phim",
         1, "Uống", "VD-24765-16", "Công ty CP Dược phẩm Cửu Long", _VN, 1100),
    Drug(19, "TH000119", "Gaviscon", "Natri alginat; Natri bicarbonat; Calci carbonat",
         "500mg; 267mg; 160mg/10ml", "Hỗn dịch uống", 2, "Uống", "VN-20982-18",
         "Reckitt Benckiser Healthcare", "Anh", 6500),
    Drug(20, "TH000120", "Natri clorid 0,9%", "Natri clorid", "0,9% - 10ml", "Dung dịch nhỏ mắt",
         3, "Nhỏ mắt", "VD-26010-16", "Công ty CP Dược phẩm 3/2 - F.T.Pharma", _VN, 3500),
    Drug(21, "TH000121", "Fucidin cream", "Acid fusidic", "2% - 15g", "Kem bôi da", 5,
         "Dùng ngoài", "VN-17734-14", "LEO Laboratories", "Ireland", 95000),
    Drug(22, "TH000122", "Vitamin B1 250mg", "Thiamin nitrat", "250mg", "Viên nén", 1, "Uống",
         "VD-21876-14", "Công ty CP Hóa - Dược phẩm Mekophar", _VN, 200),
)  # fmt: skip
DRUGS_BY_ID = {drug.id: drug for drug in DRUGS}


def search(text):
    text = (text or "").strip().lower()
    if not text:
        return list(DRUGS)
    return [
        drug
        for drug in DRUGS
        if text in drug.name.lower()
        or text in drug.active_ingredient.lower()
        or text in drug.code.lower()
        or text in drug.registration_number.lower()
    ]
