"""Rules about a photo that more than one service enforces (upload checks the form fields
before storing anything; metadata checks the internal API and PATCH /v1/photos)."""
from __future__ import annotations

# Content ratings, in order: each allows everything before it (Gravatar's r= parameter).
RATINGS = ("g", "pg", "r", "x")
# Longest alt text, in characters.
MAX_ALT = 1000
