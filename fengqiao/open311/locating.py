"""Which unit a request belongs to: by its coordinates, by the names in its address, or the
jurisdiction's own unit when neither says.

Coordinates pick the nearest unit that has a centre, trying the deepest levels first within a
distance that suits them (an estate within 1 km, a community within 3 km, …). An address picks
the deepest unit whose name it contains; ties go to the unit with more of its ancestors named
too, then to the longer name. Both together: the coordinates find the place, and the address
may narrow it down inside it (the building of an estate).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django.db.models import CharField, F, Value

from fengqiao.org.models import Unit, UnitLevel, path_codes

EARTH_RADIUS_KM = 6371.0
# (levels, how far from its centre a point may lie and still be taken as in the unit)
COORDINATE_TIERS: list[tuple[tuple[str, ...], float]] = [
    ((UnitLevel.BUILDING, UnitLevel.ESTATE), 1.0),
    ((UnitLevel.GRID, UnitLevel.COMMUNITY), 3.0),
    ((UnitLevel.STREET,), 10.0),
    ((UnitLevel.DISTRICT, UnitLevel.CITY), 50.0),
]
# The widest tier as a box in degrees, to let the database do the coarse cut.
_BOX_LAT = 50.0 / 111.0


class Located:
    COORDINATES = "coordinates"
    ADDRESS = "address"
    DEFAULT = "default"


def distance_km(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(long2 - long1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _scope(queryset, within: Unit | None):
    return queryset.filter(path__startswith=within.path) if within else queryset


def unit_by_coordinates(lat: Decimal, long: Decimal, *, within: Unit | None) -> Unit | None:
    lat_f, long_f = float(lat), float(long)
    box_long = _BOX_LAT / max(math.cos(math.radians(lat_f)), 0.01)
    candidates = list(
        _scope(Unit.objects.all(), within).filter(
            latitude__isnull=False,
            longitude__isnull=False,
            latitude__range=(lat_f - _BOX_LAT, lat_f + _BOX_LAT),
            longitude__range=(long_f - box_long, long_f + box_long),
        )
    )
    for levels, radius in COORDINATE_TIERS:
        ranked = sorted(
            (distance_km(lat_f, long_f, float(unit.latitude), float(unit.longitude)), unit.path, unit)
            for unit in candidates
            if unit.level in levels
        )
        if ranked and ranked[0][0] <= radius:
            return ranked[0][2]
    return None


def _named_in(address: str, name: str) -> bool:
    """A building's name ("3栋") must not match inside another number ("13栋")."""
    if name[:1].isdigit():
        return re.search(rf"(?<!\d){re.escape(name)}", address) is not None
    return name in address


def unit_by_address(address: str, *, within: Unit | None) -> Unit | None:
    address = address.strip()
    if not address:
        return None
    matches = [
        unit
        for unit in _scope(Unit.objects.all(), within)
        .alias(haystack=Value(address, output_field=CharField()))
        .filter(haystack__contains=F("name"))
        if len(unit.name) >= 2 and _named_in(address, unit.name) and (within is None or unit.pk != within.pk)
    ]
    # "3栋" alone names a building in every estate: trust it only under an estate that is named
    # too, or under the unit the coordinates found.
    named = {unit.pk for unit in matches} | ({within.pk} if within else set())
    matches = [unit for unit in matches if unit.level != UnitLevel.BUILDING or unit.parent_id in named]
    if not matches:
        return None
    matched_codes = {unit.code for unit in matches}

    def score(unit: Unit) -> tuple[int, int, int, str]:
        ancestors = [code for code in path_codes(unit.path)[:-1] if code in matched_codes]
        return (unit.depth, len(ancestors), len(unit.name), unit.path)

    return max(matches, key=score)


def default_unit(*, within: Unit | None) -> Unit | None:
    if within is not None:
        return within
    return (
        Unit.objects.filter(level=UnitLevel.CITY).order_by("path").first()
        or Unit.objects.filter(parent__isnull=True).order_by("path").first()
    )


def locate(*, lat: Decimal | None, long: Decimal | None, address: str, within: Unit | None) -> tuple[Unit | None, str]:
    """(unit, how it was found)."""
    if lat is not None and long is not None:
        unit = unit_by_coordinates(lat, long, within=within)
        if unit is not None:
            return unit_by_address(address, within=unit) or unit, Located.COORDINATES
    unit = unit_by_address(address, within=within)
    if unit is not None:
        return unit, Located.ADDRESS
    return default_unit(within=within), Located.DEFAULT
