"""Figures of a package: an event timeline and an actor–event network, as SVG and PNG.

Everything is drawn from the package alone (a directory or a release zip,
read with :func:`bigtech_events.load_package`), so the figures show exactly
what was published. The output is byte-for-byte reproducible: the fonts are
matplotlib's bundled DejaVu Sans, SVG ids come from a fixed salt, and no file
records a date or the software that wrote it.

Examples::

    from bigtech_events.report import write_figures
    write_figures(".", "docs/figures")   # the project's package -> docs/figures/*.svg|png
"""

from __future__ import annotations

import io
import math
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .loader import load_package

#: Figure stems written by :func:`write_figures`, each as ``.svg`` and ``.png``.
FIGURES = ("event-timeline", "actor-network")
PNG_DPI = 120
MAX_LABEL = 28  # characters of an actor's name shown beside its node
MAX_ACTORS = 30  # the network shows the actors with most source/target links
#: One colour per category, in enum order (Okabe–Ito first, then muted tones): stable across builds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
           "#000000", "#999999", "#8C564B", "#7F3C8D")
#: Actor types get other colours than event types, so a node never reads as an arrow's type.
ACTOR_PALETTE = ("#332288", "#117733", "#882255", "#44AA99", "#AA4499", "#999933", "#88CCEE")
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "path",  # glyphs as outlines: the SVG does not depend on the reader's fonts
    "svg.hashsalt": "china-bigtech-events",
    "path.simplify": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
SAVE_METADATA = {
    "svg": {"Date": None, "Creator": None},
    "png": {"Software": None},
}


@dataclass(frozen=True)
class Figures:
    """What :func:`write_figures` wrote: the files and what the figures counted."""

    paths: list[Path]
    events: int
    links: int


def write_figures(package: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> Figures:
    """Draw the package's figures into ``out_dir`` (``<stem>.svg`` and ``<stem>.png`` per figure).

    A file is rewritten only when its bytes change, so an unchanged package leaves it untouched.
    """
    files, events, links = figure_files(package)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, data in files.items():
        path = out / name
        _write_if_changed(path, data)
        paths.append(path)
    return Figures(paths, events, links)


def figure_files(package: str | os.PathLike[str]) -> tuple[dict[str, bytes], int, int]:
    """The package's figures as ``{"<stem>.<svg|png>": bytes}`` (the same bytes on every run), with
    the number of events and of source-target links they show."""
    tables = load_package(package)
    events = tables["events"]
    links = actor_links(tables["event_participants"], events)
    drawn = {"event-timeline": draw_timeline(events),
             "actor-network": draw_network(links, tables["actors"], _colours(events["event_type"]))}
    files = {f"{stem}.{fmt}": render(fig, fmt) for stem, fig in drawn.items() for fmt in ("svg", "png")}
    return files, len(events), int(links["events"].sum()) if len(links) else 0


def render(fig: Any, fmt: str) -> bytes:
    """The figure's bytes in ``fmt`` (``svg`` or ``png``), without dates or software names."""
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format=fmt, dpi=PNG_DPI, metadata=SAVE_METADATA[fmt])
    return buf.getvalue()


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(RC):
        yield


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    with _style():
        return Figure(figsize=(width, height), layout="constrained")


def _fix_fonts(fig: Any) -> None:
    """Point every text at the DejaVu Sans files bundled with matplotlib (not a system copy)."""
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for text in fig.findobj(Text):
        bold = text.get_fontweight() in ("bold", "heavy", "black", 700, 800, 900)
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        text.set_fontproperties(FontProperties(fname=fonts / name, size=text.get_fontsize()))


def _categories(series: pd.Series) -> list[str]:
    """The values in the column's declared order (a categorical's categories), else sorted."""
    present = set(series.dropna().astype(str))
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [str(c) for c in series.cat.categories if str(c) in present]
    return sorted(present)


def _colours(series: pd.Series, palette: tuple[str, ...] = PALETTE) -> dict[str, str]:
    """A fixed colour per category, by its place in the declared enum (so a colour keeps its meaning)."""
    cats = [str(c) for c in series.cat.categories] if isinstance(series.dtype, pd.CategoricalDtype) \
        else _categories(series)
    return {c: palette[i % len(palette)] for i, c in enumerate(cats)}


# ---------------------------------------------------------------- timeline


def draw_timeline(events: pd.DataFrame) -> Any:
    """Events by type over time: a dot per dated day, a bar per date range, an arrow when open-ended."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    types = _categories(events["event_type"])
    colours = _colours(events["event_type"])
    fig = _figure(9, 1.2 + 0.45 * max(len(types), 1))
    ax = fig.add_subplot()
    labels = []
    with _style():
        for row, etype in enumerate(types):
            subset = events[events["event_type"].astype(str) == etype]
            dated = subset[subset["date_start"].notna()].sort_values(["date_start", "event_id"])
            _plot_type_row(ax, dated, row, colours[etype])
            undated = len(subset) - len(dated)
            labels.append(f"{etype} ({len(subset)})" + (f", {undated} undated" if undated else ""))
        ax.set_yticks(range(len(types)), labels)
        ax.set_ylim(len(types) - 0.5, -0.5)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        articles = events["article_id"].nunique()
        ax.set_title(f"Events by type over time ({len(events)} events in {articles} article(s))", loc="left")
        handles = [Line2D([], [], color="#555555", marker="o", linestyle="", label="day"),
                   Line2D([], [], color="#555555", linewidth=3, alpha=0.5, label="month, year or range"),
                   Line2D([], [], color="#555555", marker=">", linestyle="", label="from a date, end unknown")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  title="date precision")
        if not types:
            ax.text(0.5, 0.5, "no events", transform=ax.transAxes, ha="center")
    _fix_fonts(fig)
    return fig


def _plot_type_row(ax: Any, dated: pd.DataFrame, row: int, colour: str) -> None:
    """One row of the timeline; events on one row are spread a little so that none hides another."""
    n = len(dated)
    alpha = 0.9 if n <= 20 else max(0.25, 0.9 * 20 / n)
    for i, ev in enumerate(dated.itertuples(index=False)):
        y = row + ((i % 5) - 2) * 0.12
        start = pd.Timestamp(ev.date_start)
        if pd.isna(ev.date_end):
            ax.plot([start], [y], marker=">", color=colour, alpha=alpha, linestyle="")
        elif pd.Timestamp(ev.date_end) == start:
            ax.plot([start], [y], marker="o", markersize=5, color=colour, alpha=alpha, linestyle="")
        else:
            end = pd.Timestamp(ev.date_end) + pd.Timedelta(days=1)  # date_end is inclusive
            ax.plot([start, end], [y, y], linewidth=4, solid_capstyle="butt", color=colour, alpha=alpha * 0.7)


# ---------------------------------------------------------------- network


def actor_links(participants: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Source -> target links: one row per (source, target, event_type) with the number of events.

    Every source of an event is linked to every target of the same event; an actor is never
    linked to itself. Parties and attendees have no direction and are left out.
    """
    roles = participants[["event_id", "actor_id", "role"]].astype({"role": str})
    sources = roles[roles["role"] == "source"][["event_id", "actor_id"]]
    targets = roles[roles["role"] == "target"][["event_id", "actor_id"]]
    pairs = sources.merge(targets, on="event_id", suffixes=("_source", "_target"))
    pairs = pairs[pairs["actor_id_source"] != pairs["actor_id_target"]]
    pairs = pairs.merge(events[["event_id", "event_type"]].astype({"event_type": str}), on="event_id")
    links = (pairs.groupby(["actor_id_source", "actor_id_target", "event_type"]).event_id.nunique()
             .rename("events").reset_index())
    links.columns = ["source", "target", "event_type", "events"]
    return links.sort_values(["source", "target", "event_type"], ignore_index=True)


def draw_network(links: pd.DataFrame, actors: pd.DataFrame, event_colour: dict[str, str]) -> Any:
    """Who acts on whom: actors on a circle (coloured by type), arrows source -> target weighted by events."""
    from matplotlib.lines import Line2D

    fig = _figure(10, 8.5)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    with _style():
        info = actors.set_index("actor_id")
        degree = _degree(links)
        shown = sorted(degree, key=lambda a: (-degree[a], a))[:MAX_ACTORS]
        kept = links[links["source"].isin(shown) & links["target"].isin(shown)]
        type_colour = _colours(actors["actor_type"], ACTOR_PALETTE)
        where = _circle(shown, info)
        _draw_links(ax, kept, where, event_colour)
        _draw_nodes(ax, shown, where, degree, info, type_colour)
        extra = f" (the {len(shown)} most linked of {len(degree)})" if len(degree) > len(shown) else ""
        fig.suptitle(f"Who acts on whom: source \u2192 target, by number of events{extra}")
        if not shown:
            ax.text(0.5, 0.5, "no event has both a source and a target", transform=ax.transAxes, ha="center")
        node_types = [t for t in _categories(actors["actor_type"]) if any(_type(info, a) == t for a in shown)]
        fig.legend(handles=[Line2D([], [], marker="o", linestyle="", color=type_colour[t], label=t)
                            for t in node_types], title="actor type", loc="outside right upper", frameon=False)
        used = sorted(set(kept["event_type"]), key=list(event_colour).index)
        fig.legend(handles=[Line2D([], [], color=event_colour[t], linewidth=2, label=t) for t in used],
                   title="event type (arrow)", loc="outside right lower", frameon=False)
        ax.set_xlim(-2.0, 2.0)  # room for the labels, which stand outside the circle
        ax.set_ylim(-2.0, 2.0)
    _fix_fonts(fig)
    return fig


def _degree(links: pd.DataFrame) -> Counter[str]:
    degree: Counter[str] = Counter()
    for link in links.itertuples(index=False):
        degree[link.source] += link.events
        degree[link.target] += link.events
    return degree


def _type(info: pd.DataFrame, actor_id: str) -> str:
    return str(info.at[actor_id, "actor_type"]) if actor_id in info.index else ""


def _circle(shown: list[str], info: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Actors around a circle, grouped by type then name, starting at the top and going clockwise."""
    def name(a: str) -> str:
        return str(info.at[a, "name"]) if a in info.index else a

    order = sorted(shown, key=lambda a: (_type(info, a), name(a).casefold(), a))
    n = max(len(order), 1)
    return {a: (math.sin(2 * math.pi * i / n), math.cos(2 * math.pi * i / n)) for i, a in enumerate(order)}


def _draw_links(ax: Any, links: pd.DataFrame, where: dict[str, tuple[float, float]],
                colour: dict[str, str]) -> None:
    from matplotlib.patches import FancyArrowPatch

    top = max(links["events"].max(), 1) if len(links) else 1
    for link in links.itertuples(index=False):
        width = 1.0 + 3.0 * (link.events - 1) / max(top - 1, 1)
        ax.add_patch(FancyArrowPatch(where[link.source], where[link.target], arrowstyle="-|>",
                                     mutation_scale=10 + 2 * width, linewidth=width, color=colour[link.event_type],
                                     alpha=0.75, connectionstyle="arc3,rad=0.15", shrinkA=9, shrinkB=9))


def _draw_nodes(ax: Any, shown: list[str], where: dict[str, tuple[float, float]], degree: Counter[str],
                info: pd.DataFrame, colour: dict[str, str]) -> None:
    for actor in shown:
        x, y = where[actor]
        ax.plot([x], [y], marker="o", markersize=6 + min(degree[actor], 10), linestyle="",
                color=colour.get(_type(info, actor), "#999999"), zorder=3)
        name = str(info.at[actor, "name"]) if actor in info.index else actor
        name = name if len(name) <= MAX_LABEL else name[:MAX_LABEL - 1] + "\u2026"
        angle = math.degrees(math.atan2(y, x))  # labels point away from the centre, so none overlaps
        left = x < -1e-9
        ax.text(x * 1.08, y * 1.08, name, rotation=angle + 180 if left else angle, rotation_mode="anchor",
                ha="right" if left else "left", va="center", fontsize=8)
