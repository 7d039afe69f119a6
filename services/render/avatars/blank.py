"""blank: a fully transparent square (JPEG callers get it flattened onto white)."""
from __future__ import annotations

import numpy as np


def draw(seed: str, size: int) -> np.ndarray:
    return np.zeros((size, size, 4), np.uint8)
