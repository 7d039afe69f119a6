from services.metadata.accounts import passwords


def test_hash_verifies_only_the_same_password():
    h = passwords.hash_password("correct horse")
    assert h.startswith("$argon2id$")
    assert passwords.verify_password(h, "correct horse")
    assert not passwords.verify_password(h, "correct horsE")


def test_unknown_user_never_verifies_even_with_the_dummy_password():
    assert not passwords.verify_password(None, "onepic-no-such-user")
    assert not passwords.verify_password("not a hash", "whatever")
