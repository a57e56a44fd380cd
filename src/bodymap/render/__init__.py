"""The render layer: all pygame drawing of the body, paint, overlays, pictures and heat maps.

It sits below both the windows (bodymap.ui) and the exports (bodymap.exports) and
imports neither (docs/adr/0004-layers.md). Modules:

- palette: every colour and the sensation styles (no pygame);
- layout: `ViewLayout`, the one mapping from atlas units to screen pixels;
- view: layout of a view in a rectangle, the body's shapes, labels and dermatomes;
- body: the one place that draws the body under and over the paint, the zone, the side markers and the
  difference overlay (issue 19);
- labels: where each dermatome label goes;
- picture: paint as RGBA, legends, whole PNG pictures of the atlas and of maps;
- overlay: the incrementally updated paint surface of a window;
- heatmap: the frequency-map picture.

`from bodymap import render` gives view's drawing functions and the palette.
"""
from .palette import *  # noqa: F401,F403
from .view import *  # noqa: F401,F403
from .body import draw_side_markers  # noqa: F401 (the one drawing of the side markers)
