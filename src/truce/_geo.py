"""The ground of a zone: a lon/lat polygon, a band measured in kilometres from a line, or a union.

Bands are built in a local azimuthal equidistant projection centred on their
line (WGS 84 ellipsoid), where distances within a few hundred kilometres of
the centre are true to well under 0.1%; points are projected there to test.
"""

from __future__ import annotations

import json
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ._errors import Problem
from ._source import Document, read_bytes

if TYPE_CHECKING:
    from ._rulebook import Rulebook

__all__ = ["Area", "Projection", "band_area", "inside", "polygon_area", "union_area", "zone_areas"]

Side = Literal["left", "right", "both"]
Floats = npt.NDArray[np.float64]
_DENSIFY_M = 500.0


class Projection:
    """A local azimuthal equidistant projection, in metres, centred on a point."""

    def __init__(self, lon: float, lat: float) -> None:
        crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs")
        self._forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def forward(self, lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
        """Metres east and north of the centre for lon/lat degrees."""
        x, y = self._forward.transform(lon, lat)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def to_metric(self, geom: BaseGeometry) -> BaseGeometry:
        """A lon/lat geometry in this projection's metres."""
        return shapely.transform(geom, lambda c: np.column_stack(self.forward(c[:, 0], c[:, 1])))

    def to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        """A metric geometry back in lon/lat degrees, densified so its edges stay true."""
        dense = shapely.segmentize(geom, _DENSIFY_M)
        return shapely.transform(dense, lambda c: np.column_stack(self._inverse.transform(c[:, 0], c[:, 1])))


class Area:
    """Which points lie in a zone, and the zone's outline in lon/lat degrees."""

    def __init__(
        self,
        lonlat: BaseGeometry,
        metric: BaseGeometry | None = None,
        projection: Projection | None = None,
        parts: tuple[Area, ...] = (),
    ) -> None:
        self.lonlat = lonlat
        self._metric = metric
        self._projection = projection
        self._parts = parts

    def covers_xy(self, lon: Floats, lat: Floats) -> npt.NDArray[np.bool_]:
        """True for each point in the zone; its boundary counts as inside."""
        if self._parts:
            return np.asarray(np.stack([part.covers_xy(lon, lat) for part in self._parts]).any(axis=0), dtype=np.bool_)
        if self._projection is None or self._metric is None:
            return np.asarray(shapely.intersects_xy(self.lonlat, lon, lat), dtype=bool)
        x, y = self._projection.forward(lon, lat)
        return np.asarray(shapely.intersects_xy(self._metric, x, y), dtype=bool)


def polygon_area(geom: BaseGeometry) -> Area:
    """A zone drawn as a lon/lat polygon."""
    shapely.prepare(geom)
    return Area(geom)


def band_area(line: BaseGeometry, side: Side, from_km: float, to_km: float) -> Area:
    """The ground between ``from_km`` and ``to_km`` of a lon/lat line, on ``side`` of it.

    Sides are as seen walking the line in drawing order; the band ends square
    with the line's ends, so it covers no ground beyond them.
    """
    centre = line.centroid
    projection = Projection(centre.x, centre.y)
    metric_line = projection.to_metric(line)
    band = _strip(metric_line, side, to_km * 1000)
    if from_km > 0:
        band = shapely.difference(band, _strip(metric_line, side, from_km * 1000))
    outline = projection.to_lonlat(band)
    minx, _, maxx, _ = outline.bounds
    poles = shapely.points(np.column_stack(projection.forward(np.zeros(2), np.array([90.0, -90.0]))))
    if maxx - minx > 180 or shapely.intersects(band, poles).any():
        raise ValueError("the band reaches a pole or crosses the 180th meridian, where it cannot be drawn in lon/lat")
    shapely.prepare(band)
    return Area(outline, band, projection)


def _strip(line: BaseGeometry, side: Side, metres: float) -> BaseGeometry:
    if side == "both":
        return shapely.buffer(line, metres, cap_style="flat", quad_segs=32)
    signed = metres if side == "left" else -metres
    return shapely.buffer(line, signed, single_sided=True, cap_style="flat", quad_segs=32)


def union_area(parts: tuple[Area, ...]) -> Area:
    """A zone made of several others: a point is in it if it is in any of them."""
    return Area(shapely.union_all([p.lonlat for p in parts]), parts=parts)


def zone_areas(book: Rulebook, doc: Document, folder: Path, problems: list[Problem]) -> dict[str, Area]:
    """The ground of every zone; unions are built last, from zones that are not unions.

    Zone and line files are read only from inside ``folder`` (the rulebook's), see ``inside``.
    """
    areas: dict[str, Area] = {}
    lines: dict[str, BaseGeometry] = {}
    for zone_id, zone in book.zones.items():
        field = ("geojson",) if zone.geojson is not None else ("band", "line")
        try:
            if zone.geojson is not None:
                areas[zone_id] = polygon_area(_read_zone(inside(folder, zone.geojson)))
            elif zone.band is not None:
                band = zone.band
                if band.line not in lines:
                    lines[band.line] = _read_line(inside(folder, band.line))
                areas[zone_id] = band_area(lines[band.line], band.side, band.from_km, band.to_km)
        except _OutsideError as exc:
            problems.append(doc.problem(("zones", zone_id, *field), str(exc), value=exc.given, suggestion=exc.suggestion))
        except (ValueError, GEOSException) as exc:
            problems.append(doc.problem(("zones", zone_id, *field), str(exc), value=zone.geojson or (zone.band and zone.band.line)))
    for zone_id, zone in book.zones.items():
        if zone.union is None:
            continue
        for i, part in enumerate(zone.union):
            if part in book.zones and book.zones[part].union is not None:
                problems.append(doc.problem(("zones", zone_id, "union", i), "a union is made of zones that are not unions", value=part))
        if all(part in areas for part in zone.union):
            try:
                areas[zone_id] = union_area(tuple(areas[part] for part in zone.union))
            except GEOSException as exc:
                problems.append(doc.problem(("zones", zone_id, "union"), f"the zones cannot be joined: {exc}"))
    return areas


class _OutsideError(ValueError):
    """A zone file path that points outside the rulebook's folder."""

    def __init__(self, given: str, reason: str) -> None:
        super().__init__(f"zone files must lie inside the rulebook's folder: {reason}")
        self.given = given
        self.suggestion = "give a path relative to the rulebook's folder without '..', e.g. zones/buffer.geojson"


def inside(folder: Path, given: str) -> Path:
    """``given`` resolved (symlinks too) inside ``folder``, or an error if it is absolute or leaves it.

    A rulebook may be shared and run by others, so its zone files must not reach other files on
    their machine; nothing read from outside the folder is ever opened or quoted.
    """
    if "\0" in given:
        raise _OutsideError(given, "the path contains a NUL byte")
    relative = Path(given)
    if relative.is_absolute() or relative.anchor or PureWindowsPath(given).anchor:
        raise _OutsideError(given, "an absolute path is not allowed")
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise _OutsideError(given, "the path leads out of the folder (through '..' or a symbolic link)")
    return target


def _read_geojson(path: Path) -> BaseGeometry:
    """The union of every geometry in a GeoJSON file, checked to be lon/lat."""
    try:
        raw = read_bytes(path)
    except ValueError as exc:
        raise ValueError(f"zone file {path}: {exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"zone file {path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise ValueError(f"zone file {path} is nested too deeply") from None
    geoms = []
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else [data]
    for feature in features or []:
        if not isinstance(feature, dict):
            raise ValueError(f"zone file {path}: each feature must be a JSON object")
        geometry = feature.get("geometry") if feature.get("type") == "Feature" else feature
        try:
            geoms.append(shape(geometry))
        except Exception as exc:  # shapely raises several types for bad GeoJSON
            raise ValueError(f"zone file {path}: not a GeoJSON geometry ({exc})") from None
    if not geoms:
        raise ValueError(f"zone file {path} holds no geometry")
    geom = shapely.union_all(geoms)
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError(f"zone file {path}: coordinates must be lon/lat degrees (GeoJSON order: lon, lat)")
    return geom


def _read_line(path: Path) -> BaseGeometry:
    """A single non-empty LineString in lon/lat from a GeoJSON file (a band's reference line)."""
    geom = _read_geojson(path)
    if geom.geom_type != "LineString" or geom.is_empty or geom.length == 0:
        raise ValueError(f"line file {path}: expected one LineString, found {geom.geom_type}")
    return geom


def _read_zone(path: Path) -> BaseGeometry:
    """A valid, non-empty (multi)polygon in lon/lat from a GeoJSON file."""
    geom = _read_geojson(path)
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise ValueError(f"zone file {path}: expected a non-empty Polygon or MultiPolygon, found {geom.geom_type}")
    if not geom.is_valid:
        raise ValueError(f"zone file {path}: invalid polygon ({shapely.is_valid_reason(geom)})")
    return geom
