"""Placing a register's address in a post-2025 commune.

Registers give the commune, district and sometimes province as the licence was written, most
often in the pre-2025 units, in any case, with or without diacritics, abbreviated ("P.", "TT.",
"H."). The map from the old communes to the new ones is vietnam-provinces' conversion table.
Never a guess: a commune split between several new ones, a name found in several districts, or
no match at all leaves the entry for a person, with the candidates found.
"""

import re
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext_lazy as _lazy
from vietnam_provinces import Ward as NewWard
from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as OLD_PROVINCE_TO_NEW
from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as OLD_WARD_TO_NEW
from vietnam_provinces.legacy import District as OldDistrict
from vietnam_provinces.legacy import Province as OldProvince
from vietnam_provinces.legacy import Ward as OldWard

from ..search import fold

# Unit words and their abbreviations, longest first so that "thi tran" wins over "tran".
UNIT_WORDS = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "phuong",
    "quan",
    "huyen",
    "tinh",
    "xa",
    "tp",
    "tt",
    "tx",
    "p",
    "q",
    "h",
    "x",
)
UNIT_ALTERNATIVES = "|".join(word.replace(" ", r"\s+") for word in UNIT_WORDS)
UNIT_PREFIX = re.compile(rf"^(?:(?:{UNIT_ALTERNATIVES})\b[\s.]*)+")


def unit_key(text):
    """'TT. Chờ' -> 'cho'; 'Phường 05' -> '5'; 'P.Đáp-Cầu' -> 'dap cau'."""
    text = fold(str(text or "")).strip()
    text = re.sub(r"[.,;:]", ". ", text)
    text = UNIT_PREFIX.sub("", re.sub(r"\s+", " ", text).strip())
    text = re.sub(r"[^0-9a-z ]+", " ", text)
    text = re.sub(r"\b0+(\d)", r"\1", text)  # "Phường 05" is "Phường 5"
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Placement:
    """The commune found (code) or the candidates a person chooses from, and why."""

    code: int | None
    candidates: tuple[int, ...] = field(default=())
    message: str = ""


@cache
def _old_units():
    """Every pre-2025 unit by key: provinces, districts by province, wards by district."""
    districts = {}
    for district in OldDistrict.iter_all():
        districts.setdefault(int(district.province_code), []).append(district)
    wards = {}
    for ward in OldWard.iter_all():
        wards.setdefault(int(ward.district_code), []).append(ward)
    return list(OldProvince.iter_all()), districts, wards


class CommuneMatcher:
    """Matches addresses within one post-2025 province; build once per import."""

    def __init__(self, province_code):
        self.province_code = int(province_code)
        old_provinces, districts, wards = _old_units()
        self.old_province_codes = {
            old
            for old, entry in OLD_PROVINCE_TO_NEW.items()
            if any(new.code == self.province_code for new in entry.new_provinces)
        }
        self.old_provinces_by_key = {}
        for province in old_provinces:
            if int(province.code) in self.old_province_codes:
                self.old_provinces_by_key.setdefault(unit_key(province.name), set()).add(
                    int(province.code)
                )
        # key -> {(old province, district code)}; key -> [(old province, district, ward code)]
        self.districts_by_key = {}
        self.wards_by_key = {}
        for old_province in self.old_province_codes:
            for district in districts.get(old_province, ()):
                district_code = int(district.code)
                self.districts_by_key.setdefault(unit_key(district.name), set()).add(district_code)
                for ward in wards.get(district_code, ()):
                    self.wards_by_key.setdefault(unit_key(ward.name), []).append(
                        (old_province, district_code, int(ward.code))
                    )
        self.new_province_key = unit_key(_this_province(self.province_code)[0].name)
        self.new_by_key = {}
        for ward in NewWard.iter_by_province(self.province_code):
            self.new_by_key.setdefault(unit_key(ward.name), set()).add(int(ward.code))
        self.new_codes = {code for codes in self.new_by_key.values() for code in codes}
        self._cache = {}

    def _new_wards_of(self, old_ward_code):
        entry = OLD_WARD_TO_NEW.get(old_ward_code)
        if entry is None:
            return set()
        return {int(new.code) for new in entry.new_wards if new.province_code == self.province_code}

    def place(self, commune, district="", province=""):
        key = (unit_key(commune), unit_key(district), unit_key(province))
        if key not in self._cache:
            self._cache[key] = self._place(*key)
        code, candidates, reason = self._cache[key]
        names = {"name": commune, "province": province}
        return Placement(code, candidates, REASONS[reason] % names if reason else "")

    def _place(self, commune, district, province):
        """(code, candidates, reason) for the keys of the address parts."""
        if not commune:
            return None, (), "missing"
        old_provinces = self.old_province_codes
        if province and province != self.new_province_key:
            if province not in self.old_provinces_by_key:
                return None, (), "other_province"
            # An old province merged into this one: "Bắc Giang" for today's Bắc Ninh.
            old_provinces = self.old_provinces_by_key[province]
        old = [w for w in self.wards_by_key.get(commune, ()) if w[0] in old_provinces]
        if district:
            districts = self.districts_by_key.get(district, set())
            old = [w for w in old if w[1] in districts]
        candidates = set()
        for _province, _district, ward in old:
            candidates |= self._new_wards_of(ward)
        if not district:
            # A register written after July 2025 names the new commune itself.
            candidates |= self.new_by_key.get(commune, set())
        if len(candidates) == 1:
            return next(iter(candidates)), (), ""
        if candidates:
            return None, tuple(sorted(candidates)), "several"
        return None, (), "unknown"


REASONS = {
    "missing": _lazy("Thiếu xã, phường: cần chọn xã, phường."),
    "other_province": _lazy("Tỉnh “%(province)s” không thuộc địa bàn: cần chọn xã, phường."),
    "several": _lazy("Xã, phường “%(name)s” ứng với nhiều xã, phường mới: cần chọn một."),
    "unknown": _lazy("Không tìm thấy xã, phường “%(name)s”: cần chọn xã, phường."),
}


@cache
def _this_province(province_code):
    from vietnam_provinces import Province as NewProvince

    return (NewProvince.from_code(province_code),)
