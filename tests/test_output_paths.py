"""``--out`` of ``generate``: a landing folder that is a folder or nothing yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from utility_warehouse import cli


def generate(capsys: pytest.CaptureFixture[str], out: Path) -> tuple[int, str]:
    try:
        code = cli.main(["generate", "--out", str(out), "--companies", "1"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_generate_refuses_a_symlinked_out_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    out = tmp_path / "landing"
    out.symlink_to(victim)
    code, err = generate(capsys, out)
    assert code == 2
    assert f"argument --out: {out} is a symbolic link, not a folder" in err
    assert list(victim.iterdir()) == []


def test_generate_refuses_a_file_as_out_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "landing"
    out.write_text("not a folder\n")
    code, err = generate(capsys, out)
    assert code == 2
    assert f"argument --out: {out} is a regular file, not a folder" in err
    assert out.read_text() == "not a folder\n"
