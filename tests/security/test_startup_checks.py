"""Finding 4: the internal token had a public default that the services accepted, and an
empty SMTP_URL wrote live verification links to the log in every mode. Outside standalone
both now stop the process at start."""
import pytest

from shared.config import DEV_INTERNAL_TOKEN, ConfigError, Settings

GOOD = "k" * 43


def test_the_public_default_token_is_refused():
    with pytest.raises(ConfigError, match="INTERNAL_TOKEN"):
        Settings(internal_token=DEV_INTERNAL_TOKEN).check_outside_standalone()


def test_a_short_token_is_refused():
    with pytest.raises(ConfigError, match="INTERNAL_TOKEN"):
        Settings(internal_token="s3cret").check_outside_standalone()


def test_a_mail_sender_without_smtp_is_refused():
    with pytest.raises(ConfigError, match="SMTP_URL"):
        Settings(internal_token=GOOD).check_outside_standalone(sends_mail=True)
    Settings(internal_token=GOOD, smtp_url="smtp://127.0.0.1:25").check_outside_standalone(
        sends_mail=True)
    Settings(internal_token=GOOD).check_outside_standalone()  # upload and render send no mail


def test_bad_trusted_proxies_are_refused_at_start():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings(internal_token=GOOD, trusted_proxies="nope").check_outside_standalone()
