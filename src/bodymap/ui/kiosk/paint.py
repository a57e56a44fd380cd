"""The kiosk's paint screen: sensations at the left, the two views, Undo / Clear / Next at the right."""
from __future__ import annotations

import math

import pygame
import shapely

from ... import render
from ...painting import SENSATIONS
from ..kit.canvas import HAND_STEMS
from ..kit.kiosk_colours import MUTED, TEXT
from ..kit import KButton
from .bodies import body_background
from .screen import KioskScene
from .tapregions import TAP_SLOP, RegionGesture

BRUSH_RADIUS = 0.14  # head heights: a fingertip-sized brush on a body about 80 cm tall on screen
DOUBLE_TAP_S = 0.5  # two taps on a foot (or a hand) this close in time show the feet (or that hand) bigger
ANKLE_OFFER_Y = 6.85  # head heights from the top of the head: a stroke reaching this low reaches the ankle


class PaintScene(KioskScene):
    """Painting with one finger, on the app's `BodyCanvas` (ui/kit/canvas.py; ADR 0035).

    The canvas holds where the views are, the paint overlays, the stroke and the zoom. Zoomed (`zoomed`),
    the canvas shows one part magnified on both views side by side (`zoom_part`): the feet (toes and top
    of the foot on the front, heel and sole on the back) or, after two quick taps on a hand, that hand
    (palm and back). Strokes keep the atlas coordinates, with a brush of the same size on screen as on the
    whole body (`canvas.fingertip`), so a fingertip covers about a third as much foot.

    In the "tap the parts that hurt" mode (`tap_regions`, tapregions.py) a touch fills regions instead:
    a tap fills (or clears) the one under it, a drag fills every region the finger crosses.
    Undo takes back one patient action: a drag through regions fills several, and Undo takes them all.
    """

    def __init__(self, app):
        super().__init__(app)
        self._tap: tuple | None = None  # (view, start pos, moved, when, log length) of the open stroke
        self._last_foot_tap: tuple | None = None  # (when, pos, painted) of the last tap on a foot
        self.offer_zoom = False  # a stroke at whole-body size reached the ankle or foot: offer the feet bigger
        self._lowest = 0.0  # the open stroke's lowest point (atlas y, head heights)
        self.regions = RegionGesture(app)  # tap mode: the touch filling regions
        self._undo_sizes: list[int] = []  # the map's undo steps each patient action made, last last

    @property
    def canvas(self):
        return self.app.canvas

    @property
    def zoomed(self) -> bool:
        return self.canvas.part is not None

    @property
    def zoom_part(self) -> tuple:
        """What the magnified views show: ("feet",) or ("hand", side)."""
        return self.canvas.part or ("feet",)

    @property
    def stroke(self) -> str | None:
        """The view the open stroke is on (None: no stroke)."""
        return None if self.canvas.stroke is None else self.canvas.stroke["view"]

    @stroke.setter
    def stroke(self, value: None) -> None:
        if value is not None:
            raise ValueError("a stroke begins with begin_stroke")
        self.canvas.stroke = None  # the session's map went: its open stroke goes with it, unsaved
        self._tap = None
        self.regions.drop()

    def enter(self) -> None:
        """Back on the paint screen (e.g. "Change it"): the whole body again."""
        self.set_zoom(False)

    def new_drawing(self) -> None:
        """A session started or ended, or "Start again": the whole body, nothing to undo, fresh overlays."""
        self.offer_zoom = False
        self._last_foot_tap = None
        self._undo_sizes = []
        self.canvas.part = self.canvas.zoom = None
        self.app.place_canvas()

    def layouts(self) -> dict[str, render.ViewLayout]:
        return self.canvas.layouts

    def brush(self, view: str) -> float:
        """The brush radius in head heights: the same fingertip on screen whether zoomed or not."""
        return self.canvas.fingertip(view, BRUSH_RADIUS)

    def set_zoom(self, zoomed: bool, part: tuple = ("feet",)) -> None:
        self.offer_zoom = False
        want = tuple(part) if zoomed else None
        if want != self.canvas.part:
            self.end_stroke()
            self._last_foot_tap = None
            self.canvas.show_part(want, self.app.place_canvas)

    @property
    def zoom_picture(self) -> str:
        """The cached background's name for what is magnified: "zoom" (the feet) or "zoom_hand_<side>"."""
        return "zoom" if self.zoom_part[0] == "feet" else f"zoom_hand_{self.zoom_part[1]}"

    # -- strokes
    def view_at(self, pos) -> str | None:
        return self.canvas.view_at(pos)

    def begin_stroke(self, view: str, pos) -> None:
        app = self.app
        m = app.pain_map
        if m is None:
            return
        self._lowest = self.layouts()[view].to_atlas(pos[0], pos[1])[1]
        self._tap = (view, tuple(pos), False, app.clock(), len(m.strokes))
        self.canvas.begin_stroke(view, pos, app.sensation, self.brush(view), erase=app.eraser)

    def extend_stroke(self, pos) -> None:
        view = self.stroke
        if self.app.pain_map is None or view is None:
            return
        if self._tap is not None and math.dist(pos, self._tap[1]) > self.app.px(TAP_SLOP):
            self._tap = self._tap[:2] + (True,) + self._tap[3:]
        self._lowest = max(self._lowest, self.layouts()[view].to_atlas(pos[0], pos[1])[1])
        self.canvas.extend_stroke(pos)

    def end_stroke(self) -> None:
        m = self.app.pain_map
        tap, self._tap = self._tap, None
        if self.stroke is not None and m is not None:
            self.canvas.end_stroke()
            if not self.zoomed:  # colouring the ankle or foot at whole-body size: offer the feet bigger
                self.offer_zoom = self._lowest >= ANKLE_OFFER_Y
            if tap is not None:
                self.did(len(m.strokes) - tap[4])
        self.canvas.stroke = None
        if tap is not None and not tap[2] and not self.zoomed and m is not None:
            self._foot_tap(tap[0], tap[1], tap[3], len(m.strokes) > tap[4])

    def did(self, steps: int) -> None:
        """A patient action ended that made `steps` undo steps of the map (a stroke 1, a drag through
        regions one a region): Undo takes them back together."""
        if steps > 0:
            self._undo_sizes.append(steps)

    def undo(self) -> None:
        """Take back the patient's last action (all the regions a drag filled)."""
        m = self.app.pain_map
        self.end_stroke()
        self.regions.end()
        steps = self._undo_sizes.pop() if self._undo_sizes else 1
        changed = False
        for _ in range(steps):
            changed = m.undo() or changed
        if changed:
            self.canvas.refresh()

    def _foot_tap(self, view: str, pos: tuple, when: float, painted: bool) -> None:
        """A tap on a foot (or a hand) of the whole body; the second within DOUBLE_TAP_S shows the feet
        (or that hand) bigger, and takes back the dabs the two taps painted: the patient meant to look
        closer, not to paint."""
        x, y = self.app.paint_layouts[view].to_atlas(*pos)
        pt = shapely.Point(x, y)
        near = [r for r in self.app.atlas.regions_in(view) if r.geometry.distance(pt) < BRUSH_RADIUS
                and (r.level == "foot" or r.stem in HAND_STEMS)]
        if not near:
            self._last_foot_tap = None
            return
        hand = next((r for r in near if r.stem in HAND_STEMS), None)
        part = ("hand", hand.side) if hand is not None and not any(r.level == "foot" for r in near) else ("feet",)
        last = self._last_foot_tap
        if last is not None and when - last[0] <= DOUBLE_TAP_S and math.dist(pos, last[1]) <= self.app.px(80):
            m = self.app.pain_map
            for _ in range(int(last[2]) + int(painted)):
                m.undo()
                if self._undo_sizes:
                    self._undo_sizes.pop()
            self._last_foot_tap = None
            self.set_zoom(True, part)
        else:
            self._last_foot_tap = (when, pos, painted)

    # -- buttons
    def buttons(self) -> dict[str, KButton]:
        if self.app.portrait:
            return self._portrait_buttons()
        app = self.app
        out = {}
        r = app.tools_rect
        gap, extra = app.px(14), app.px(26)
        n = len(SENSATIONS) + 1
        bh = min(app.px(132), (r.height - (n - 1) * gap - extra) // n)
        y = r.top
        size = app.fs(44)
        for s in SENSATIONS:
            out[f"sens:{s}"] = KButton(f"sens:{s}", pygame.Rect(r.left, y, r.width, bh), app.t(f"sensation_{s}"),
                                       size, "choice", on=(s == app.sensation and not app.eraser), swatch=s,
                                       action=("sensation", s))
            y += bh + gap
        y += extra
        out["eraser"] = KButton("eraser", pygame.Rect(r.left, y, r.width, bh), app.t("eraser"), app.fs(48),
                                "choice", on=app.eraser)
        a = app.actions_rect
        ah = app.px(124)
        m = app.pain_map
        out["undo"] = KButton("undo", pygame.Rect(a.left, a.top, a.width, ah), app.t("undo"), app.fs(52),
                              enabled=m is not None and m.can_undo)
        out["clear"] = KButton("clear", pygame.Rect(a.left, a.top + ah + gap, a.width, ah), app.t("clear"),
                               app.fs(48), enabled=not app.map_empty)
        zoom = ("whole_body", "zoom_out") if self.zoomed else ("zoom_feet", "zoom_in")
        if self.offer_zoom and not self.zoomed:  # the offer: the same button, bigger and in the main colour
            out["zoom"] = KButton("zoom", pygame.Rect(a.left, a.top + 2 * (ah + gap) + extra, a.width, app.px(260)),
                                  app.t("zoom_offer"), app.fs(42), "primary", max_lines=4, action=("zoom_in",))
        else:
            out["zoom"] = KButton("zoom", pygame.Rect(a.left, a.top + 2 * (ah + gap) + extra, a.width, app.px(150)),
                                  app.t(zoom[0]), app.fs(48), "choice", on=self.zoomed, action=(zoom[1],))
        nh = app.px(210)
        out["next"] = KButton("next", pygame.Rect(a.left, a.bottom - nh, a.width, nh), app.t("next"), app.fs(76),
                              "primary")
        return out

    def _portrait_buttons(self) -> dict[str, KButton]:
        """Portrait: the five feelings and Rub out in two rows of three under the body, then Undo,
        Start again, the feet and Next in one row at the bottom."""
        app = self.app
        out = {}
        r, a = app.tools_rect, app.actions_rect
        gap = app.px(14)
        cw, rh = (r.width - 2 * gap) // 3, (r.height - gap) // 2
        for i, s in enumerate(SENSATIONS):
            row, col = divmod(i, 3)
            out[f"sens:{s}"] = KButton(f"sens:{s}", pygame.Rect(r.left + col * (cw + gap), r.top + row * (rh + gap),
                                                                cw, rh), app.t(f"sensation_{s}"), app.fs(40),
                                       "choice", on=(s == app.sensation and not app.eraser), swatch=s,
                                       action=("sensation", s))
        out["eraser"] = KButton("eraser", pygame.Rect(r.left + 2 * (cw + gap), r.top + rh + gap, cw, rh),
                                app.t("eraser"), app.fs(44), "choice", on=app.eraser)
        m = app.pain_map
        widths = (0.2, 0.24, 0.26, 0.3)
        x = a.left
        usable = a.width - 3 * gap
        zoom = ("whole_body", "zoom_out") if self.zoomed else ("zoom_feet", "zoom_in")
        specs = (("undo", app.t("undo"), "normal", dict(enabled=m is not None and m.can_undo)),
                 ("clear", app.t("clear"), "normal", dict(enabled=not app.map_empty)),
                 ("zoom", app.t(zoom[0]), "primary" if self.offer_zoom and not self.zoomed else "choice",
                  dict(on=self.zoomed, action=(zoom[1],))),
                 ("next", app.t("next"), "primary", {}))
        for (bid, label, style, kw), f in zip(specs, widths):
            bw = int(usable * f)
            out[bid] = KButton(bid, pygame.Rect(x, a.top, bw, a.height), label, app.fs(60 if bid == "next" else 44),
                               style, **kw)
            x += bw + gap
        return out

    def activate(self, action: tuple, now: float) -> None:
        app = self.app
        m = app.pain_map
        kind = action[0]
        if kind == "sensation":
            app.sensation, app.eraser = action[1], False
        elif kind == "eraser":
            app.eraser = True
        elif kind == "undo" and m is not None:
            self.undo()
        elif kind == "clear":
            app.dialog = "clear"
        elif kind in ("zoom_in", "zoom_out"):
            self.set_zoom(kind == "zoom_in")
        elif kind == "next":
            self.end_stroke()
            if app.map_empty:
                app.dialog = "nothing"
            else:
                app.kiosk.to_questions()

    # -- drawing
    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        surface.blit(body_background(app, self.zoom_picture if self.zoomed else "paint"), (0, 0))
        if not app.overlays and app.pain_map is not None:
            app.place_canvas()
        tap = getattr(app.config, "tap_regions", False)  # the parts a tap fills are outlined (tapregions.py)
        self.canvas.draw_views(surface, over=dict(outlines=tap, dermatomes=False, line_width=max(2, app.px(3))),
                               clip=True)
        self.canvas.take_dirty()  # the kiosk draws its whole screen each time it draws
        tap = "_tap" if tap else ""
        app.texts.block(surface, app.t("paint_title" + tap), app.paint_title_rect, app.paint_title_size, TEXT,
                        max_lines=1)
        app.texts.block(surface, app.t("paint_help" + tap), app.paint_help_rect, app.paint_help_size, MUTED,
                        max_lines=2)
