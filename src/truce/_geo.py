"""The ground of a zone: a lon/lat polygon, a band measured in kilometres from a line, the ground
beyond a line on one side of it within a region, or a union.

Bands and sides are built in a local azimuthal equidistant projection centred on
their line (WGS 84 ellipsoid), where distances within a few hundred kilometres of
the centre are true to well under 0.1%; points are projected there to test.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import split

from ._errors import Problem
from ._source import Document, read_bytes

if TYPE_CHECKING:
    from ._rulebook import Rulebook

__all__ = [
    "KM_PER_DEGREE", "Area", "Projection", "band_area", "beyond_area", "great_circle_km", "inside", "polygon_area", "union_area",
    "zone_areas",
]

Side = Literal["left", "right", "both"]
Loc = tuple[str | int, ...]
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
    """Which points lie in a zone, and the zone's outline in lon/lat degrees; ``lines``: the lon/lat lines it is
    measured from (a line of contact, a border), for maps."""

    def __init__(
        self,
        lonlat: BaseGeometry,
        metric: BaseGeometry | None = None,
        projection: Projection | None = None,
        parts: tuple[Area, ...] = (),
        lines: tuple[BaseGeometry, ...] = (),
    ) -> None:
        self.lonlat = lonlat
        self.lines = lines
        self._metric = metric
        self._projection = projection
        self._parts = parts
        self._edge: tuple[Projection, BaseGeometry, shapely.STRtree] | None = None
        self._bands: dict[int, BaseGeometry] = {}
        self.depths: dict[float, Area] = {}
        """The zone drawn at each other depth its text allows (a band's ``depths_km``)."""

    def covers_xy(self, lon: Floats, lat: Floats) -> npt.NDArray[np.bool_]:
        """True for each point in the zone; its boundary counts as inside."""
        if self._parts:
            return np.asarray(np.stack([part.covers_xy(lon, lat) for part in self._parts]).any(axis=0), dtype=np.bool_)
        inside = np.asarray(shapely.intersects_xy(self.lonlat, lon, lat), dtype=bool)
        if self._projection is None or self._metric is None:
            return inside
        # the lon/lat outline follows the metric one to within a centimetre: it decides but near the edge, where the
        # points are projected (the ellipsoidal projection costs about 1 us a point)
        near = np.flatnonzero(shapely.intersects_xy(self._band(_EXACT_KM), lon, lat))
        if len(near):
            inside[near] = shapely.intersects_xy(self._metric, *self._projection.forward(lon[near], lat[near]))
        return inside


    def edge_km(self, lon: Floats, lat: Floats, within_km: Floats | float = np.inf) -> Floats:
        """Each point's signed distance to the zone's edge, in km on the ground (negative inside, positive outside),
        where it is within ``within_km`` (its own, or one for all) of it; NaN for points farther. Of a union, the least
        over its parts: the deepest inside one, or the nearest outside all."""
        within = np.broadcast_to(np.asarray(within_km, dtype=float), np.shape(lon))
        if self._parts:
            own = [(part.edge_km(lon, lat, within), part.covers_xy(lon, lat)) for part in self._parts]
            deep = np.any([np.isnan(d) & inside for d, inside in own], axis=0)
            with np.errstate(all="ignore"):
                least = functools.reduce(np.fmin, [d for d, _ in own])
            return np.where(deep, np.nan, least)
        projection, _, edge = self._metric_edge()
        distance = np.full(len(lon), np.nan)
        candidate = ~np.isnan(lon)
        bounded = candidate & np.isfinite(within)
        if bounded.any() and within[bounded].max() <= _BAND_MAX_KM:
            candidate[bounded] = shapely.intersects_xy(self._band(float(within[bounded].max())), lon[bounded], lat[bounded])
        rows = np.flatnonzero(candidate)
        points = shapely.points(*projection.forward(lon[rows], lat[rows]))
        reach = within[rows]
        for part in (np.flatnonzero(np.isfinite(reach)), np.flatnonzero(np.isinf(reach))):
            if not len(part):
                continue
            bound = float(reach[part].max()) * 1000
            (index, _), found = edge.query_nearest(points[part], max_distance=max(bound, 1e-6) if np.isfinite(bound) else None,
                                                   return_distance=True, all_matches=False)
            found_km = np.asarray(found, dtype=float) / 1000
            close = found_km <= reach[part[index]]
            hits, found_km = rows[part[index[close]]], found_km[close]
            distance[hits] = np.where(self.covers_xy(lon[hits], lat[hits]), -found_km, found_km)
        return distance

    def _band(self, km: float) -> BaseGeometry:
        """A prepared lon/lat polygon holding every point within ``km`` of the edge and a little more (its width
        rounded up to a whole km): a cheap first test, before any point is projected."""
        width = math.ceil(km)
        if width not in self._bands:
            projection, outline, _ = self._metric_edge()
            band = projection.to_lonlat(outline.buffer(width * 1000 * (1 + _BAND_SLACK) + _BAND_SLACK_M))
            shapely.prepare(band)
            self._bands[width] = band
        return self._bands[width]

    def nearest(self, lon: Floats, lat: Floats, beyond_km: float) -> int:
        """The index of a point nearest the zone's edge among points known to lie more than ``beyond_km`` from it
        (-1 for none within 1,000 times that): looked for within twice, four times, ... that distance."""
        within = max(beyond_km, 0.1)
        for _ in range(10):
            within *= 2
            distance = np.abs(self.edge_km(lon, lat, within))
            if not np.isnan(distance).all():
                return int(np.nanargmin(distance))
        return -1

    def _metric_edge(self) -> tuple[Projection, BaseGeometry, shapely.STRtree]:
        """The zone's edge in metres of a local projection and a tree of its segments (a lon/lat polygon's edges,
        straight in degrees, densified first)."""
        if self._edge is None:
            if self._projection is not None and self._metric is not None:
                projection, outline = self._projection, self._metric.boundary
            else:
                centre = self.lonlat.centroid
                projection = Projection(centre.x, centre.y)
                outline = projection.to_metric(shapely.segmentize(self.lonlat, _DENSIFY_DEGREES)).boundary
            rings = [np.asarray(line.coords)[:, :2] for line in shapely.get_parts(outline)]
            segments = shapely.linestrings(np.concatenate([np.stack([r[:-1], r[1:]], axis=1) for r in rings]))
            self._edge = (projection, outline, shapely.STRtree(segments))
        return self._edge


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
    band = _within(metric_line, to_km)
    if from_km > 0:
        band = shapely.difference(band, _within(metric_line, from_km))
    if side != "both":
        band = shapely.intersection(band, _side(metric_line, shapely.buffer(metric_line, to_km * 1000 + 1000), side))
    return _metric_area(_solid(band), projection, "band", line)


def beyond_area(line: BaseGeometry, side: Literal["left", "right"], region: BaseGeometry, from_km: float = 0) -> Area:
    """All the ground of ``region`` on ``side`` of a lon/lat line, ``from_km`` or more from it.

    The region must contain the line; the line is carried on straight from each end (along
    its last few kilometres) until it leaves the region, and divides it in two.
    """
    centre = line.centroid
    projection = Projection(centre.x, centre.y)
    # a region's edges are straight in lon/lat, as in a polygon zone: densify them before projecting
    metric_line, metric_region = projection.to_metric(line), projection.to_metric(shapely.segmentize(region, _DENSIFY_DEGREES))
    outside = shapely.difference(metric_line, shapely.buffer(metric_region, _TOLERANCE_M))
    if not outside.is_empty:
        raise _RegionError(
            f"the region does not contain the line ({outside.length / 1000:.1f} km of the line lies outside it)",
            "draw the region around the whole line",
        )
    ground = _side(metric_line, metric_region, side)
    if from_km > 0:
        near = shapely.buffer(metric_line, from_km * 1000, quad_segs=32)  # past its ends, from the ends
        ground = _solid(shapely.difference(ground, near))
    if ground.is_empty:
        raise _RegionError(f"no ground of the region lies {from_km:g} km or more to the {side} of the line", "widen the region")
    return _metric_area(ground, projection, "zone", line)


def _within(line: BaseGeometry, km: float) -> BaseGeometry:
    """The ground within ``km`` of a metric line, either side, square with its ends."""
    return shapely.buffer(line, km * 1000, cap_style="flat", quad_segs=32)


def _solid(ground: BaseGeometry) -> BaseGeometry:
    """Metric ground without the spikes and slivers that cutting it leaves (where two cut lines nearly coincide, as
    the square ends of two bands along one line do): their outline, kilometres long but of no width, would count
    as the zone's edge. Spikes under 2 mm wide are opened away (mitred, so corners stay), then pieces under 1 m²."""
    opened = shapely.buffer(shapely.buffer(ground, -_SPIKE_M, join_style="mitre"), _SPIKE_M, join_style="mitre")
    return shapely.union_all([p for p in shapely.get_parts(opened) if p.area > _TOLERANCE_M**2])


def _side(line: BaseGeometry, region: BaseGeometry, side: Literal["left", "right"]) -> BaseGeometry:
    """The part of a metric region on ``side`` of a metric line that it contains, the line carried on
    straight from its ends to the region's edge (where it must not cross itself).

    The region is split along the line and each piece goes to the side it borders, which holds
    however the line bends (a buffer to one side of a bending line spills over to the other).
    """
    extended = _extend(line, region)
    if not extended.is_simple:  # the two ends carried on may cross beyond the region, as a line bent round does
        extended = shapely.intersection(extended, shapely.buffer(region, _TOLERANCE_M))
    if not extended.is_simple:  # clipped, it may be in pieces where it leaves a bay of the region and comes back
        raise _RegionError(
            "the line, carried on straight from its ends to the region's edge, crosses itself",
            "draw the region so the line's ends lie near its edge",
        )
    signed = {"left": _TOLERANCE_M, "right": -_TOLERANCE_M}
    strips = {s: shapely.buffer(extended, d, single_sided=True, cap_style="flat") for s, d in signed.items()}
    chosen = []
    for piece in (p for p in split(region, extended).geoms if p.area > 0):
        touch = {s: shapely.intersection(piece, strip).area for s, strip in strips.items()}
        if max(touch.values()) == 0:
            raise _RegionError("part of the region does not reach the line", "draw the region as one piece the line crosses")
        if max(touch, key=touch.__getitem__) == side:
            chosen.append(piece)
    return shapely.union_all(chosen)


_TOLERANCE_M = 1.0  # lines drawn on a region's edge or ending on it are inside it
_SPIKE_M = 0.001
_DENSIFY_DEGREES = 0.005  # about 500 m
_EXACT_KM = 1.0
"""Points this near a metric zone's edge are placed in it by their projected metres, the rest by its lon/lat outline."""
_BAND_MAX_KM = 500.0
_BAND_SLACK, _BAND_SLACK_M = 0.01, 100.0
"""A band around an edge is drawn this much wider (its buffer's arcs are inscribed polygons, its lon/lat outline
straight between points 500 m apart), and only up to 500 km wide (beyond, every point is measured)."""


def _extend(line: BaseGeometry, region: BaseGeometry) -> BaseGeometry:
    """The line carried on straight from both ends, each along its last few kilometres, past the region's edge."""
    minx, miny, maxx, maxy = region.bounds
    reach = float(np.hypot(maxx - minx, maxy - miny)) + 1000.0
    back = min(5000.0, line.length / 4)
    coords = np.asarray(line.coords)[:, :2]

    def onward(end: Floats, behind: BaseGeometry) -> Floats:
        step = end - np.array([behind.x, behind.y])
        return np.asarray(end + step / float(np.hypot(*step)) * reach, dtype=float)

    first = onward(coords[0], line.interpolate(back))
    last = onward(coords[-1], line.interpolate(line.length - back))
    return shapely.LineString(np.vstack([first, coords, last]))


def _metric_area(ground: BaseGeometry, projection: Projection, what: str, line: BaseGeometry) -> Area:
    """An area built in ``projection``'s metres from a lon/lat line, with its lon/lat outline; it must not reach a pole
    or the 180th meridian."""
    outline = projection.to_lonlat(ground)
    poles = shapely.points(np.column_stack(projection.forward(np.zeros(2), np.array([90.0, -90.0]))))
    if shapely.dwithin(ground, poles, _TOLERANCE_M).any() or _wraps(outline):  # a pole on its edge, give or take
        raise ValueError(f"the {what} reaches a pole or crosses the 180th meridian, where it cannot be drawn in lon/lat")
    if not outline.is_valid:  # a ring pinched to a point can cross itself once moved to lon/lat
        outline = shapely.union_all([p for p in shapely.get_parts(shapely.make_valid(outline)) if p.area > 0])
    shapely.prepare(ground)
    shapely.prepare(outline)
    return Area(outline, ground, projection, lines=(line,))


def _wraps(outline: BaseGeometry) -> bool:
    """Whether a lon/lat outline crosses the 180th meridian: one of its edges leaps more than half the globe in
    longitude (a band may span more than 180 degrees near a pole without crossing it)."""
    return any(np.abs(np.diff(shapely.get_coordinates(ring)[:, 0])).max(initial=0) > 180
               for ring in shapely.get_rings(shapely.get_parts(outline)))


def union_area(parts: tuple[Area, ...]) -> Area:
    """A zone made of several others: a point is in it if it is in any of them."""
    return Area(shapely.union_all([p.lonlat for p in parts]), parts=parts, lines=tuple(line for p in parts for line in p.lines))


def _depth_areas(field: Loc, path: str, line: BaseGeometry, side: Side, *, from_km: float, depths: list[float]) -> dict[float, Area]:
    """The band along ``line`` from ``from_km`` to each of ``depths``: a zone at each depth its text allows."""
    return {float(depth): _build(field, path, band_area, line, side, from_km, depth) for depth in depths}


def zone_areas(book: Rulebook, doc: Document, folder: Path, problems: list[Problem]) -> tuple[dict[str, Area], dict[str, str]]:
    """The ground of every zone, and the SHA-256 of every file read for it (by its path from
    ``folder``, with ``/``); unions are built last, from zones that are not unions.

    Zone and line files are read only from inside ``folder`` (the rulebook's), see ``inside``.
    """
    areas: dict[str, Area] = {}
    files: dict[tuple[str, str], BaseGeometry] = {}
    digests: dict[str, str] = {}

    def read(field: Loc, path: str, reader: Callable[[Path, bytes], BaseGeometry]) -> BaseGeometry:
        """A line or polygon file, read once per rulebook; its problems are reported at ``field``."""
        key = (reader.__name__, path)
        if key not in files:
            try:
                target = inside(folder, path)
                try:
                    raw = read_bytes(target)
                except ValueError as exc:
                    raise ValueError(f"zone file {target}: {exc}") from None
                files[key] = reader(target, raw)
            except _OutsideError as exc:
                raise _FieldError(field, str(exc), exc.given, exc.suggestion) from None
            except (ValueError, GEOSException) as exc:
                raise _FieldError(field, str(exc), path) from None
            digests[target.relative_to(folder.resolve()).as_posix()] = hashlib.sha256(raw).hexdigest()
        return files[key]

    for zone_id, zone in book.zones.items():
        at: Loc = ("zones", zone_id)
        try:
            if zone.geojson is not None:
                areas[zone_id] = polygon_area(read((*at, "geojson"), zone.geojson, _read_zone))
                if (depths := zone.depths) is not None:
                    line = read((*at, "depths", "line"), depths.line, _read_line)
                    areas[zone_id].depths = _depth_areas((*at, "depths", "depths_km"), depths.line, line, depths.side, from_km=0,
                                                         depths=depths.depths_km)
            elif zone.band is not None:
                band = zone.band
                line = read((*at, "band", "line"), band.line, _read_line)
                areas[zone_id] = _build((*at, "band", "line"), band.line, band_area, line, band.side, band.from_km, band.to_km)
                areas[zone_id].depths = _depth_areas((*at, "band", "depths_km"), band.line, line, band.side,
                                                     from_km=band.from_km, depths=band.depths_km)
            elif zone.beyond is not None:
                beyond = zone.beyond
                line = read((*at, "beyond", "line"), beyond.line, _read_line)
                region = read((*at, "beyond", "region"), beyond.region, _read_zone)
                areas[zone_id] = _build((*at, "beyond", "region"), beyond.region, beyond_area, line, beyond.side, region,
                                        beyond.from_km)
        except _FieldError as exc:
            problems.append(doc.problem(exc.field, exc.message, value=exc.given, suggestion=exc.suggestion))
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
    return areas, dict(sorted(digests.items()))


def _build(field: Loc, given: str, build: Callable[..., Area], *args: Any) -> Area:
    """``build(*args)``, its geometric problems reported at ``field``."""
    try:
        return build(*args)
    except _RegionError as exc:
        raise _FieldError(field, str(exc), given, exc.suggestion) from None
    except (ValueError, GEOSException) as exc:
        raise _FieldError(field, str(exc), given) from None


class _RegionError(ValueError):
    """A region and line that do not make a side: the reason, and how to redraw them."""

    def __init__(self, reason: str, suggestion: str) -> None:
        super().__init__(reason)
        self.suggestion = suggestion


class _FieldError(Exception):
    """A zone problem at a field of the rulebook."""

    def __init__(self, field: Loc, message: str, given: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.field, self.message, self.given, self.suggestion = field, message, given, suggestion


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
    if relative.is_absolute() or PureWindowsPath(given).anchor:  # Windows' C:x and \\server too
        raise _OutsideError(given, "an absolute path is not allowed")
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise _OutsideError(given, "the path leads out of the folder (through '..' or a symbolic link)")
    return target


def _read_geojson(path: Path, raw: bytes) -> BaseGeometry:
    """The union of every geometry in a GeoJSON file (its bytes ``raw``), checked to be lon/lat."""
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
        try:
            geoms.append(shape(feature))  # a geometry, or a Feature (shapely takes its geometry)
        except Exception as exc:  # shapely raises several types for bad GeoJSON
            raise ValueError(f"zone file {path}: not a GeoJSON geometry ({exc})") from None
    geom = shapely.union_all(geoms)
    if geom.is_empty:  # no features, or only empty ones (an empty polygon, a line of one point): nothing has bounds
        raise ValueError(f"zone file {path} holds no geometry")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError(f"zone file {path}: coordinates must be lon/lat degrees (GeoJSON order: lon, lat)")
    return geom


def _read_line(path: Path, raw: bytes) -> BaseGeometry:
    """A single non-empty LineString in lon/lat from a GeoJSON file (a band's reference line)."""
    geom = _read_geojson(path, raw)
    if geom.geom_type != "LineString":  # not empty (see _read_geojson), so of some length
        raise ValueError(f"line file {path}: expected one LineString, found {geom.geom_type}")
    return geom


def _read_zone(path: Path, raw: bytes) -> BaseGeometry:
    """A valid, non-empty (multi)polygon in lon/lat from a GeoJSON file."""
    geom = _read_geojson(path, raw)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):  # not empty, see _read_geojson
        raise ValueError(f"zone file {path}: expected a non-empty Polygon or MultiPolygon, found {geom.geom_type}")
    if not geom.is_valid:
        raise ValueError(f"zone file {path}: invalid polygon ({shapely.is_valid_reason(geom)})")
    return geom


_EARTH_KM = 6371.0088
KM_PER_DEGREE = _EARTH_KM * math.pi / 180
"""Kilometres in a degree of latitude on the sphere ``great_circle_km`` measures on (to move a point north by a distance)."""


def great_circle_km(lat: Floats, lon: Floats, lat0: Floats | float, lon0: Floats | float) -> Floats:
    """Great-circle distances in km (haversine) from each point to ``lat0``, ``lon0`` (one point, or one per point)."""
    p, p0 = np.radians(lat), np.radians(lat0)
    h = np.sin((p - p0) / 2) ** 2 + np.cos(p) * np.cos(p0) * np.sin(np.radians(np.subtract(lon, lon0)) / 2) ** 2
    return np.asarray(2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)
