"""`bigtech-events report`: figures drawn from a package alone, byte-identical on every run."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import REPO

from bigtech_events import load_package
from bigtech_events.cli import cli
from bigtech_events.report import (
    FIGURES,
    MAX_ACTORS,
    actor_links,
    draw_network,
    draw_timeline,
    write_figures,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _zip_package(root: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
            zf.write(path, path.relative_to(root).as_posix())
    return dest


def _png_chunks(data: bytes) -> list[bytes]:
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        chunks.append(data[at + 4:at + 8])
        at += 12 + length
    return chunks


def test_report_of_a_release_zip_is_byte_identical_to_that_of_its_directory(built_package: Path,
                                                                              tmp_path: Path) -> None:
    release = _zip_package(built_package, tmp_path / "release.zip")
    result = CliRunner().invoke(cli, ["report", str(release), "--out", str(tmp_path / "zip")])
    assert result.exit_code == 0, result.output
    again = write_figures(built_package, tmp_path / "dir")  # a second run, from the directory
    assert [p.name for p in again.paths] == [f"{s}.{f}" for s in FIGURES for f in ("svg", "png")]
    for path in again.paths:
        assert path.read_bytes() == (tmp_path / "zip" / path.name).read_bytes(), path.name


def test_figures_record_no_date_or_software(built_package: Path, tmp_path: Path) -> None:
    write_figures(built_package, tmp_path)
    for stem in FIGURES:
        svg = (tmp_path / f"{stem}.svg").read_text(encoding="utf-8")
        assert ElementTree.fromstring(svg).tag.endswith("svg")
        assert "dc:date" not in svg and "Matplotlib v" not in svg
        png = (tmp_path / f"{stem}.png").read_bytes()
        assert png.startswith(PNG_SIGNATURE)
        assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(_png_chunks(png))


def test_report_of_something_that_is_not_a_package_is_one_line(tmp_path: Path) -> None:
    from bigtech_events.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["report", str(tmp_path), "--out", str(tmp_path / "fig")])
    assert exit_.value.code == 1
    assert not (tmp_path / "fig").exists()


def test_timeline_has_a_row_per_event_type_with_its_count(built_package: Path) -> None:
    events = load_package(built_package)["events"]
    fig = draw_timeline(events)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    counts = events["event_type"].astype(str).value_counts()
    assert [re.sub(r" \(.*", "", label) for label in labels] == [
        t for t in events["event_type"].cat.categories if t in counts]
    assert all(f"({counts[label.split(' ')[0]]})" in label for label in labels)


def test_links_join_each_source_to_each_target_of_an_event() -> None:
    parts = pd.DataFrame({
        "event_id": ["e1", "e1", "e1", "e2", "e2", "e3", "e3"],
        "actor_id": ["a", "b", "c", "a", "c", "a", "a"],
        "role": ["source", "source", "target", "source", "target", "source", "target"],
    })
    events = pd.DataFrame({"event_id": ["e1", "e2", "e3"], "event_type": ["penalty", "penalty", "praise"]})
    links = actor_links(parts, events)
    got = {(r.source, r.target, r.event_type): r.events for r in links.itertuples(index=False)}
    assert got == {("a", "c", "penalty"): 2, ("b", "c", "penalty"): 1}  # no self-link from e3


def test_links_leave_out_parties_and_attendees() -> None:
    parts = pd.DataFrame({"event_id": ["e1", "e1"], "actor_id": ["a", "b"], "role": ["party", "attendee"]})
    events = pd.DataFrame({"event_id": ["e1"], "event_type": ["meeting"]})
    assert actor_links(parts, events).empty


def test_network_shows_only_the_most_linked_actors_and_says_so() -> None:
    n = MAX_ACTORS + 5
    links = pd.DataFrame({"source": ["hub"] * n, "target": [f"t{i:02d}" for i in range(n)],
                          "event_type": ["penalty"] * n, "events": [1] * n})
    actors = pd.DataFrame({"actor_id": ["hub", *links["target"]], "name": ["Hub", *links["target"]],
                           "actor_type": pd.Categorical(["agency"] + ["company"] * n,
                                                        categories=["company", "agency"])})
    fig = draw_network(links, actors, {"penalty": "#D55E00"})
    assert f"the {MAX_ACTORS} most linked of {n + 1}" in fig.get_suptitle()
    names = {t.get_text() for t in fig.axes[0].texts}
    assert "Hub" in names and len(names) == MAX_ACTORS


def test_readme_embeds_the_committed_figures() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for stem in FIGURES:
        assert f"](docs/figures/{stem}.svg)" in readme
        assert (REPO / "docs" / "figures" / f"{stem}.svg").is_file()
        assert (REPO / "docs" / "figures" / f"{stem}.png").is_file()
