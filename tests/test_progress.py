"""Progress bars: drawn on a terminal, never into a pipe, a file or a CI log."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bigtech_events import progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("ci", "drawn"), [(None, True), ("true", False), ("1", False), ("0", True),
                                           ("false", True)])
def test_bars_are_drawn_on_a_terminal_unless_ci_is_set(monkeypatch: pytest.MonkeyPatch, ci: str | None,
                                                       drawn: bool) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert progress.enabled(FakeTerminal()) is drawn
    assert progress.enabled(io.StringIO()) is False  # not a terminal: never


def test_a_terminal_sees_the_bar_and_a_pipe_sees_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert list(progress.track(range(3), "counting things")) == [0, 1, 2]
    assert "counting things" in terminal.getvalue()
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    assert list(progress.track(range(3), "counting things")) == [0, 1, 2]
    assert pipe.getvalue() == ""


def test_nested_tasks_share_one_display_and_close_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    with progress.task("outer", total=1) as outer:
        live = progress._live
        assert live is not None
        with progress.task("inner", total=2):
            assert progress._live is live
        outer.advance()
    assert progress._live is None


def test_stopping_early_closes_the_tracked_generator() -> None:
    closed = []

    def items():
        try:
            yield from range(10)
        finally:
            closed.append(True)

    tracked = progress.track(items(), "items", total=10)
    assert next(tracked) == 0
    tracked.close()
    assert closed == [True]


def test_validate_writes_only_its_verdict_when_piped(built_package: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.run([sys.executable, "-m", "bigtech_events", "validate", str(built_package),
                           "--no-frictionless"], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == f"{built_package}: valid\n"
