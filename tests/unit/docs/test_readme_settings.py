"""The README's settings table must list every setting the code reads, with its default."""
from pathlib import Path

import pytest

from shared.config import ROOT, documented_settings

README = (Path(__file__).resolve().parents[3] / "README.md").read_text()
ROWS = {line.split("|")[1].strip().strip("`"): line for line in README.splitlines()
        if line.startswith("| `")}


def shown_default(env: str) -> str:
    """The default column of the README row, as written: `value` (a note may follow)."""
    cell = ROWS[env].split("|")[2].strip()
    if cell == "(empty)":
        return ""
    assert cell.startswith("`") and cell.count("`") >= 2, f"README default of {env}: {cell!r}"
    return cell.split("`")[1]


@pytest.mark.parametrize("env,default,doc", documented_settings(), ids=lambda v: str(v)[:20])
def test_every_setting_is_documented(env, default, doc):
    assert env in ROWS, f"README settings table lacks {env}"
    # The README writes the checkout's path as <checkout>; the code has the real one.
    expected = str(default).replace(str(ROOT), "<checkout>")
    assert shown_default(env) == expected, f"README shows another default for {env}"


def test_the_comparison_sees_a_wrong_default(monkeypatch):
    monkeypatch.setitem(ROWS, "PORT", "| `PORT` | `8081` | port |")
    with pytest.raises(AssertionError, match="another default for PORT"):
        test_every_setting_is_documented("PORT", 8080, "")
    monkeypatch.setitem(ROWS, "BLOB_URL", "| `BLOB_URL` | `file:///srv/var/blobs` | blobs |")
    with pytest.raises(AssertionError, match="another default for BLOB_URL"):
        test_every_setting_is_documented("BLOB_URL", f"file://{ROOT}/var/blobs", "")
