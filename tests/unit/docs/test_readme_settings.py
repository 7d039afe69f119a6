"""The README's settings table must list every setting the code reads, with its default."""
from pathlib import Path

import pytest

from shared.config import documented_settings

README = (Path(__file__).resolve().parents[3] / "README.md").read_text()
ROWS = {line.split("|")[1].strip().strip("`"): line for line in README.splitlines()
        if line.startswith("| `")}


@pytest.mark.parametrize("env,default,doc", documented_settings(), ids=lambda v: str(v)[:20])
def test_every_setting_is_documented(env, default, doc):
    assert env in ROWS, f"README settings table lacks {env}"
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        assert f"`{default}`" in ROWS[env], f"README shows another default for {env}"
