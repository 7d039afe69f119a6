"""wavatar: a cartoon face. The hash picks the face's shape and colours, hair, eyes, brows,
cheeks and mouth."""
from __future__ import annotations

from .canvas import Canvas, above, below, circle, ellipse, mirrored, ring, segment
from .palette import INK, WHITE, Dice, hsl


def draw(seed: str, size: int):
    dice = Dice(seed)
    hue = dice.unit()
    canvas = Canvas(size, hsl(hue, dice.between(0.4, 0.7), dice.between(0.72, 0.84)))
    skin = hsl(hue + dice.between(0.25, 0.75), dice.between(0.35, 0.7), dice.between(0.55, 0.68))

    rx, ry = dice.between(0.28, 0.37), dice.between(0.32, 0.4)
    cy = 0.55
    if dice.chance(0.7):    # hair: a darker, taller head peeking out above the face
        hair = hsl(dice.unit(), dice.between(0.3, 0.7), dice.between(0.18, 0.4))
        canvas.fill(ellipse(0.5, cy - dice.between(0.05, 0.1), rx + 0.03, ry), hair)
    canvas.fill(ellipse(0.5, cy, rx, ry), skin)

    eye_y = cy - ry * dice.between(0.15, 0.35)
    ex = 0.5 + rx * dice.between(0.38, 0.5)     # the right eye; the left one is its mirror
    style = dice.below(4)
    if style == 0:          # dots
        canvas.fill(mirrored(circle(ex, eye_y, 0.035)), INK)
    elif style == 1:        # big eyes
        canvas.fill(mirrored(ellipse(ex, eye_y, 0.06, 0.075)), WHITE)
        canvas.fill(mirrored(circle(ex, eye_y + 0.015, 0.035)), INK)
    elif style == 2:        # happy, closed: upside-down arcs
        canvas.fill(mirrored(ring(ex, eye_y + 0.03, 0.05, 0.022) & above(eye_y + 0.01)), INK)
    else:                   # sleepy lines
        canvas.fill(mirrored(segment(ex - 0.045, eye_y, ex + 0.045, eye_y, 0.016)), INK)
    if dice.chance(0.5):    # eyebrows
        tilt = dice.between(-0.03, 0.03)
        canvas.fill(mirrored(segment(ex - 0.05, eye_y - 0.1 - tilt,
                                     ex + 0.05, eye_y - 0.1 + tilt, 0.014)), INK)
    if dice.chance(0.5):    # cheeks, half-way between the skin and pink
        blush = tuple((a + b) // 2 for a, b in zip(skin, (240, 110, 130)))
        canvas.fill(mirrored(circle(0.5 + rx * 0.62, cy + ry * 0.2, 0.05)), blush)

    mouth_y = cy + ry * dice.between(0.4, 0.55)
    mouth = dice.below(4)
    if mouth == 0:          # smile
        canvas.fill(ring(0.5, mouth_y - 0.1, 0.12, 0.025) & below(mouth_y - 0.05), INK)
    elif mouth == 1:        # "o"
        canvas.fill(ellipse(0.5, mouth_y, 0.04, 0.05), INK)
    elif mouth == 2:        # grin: a half disc
        canvas.fill(circle(0.5, mouth_y - 0.04, 0.1) & below(mouth_y - 0.04), INK)
    else:                   # flat
        canvas.fill(segment(0.43, mouth_y, 0.57, mouth_y, 0.015), INK)
    return canvas.result()
