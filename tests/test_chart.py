"""``truce.plot_timeline``: every violation shown, incident kinds, ids and years; never a status colour for an
incident, never the global backend; and the text table of ``truce timeline`` fits its terminal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from rich.console import Console

import truce
from truce._render import STATUS_COLOURS
from truce._timeline_cli import timeline_command
from truce.io import read_events
from truce.io.acled import SAMPLE_CSV, SAMPLE_MAPPING


@pytest.fixture(scope="module")
def line() -> truce.Timeline:
    return truce.timeline(read_events(SAMPLE_CSV, SAMPLE_MAPPING).scenario(), reading="sochi")


@pytest.fixture
def other_backend() -> Iterator[str]:
    """A backend other than the one in use (as a notebook's inline backend would be), restored afterwards."""
    before = matplotlib.get_backend()
    chosen = "svg" if before.lower() != "svg" else "pdf"
    matplotlib.use(chosen)
    yield matplotlib.get_backend()
    matplotlib.use(before)


def test_plot_timeline_leaves_the_backend_alone(line: truce.Timeline, other_backend: str, tmp_path: Path) -> None:
    figure = truce.plot_timeline(line, tmp_path / "chart.png")
    assert isinstance(figure, Figure)
    assert matplotlib.get_backend() == other_backend
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")


def _texts(figure: Figure) -> list[str]:
    axes = figure.axes[0]
    legend = axes.get_legend()
    assert legend is not None
    return [t.get_text() for t in axes.texts] + [t.get_text() for t in legend.get_texts()]


def test_a_breach_inside_a_conditions_unmet_interval_is_shown(line: truce.Timeline) -> None:
    breach = line.first_breach
    assert breach is not None
    assert line.at(breach.at) is not None and line.at(breach.at).status == "conditions_unmet"  # type: ignore[union-attr]
    texts = _texts(truce.plot_timeline(line))
    shown = [t for t in texts if t.startswith(breach.clauses[0])]
    assert shown and all(item in shown[0] for item in breach.evidence), texts


def test_incident_kinds_ids_and_the_year_are_shown(line: truce.Timeline) -> None:
    figure = truce.plot_timeline(line)
    texts = _texts(figure)
    for incident in line.incidents:
        assert incident.id in texts
        assert incident.kind.replace("_", " ") in texts
    figure.canvas.draw()
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert ticks and all(str(line.truce_start.year) in t for t in ticks), ticks


def test_incidents_never_wear_a_status_colour(line: truce.Timeline) -> None:
    figure = truce.plot_timeline(line)
    at_rows = [m for m in figure.axes[0].lines if isinstance(m, Line2D) and m.get_ydata() is not None and min(m.get_ydata()) >= 1]  # type: ignore[call-overload]
    assert len(at_rows) == len(line.incidents)
    statuses = {c.lower() for c in STATUS_COLOURS.values()}
    assert not {to_hex(m.get_color()) for m in at_rows} & statuses


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_vector_formats(line: truce.Timeline, suffix: str, tmp_path: Path) -> None:
    out = tmp_path / f"chart{suffix}"
    truce.plot_timeline(line, out)
    assert out.read_bytes()[:5] in (b"<?xml", b"%PDF-")


def test_an_unknown_format_is_a_truce_error(line: truce.Timeline, tmp_path: Path) -> None:
    with pytest.raises(truce.TruceError) as caught:
        truce.plot_timeline(line, tmp_path / "chart.gif")
    assert caught.value.problems[0].path == "output" and "png" in (caught.value.problems[0].suggestion or "")


@pytest.mark.parametrize("width", [80, 120])
def test_the_text_table_fits_its_terminal(width: int) -> None:
    console = Console(width=width, record=True, color_system=None)
    timeline_command([SAMPLE_CSV], [SAMPLE_MAPPING], console=console)
    text = console.export_text()
    assert max(len(row) for row in text.splitlines()) <= width
    line = truce.timeline(read_events(SAMPLE_CSV, SAMPLE_MAPPING).scenario())
    for interval in line.intervals:
        assert f"{interval.start:%Y-%m-%d %H:%M}" in text, text
    assert "times UTC+03:00" in " ".join(text.split())
