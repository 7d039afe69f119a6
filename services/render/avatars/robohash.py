"""robohash: a robot head. The hash picks its plating colour, head proportions, antennae, ears,
eyes and mouth."""
from __future__ import annotations

from .canvas import Canvas, circle, mirrored, rect, segment, stripes
from .palette import INK, WHITE, Dice, hsl


def draw(seed: str, size: int):
    dice = Dice(seed)
    hue = dice.unit()
    canvas = Canvas(size, hsl(hue + 0.5, 0.25, 0.9))
    plate = hsl(hue, dice.between(0.2, 0.5), dice.between(0.55, 0.68))
    dark = hsl(hue, 0.25, 0.3)
    glow = hsl(hue + dice.pick((0.0, 0.33, 0.5, 0.66)), 0.9, 0.55)

    half_width = dice.between(0.25, 0.33)
    top, bottom = dice.between(0.26, 0.34), dice.between(0.74, 0.8)
    x0, x1 = 0.5 - half_width, 0.5 + half_width

    # Shoulders and neck in one go: they never overlap anything drawn before.
    canvas.fill(rect(0.2, 0.93, 0.8, 1.1, radius=0.06) | rect(0.42, bottom - 0.02, 0.58, 0.95),
                dark)

    antennae = dice.below(3)
    if antennae == 0:       # one, in the middle
        canvas.fill(segment(0.5, top + 0.02, 0.5, top - 0.14, 0.014), dark)
        canvas.fill(circle(0.5, top - 0.14, 0.035), glow)
    elif antennae == 1:     # a pair
        tx = 0.5 + half_width * 0.6
        canvas.fill(mirrored(segment(tx, top + 0.02, tx, top - 0.12, 0.014)), dark)
        canvas.fill(mirrored(circle(tx, top - 0.12, 0.035)), glow)
    if dice.chance(0.7):    # ears
        canvas.fill(mirrored(rect(x1 - 0.01, 0.46, x1 + 0.05, 0.6, radius=0.015)), dark)

    canvas.fill(rect(x0, top, x1, bottom, radius=dice.between(0.0, 0.09)), plate)

    eye_y = top + (bottom - top) * 0.35
    ex = 0.5 + half_width * 0.45
    eyes = dice.below(4)
    if eyes == 0:           # round eyes
        canvas.fill(mirrored(circle(ex, eye_y, 0.065)), WHITE)
        canvas.fill(mirrored(circle(ex, eye_y, 0.035)), glow)
    elif eyes == 1:         # visor
        canvas.fill(rect(x0 + 0.05, eye_y - 0.06, x1 - 0.05, eye_y + 0.06, radius=0.06), INK)
        canvas.fill(mirrored(circle(0.5 + half_width * 0.4, eye_y, 0.03)), glow)
    elif eyes == 2:         # square lamps
        canvas.fill(mirrored(rect(ex - 0.06, eye_y - 0.05, ex + 0.06, eye_y + 0.05)), INK)
        canvas.fill(mirrored(rect(ex - 0.03, eye_y - 0.025, ex + 0.03, eye_y + 0.025)), glow)
    else:                   # cyclops
        canvas.fill(circle(0.5, eye_y, 0.1), INK)
        canvas.fill(circle(0.5, eye_y, 0.05), glow)

    mouth_y = top + (bottom - top) * 0.72
    mouth = dice.below(3)
    if mouth == 0:          # speaker grille
        canvas.fill(rect(0.36, mouth_y - 0.05, 0.64, mouth_y + 0.05, radius=0.02), INK)
        canvas.fill(stripes(0.36, mouth_y - 0.035, 0.64, mouth_y + 0.035, 0.056, 0.016), plate)
    elif mouth == 1:        # teeth
        canvas.fill(rect(0.38, mouth_y - 0.04, 0.62, mouth_y + 0.04), WHITE)
        canvas.fill(stripes(0.38, mouth_y - 0.04, 0.62, mouth_y + 0.04, 0.06, 0.012), INK)
    else:                   # slot
        canvas.fill(segment(0.4, mouth_y, 0.6, mouth_y, 0.02), INK)
    if dice.chance(0.5):    # rivets
        canvas.fill(mirrored(circle(x1 - 0.045, top + 0.045, 0.015)), dark)
    return canvas.result()
