"""Settings.from_env turns each variable into its setting's type, refusing what it cannot."""
import dataclasses

import pytest

from shared.config import ConfigError, Settings, _parse


@pytest.mark.parametrize("raw, expected", [
    ("true", True), ("True", True), ("1", True), ("yes", True), ("on", True),
    ("false", False), ("FALSE", False), ("0", False), ("no", False), (" off ", False),
])
def test_a_bool_setting_reads_words_not_truthiness(raw, expected):
    # bool("false") is True: the old type(default)(raw) turned every value on.
    assert _parse("X", False, raw) is expected
    assert _parse("X", True, raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "tru"])
def test_a_bool_setting_refuses_other_words(raw):
    with pytest.raises(ConfigError, match="X must be true or false"):
        _parse("X", False, raw)


def test_numbers_and_strings_keep_their_types():
    assert _parse("X", 5, "12") == 12
    assert _parse("X", 0.5, "2.5") == 2.5
    assert _parse("X", "a", " b ") == " b "
    with pytest.raises(ConfigError, match="X must be a whole number"):
        _parse("X", 5, "twelve")


def test_from_env_uses_it_for_every_setting():
    s = Settings.from_env({"PORT": "9123", "LOG_LEVEL": "DEBUG"})
    assert (s.port, s.log_level) == (9123, "DEBUG")
    defaults = Settings()
    for f in dataclasses.fields(Settings):  # an empty variable keeps the default
        assert getattr(Settings.from_env({f.metadata["env"]: ""}), f.name) == getattr(defaults, f.name)
