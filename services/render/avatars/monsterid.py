"""monsterid: a small creature. The hash picks its body shape and colour, horns or antennae,
how many eyes and where they look, arms, and the mouth."""
from __future__ import annotations

from .canvas import Canvas, below, circle, ellipse, mirrored, polygon, rect, ring, segment
from .palette import INK, WHITE, Dice, hsl


def draw(seed: str, size: int):
    dice = Dice(seed)
    hue = dice.unit()
    skin = hsl(hue, dice.between(0.5, 0.8), dice.between(0.45, 0.58))
    shade = hsl(hue, 0.55, 0.32)
    canvas = Canvas(size, hsl(hue + 0.5, 0.3, 0.93))

    half_width = dice.between(0.26, 0.34)
    top, bottom = dice.between(0.26, 0.36), 0.86
    body_kind = dice.below(3)
    if body_kind == 0:
        body = ellipse(0.5, (top + bottom) / 2, half_width, (bottom - top) / 2)
    elif body_kind == 1:
        body = rect(0.5 - half_width, top, 0.5 + half_width, bottom,
                    radius=dice.between(0.08, 0.16))
    else:
        # A pear: a narrow head on a wide belly.
        body = (circle(0.5, bottom - half_width, half_width)
                | ellipse(0.5, top + half_width * 0.7, half_width * 0.7, half_width * 0.75))

    ornament = dice.below(3)
    if ornament == 0:       # horns
        base, lean = 0.5 + half_width * 0.55, dice.between(0.0, 0.06)
        canvas.fill(mirrored(polygon([(base - 0.06, top + 0.08), (base + lean, top - 0.14),
                                      (base + 0.06, top + 0.08)])), shade)
    elif ornament == 1:     # antennae with knobs
        tip = (0.5 + dice.between(0.12, 0.22), top - dice.between(0.1, 0.16))
        canvas.fill(mirrored(segment(0.56, top + 0.05, *tip, 0.018) | circle(*tip, 0.04)),
                    shade)

    # Feet and arms go behind the body.
    canvas.fill(mirrored(ellipse(0.5 + half_width * 0.55, bottom, 0.09, 0.05)), shade)
    if dice.chance(0.6):
        lift = dice.between(-0.12, 0.12)
        canvas.fill(mirrored(segment(0.5 + half_width - 0.04, 0.62,
                                     0.5 + half_width + 0.1, 0.62 - lift, 0.035)), skin)
    canvas.fill(body, skin)
    if dice.chance(0.5):    # belly patch
        canvas.fill(ellipse(0.5, bottom - 0.13, half_width * 0.55, 0.1), hsl(hue, 0.5, 0.75))

    eyes = dice.pick((1, 2, 2, 3))
    eye_y = top + (bottom - top) * 0.3
    radius = {1: 0.11, 2: 0.075, 3: 0.06}[eyes] * dice.between(0.85, 1.15)
    look_x, look_y = dice.between(-0.4, 0.4) * radius, dice.between(-0.4, 0.4) * radius
    if eyes == 1:
        canvas.fill(circle(0.5, eye_y, radius), WHITE)
        canvas.fill(circle(0.5 + look_x, eye_y + look_y, radius * 0.5), INK)
    else:
        # Two eyes side by side; a third sits between and above them.
        spacing = 0.075 if eyes == 2 else 0.14
        canvas.fill(mirrored(circle(0.5 + spacing, eye_y, radius)), WHITE)
        canvas.fill(mirrored(circle(0.5 + spacing + look_x, eye_y + look_y, radius * 0.5),
                             axis=0.5 + look_x), INK)
        if eyes == 3:
            canvas.fill(circle(0.5, eye_y - 0.04, radius), WHITE)
            canvas.fill(circle(0.5 + look_x, eye_y - 0.04 + look_y, radius * 0.5), INK)

    mouth_y = top + (bottom - top) * 0.62
    mouth = dice.below(3)
    if mouth == 0:          # grin
        canvas.fill(ring(0.5, mouth_y - 0.08, 0.13, 0.03) & below(mouth_y - 0.02), INK)
    elif mouth == 1:        # open mouth with fangs
        canvas.fill(ellipse(0.5, mouth_y, 0.12, 0.06), INK)
        canvas.fill(mirrored(polygon([(0.535, mouth_y - 0.055), (0.585, mouth_y - 0.055),
                                      (0.56, mouth_y + 0.01)])), WHITE)
    else:                   # flat line
        canvas.fill(segment(0.4, mouth_y, 0.6, mouth_y, 0.02), INK)
    return canvas.result()
