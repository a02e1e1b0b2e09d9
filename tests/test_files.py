"""A link that is broken or loops is one InputError naming the link, in each place panel
follows one (a file that must stay in its folder, a run group's `latest` pointer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel.errors import InputError
from panel.files import inside, resolved
from panel.record.store import latest_target


def test_resolved_gives_both_real_locations(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("x")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "real.txt")
    assert resolved(tmp_path / "alias.txt", tmp_path, "broken") == (
        (tmp_path / "real.txt").resolve(),
        tmp_path.resolve(),
    )


@pytest.mark.parametrize("target", ["missing.txt", "loop.txt"])
def test_a_broken_or_looping_link_is_one_error_naming_it(tmp_path: Path, target: str) -> None:
    link = tmp_path / "loop.txt"
    link.symlink_to(tmp_path / target)
    with pytest.raises(InputError, match="broken or looping") as caught:
        inside(link, tmp_path)
    assert caught.value.source == str(link)


def test_a_broken_latest_pointer_is_one_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "latest").symlink_to(tmp_path / "gone")
    with pytest.raises(InputError, match="not a pointer to a run") as caught:
        latest_target(tmp_path)
    assert caught.value.source == str(tmp_path / "latest")
    (tmp_path / "run-1").mkdir()
    (tmp_path / "latest").unlink()
    (tmp_path / "latest").symlink_to("run-1")
    assert latest_target(tmp_path) == (tmp_path / "run-1").resolve()
