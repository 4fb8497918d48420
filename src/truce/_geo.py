"""The ground of a zone: a lon/lat polygon, a band measured in kilometres from a line, or a union.

Bands are built in a local azimuthal equidistant projection centred on their
line (WGS 84 ellipsoid), where distances within a few hundred kilometres of
the centre are true to well under 0.1%; points are projected there to test.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

__all__ = ["Area", "Projection", "band_area", "polygon_area", "union_area"]

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
    shapely.prepare(band)
    return Area(projection.to_lonlat(band), band, projection)


def _strip(line: BaseGeometry, side: Side, metres: float) -> BaseGeometry:
    if side == "both":
        return shapely.buffer(line, metres, cap_style="flat", quad_segs=32)
    signed = metres if side == "left" else -metres
    return shapely.buffer(line, signed, single_sided=True, cap_style="flat", quad_segs=32)


def union_area(parts: tuple[Area, ...]) -> Area:
    """A zone made of several others: a point is in it if it is in any of them."""
    return Area(shapely.union_all([p.lonlat for p in parts]), parts=parts)
