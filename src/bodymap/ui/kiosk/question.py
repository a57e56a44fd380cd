"""The kiosk's question screen: one question at a time, as yes/no, a 0-10 scale, an age keypad, age bands
(one tap) or the one red-flag screen (flagcheck.py)."""
from __future__ import annotations

import pygame

from ... import render
from ...kiosk import drawing, plan
from ..kit.kiosk_colours import BG, BORDER, MUTED, TEXT, WHITE
from ..kit import KButton
from .flagcheck import FlagCheck
from .context import ScreenContext


YES_NO_KINDS = ("yesno", plan.FLAG1, plan.RECHECK)  # Yes, No and Not sure on one screen


class QuestionScene:
    """One question at a time; a red-flag page through its `FlagCheck` part."""

    def __init__(self, ctx: ScreenContext):
        self.ctx = ctx
        self.flags = FlagCheck(ctx)

    def enter(self) -> None:
        """A new question: the keypad shows the age already given, if any; the red-flag ticks as given."""
        ctx = self.ctx
        q, m = ctx.kiosk.current_question, ctx.state.pain_map
        ctx.state.digits = ""
        if q is not None and q[1] == "redflags":
            self.flags.start()
        if q is not None and q[1] == "number" and m is not None and q[0] in m.answers:
            ctx.state.digits = str(m.answers[q[0]])

    def number_rect(self) -> pygame.Rect:
        """Where "Question n" shows: at the top between the staff corner and Listen / Help / Stop, or under
        them when they leave no room (portrait)."""
        ctx = self.ctx
        g = ctx.geo
        w, _ = g.size
        x0, x1 = g.top_left_free(), g.assist_left() - g.margin
        if x1 - x0 < g.px(400):
            return pygame.Rect(g.margin, g.assist_bottom() + g.px(6), w - 2 * g.margin, g.px(60))
        return pygame.Rect(x0, g.px(30), x1 - x0, g.px(60))

    def text_rect(self) -> pygame.Rect:
        ctx = self.ctx
        g = ctx.geo
        w, _ = g.size
        qw = min(w - 2 * g.px(120), g.px(1600))
        top = max(g.px(110), self.number_rect().bottom + g.px(10))
        key, _ = ctx.kiosk.current_question
        hgt = ctx.texts.block_height(self.words(key), g.fs(80), qw, 4, min_size=g.fs(48))
        return pygame.Rect((w - qw) // 2, top, qw, hgt)

    def words(self, key: str) -> str:
        """The question's words: a question asked again has its own plain words (recheck_<key>)."""
        return self.ctx.t(key if drawing.rechecked(key) else f"q_{key}")

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        w, h = g.size
        key, kind = ctx.kiosk.current_question
        if kind == "redflags":
            return self.flags.buttons()
        m = ctx.state.pain_map
        out = {}
        bh = g.px(130)
        out["qback"] = KButton("qback", pygame.Rect(g.margin * 2, h - g.margin * 2 - bh, g.px(380), bh),
                               ctx.t("back_button"), g.fs(56))
        qr = self.text_rect()
        below = out["qback"].rect.top - g.px(30)
        if kind in YES_NO_KINDS:
            # Yes, No and Not sure, side by side (stacked in a narrow portrait window)
            gap = g.px(60)
            bw = min(g.px(480), (w - 2 * g.margin - 2 * gap) // 3)
            bh2 = max(g.px(250), 64)
            cy = max(qr.bottom + g.px(50) + bh2 // 2, (qr.bottom + below) // 2)
            cy = min(cy, below - bh2 // 2)
            asked = drawing.rechecked(key) or key
            given = m.answers.get(asked) if m is not None and not drawing.rechecked(key) else None
            x0 = (w - (3 * bw + 2 * gap)) // 2
            for i, (bid, label, value) in enumerate((("yes", "yes_button", True), ("no", "no_button", False),
                                                     ("unsure", "not_sure", plan.UNSURE))):
                out[bid] = KButton(bid, pygame.Rect(x0 + i * (bw + gap), cy - bh2 // 2, bw, bh2), ctx.t(label),
                                   g.fs(110 if value is not plan.UNSURE else 90), "choice",
                                   on=(given is not None and given == value and type(given) is type(value)),
                                   max_lines=2, action=("answer", value))
        elif kind == "scale":
            gap = g.px(16)
            bw = min(g.px(150), (w - 2 * g.px(50) - 10 * gap) // 11)
            bh2 = g.px(170)
            total = 11 * bw + 10 * gap
            x0 = (w - total) // 2
            cy = max(qr.bottom + g.px(60) + bh2 // 2, (qr.bottom + below) // 2 - g.px(40))
            given = m.intensity.get("overall") if m is not None else None
            for v in range(11):
                out[f"scale:{v}"] = KButton(f"scale:{v}", pygame.Rect(x0 + v * (bw + gap), cy - bh2 // 2, bw, bh2),
                                            str(v), g.fs(80), "choice", on=(given == v), max_lines=1,
                                            action=("answer", v))
        elif kind == "decade":
            self._age_bands(out, qr, below)
        else:  # number: a keypad, with the number typed so far, Next and Skip at its right
            self._keypad(out, qr, below)
        return out

    def _age_bands(self, out: dict[str, KButton], qr: pygame.Rect, below: int) -> None:
        """One tap: seven big buttons, four over three, the band already given marked."""
        ctx = self.ctx
        g = ctx.geo
        w, _ = g.size
        bw, bh, gap = g.px(400), g.px(190), g.px(36)
        per_row = 4
        if g.portrait:  # two a row, four rows
            per_row, bh = 2, g.px(170)
            bw = min(g.px(460), (w - 2 * g.margin - gap) // 2)
        n_rows = -(-len(plan.AGE_BANDS) // per_row)
        hint_h = render.font(g.fs(48)).get_linesize()
        top = qr.bottom + hint_h + g.px(50)
        top = min(top, below - n_rows * bh - (n_rows - 1) * gap)
        m = ctx.state.pain_map
        given = m.extra_answers.get(plan.AGE_RANGE_KEY) if m is not None else None
        rows = tuple(plan.AGE_BANDS[i:i + per_row] for i in range(0, len(plan.AGE_BANDS), per_row))
        for r, bands in enumerate(rows):
            x0 = (w - (len(bands) * bw + (len(bands) - 1) * gap)) // 2
            for i, band in enumerate(bands):
                bid = f"age:{band.id}"
                out[bid] = KButton(bid, pygame.Rect(x0 + i * (bw + gap), top + r * (bh + gap), bw, bh),
                                   ctx.t(f"age_{band.id}"), g.fs(68), "choice", on=(given == band.range_text),
                                   action=("answer", band.id))

    def _keypad(self, out: dict[str, KButton], qr: pygame.Rect, below: int) -> None:
        ctx = self.ctx
        g = ctx.geo
        w, _ = g.size
        kw_, kh, gap = g.px(170), g.px(118), g.px(16)
        pad_w, pad_h = 3 * kw_ + 2 * gap, 4 * kh + 3 * gap
        side_w = g.px(380)
        total = pad_w + g.px(80) + side_w
        x0 = (w - total) // 2
        hint_h = render.font(g.fs(48)).get_linesize()
        y0 = qr.bottom + hint_h + g.px(40)
        y0 = min(y0, below - pad_h)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0"]
        for i, key_ in enumerate(keys):
            r, c = divmod(i, 3)
            label = ctx.t("keypad_delete") if key_ == "del" else key_
            out[f"key:{key_}"] = KButton(f"key:{key_}", pygame.Rect(x0 + c * (kw_ + gap), y0 + r * (kh + gap),
                                                                     kw_, kh),
                                         label, g.fs(72 if key_ != "del" else 44), "key", max_lines=1,
                                         action=("delete",) if key_ == "del" else ("digit", key_))
        sx = x0 + pad_w + g.px(80)
        self.number_display = pygame.Rect(sx, y0, side_w, kh + gap + g.px(20))
        nh = g.px(150)
        out["age_next"] = KButton("age_next", pygame.Rect(sx, y0 + pad_h - nh - g.px(130) - gap, side_w, nh),
                                  ctx.t("next"), g.fs(68), "primary", enabled=bool(ctx.state.digits))
        out["age_skip"] = KButton("age_skip", pygame.Rect(sx, y0 + pad_h - g.px(120), side_w, g.px(120)),
                                  ctx.t("skip"), g.fs(56))

    def spoken(self) -> list[str] | None:
        """A red-flag page reads each question with its answers; other questions read what they show."""
        q = self.ctx.kiosk.current_question
        return self.flags.spoken() if q is not None and q[1] == "redflags" else None

    def activate(self, action: tuple, now: float) -> None:
        ctx, k = self.ctx, self.ctx.kiosk
        if k.current_question is not None and k.current_question[1] == "redflags" and self.flags.activate(action):
            return
        kind = action[0]
        if kind == "answer":
            k.answer(action[1])
        elif kind == "digit":
            new = action[1] if ctx.state.digits == "0" else ctx.state.digits + action[1]
            if len(new) <= 3 and int(new) <= 120:
                ctx.state.digits = new
        elif kind == "delete":
            ctx.state.digits = ctx.state.digits[:-1]
        elif kind == "age_next" and ctx.state.digits:
            k.answer(int(ctx.state.digits))
        elif kind == "age_skip":
            k.answer(None)
        elif kind == "qback":
            k.previous()

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        surface.fill(BG)
        k = ctx.kiosk
        key, kind = k.current_question
        w, h = g.size
        if kind == "redflags":
            self.flags.draw(surface)
            return
        n = k.session.question + 1
        # the question's number (the short flow does not know its length in advance: no "of total"), so that
        # one screen never looks like the one before it
        label = ctx.t("question_count", n=n, total=len(k.questions)) if not k.short_flow else \
            ctx.t("question_number", n=n)
        ctx.texts.block(surface, label, self.number_rect(), g.fs(46), MUTED, max_lines=1, align="left")
        qr = self.text_rect()
        ctx.texts.block(surface, self.words(key), qr, g.fs(80), TEXT, max_lines=4, min_size=g.fs(48))
        buttons = self.buttons()
        if kind == "scale":
            for v in range(11):
                ctx.words.heard_key(f"say_{v}")  # "Listen" says the numbers, after the question
            first, last = buttons["scale:0"].rect, buttons["scale:10"].rect
            half = (last.right - first.left) // 2 - g.px(20)
            y = first.bottom + g.px(20)
            ctx.texts.block(surface, ctx.t("q_intensity_low"), pygame.Rect(first.left, y, half, g.px(140)),
                            g.fs(46), TEXT, align="left", max_lines=2)
            ctx.texts.block(surface, ctx.t("q_intensity_high"), pygame.Rect(last.right - half, y, half, g.px(140)),
                            g.fs(46), TEXT, align="right", max_lines=2)
        elif kind == "decade":
            ctx.texts.block(surface, ctx.t("age_band_hint"), pygame.Rect(qr.left, qr.bottom + g.px(16), qr.width,
                                                                         g.px(60)),
                            g.fs(48), MUTED, max_lines=1)
        elif kind == "number":
            ctx.texts.block(surface, ctx.t("age_hint"), pygame.Rect(qr.left, qr.bottom + g.px(16), qr.width,
                                                                    g.px(60)),
                            g.fs(48), MUTED, max_lines=1)
            r = self.number_display
            pygame.draw.rect(surface, WHITE, r, border_radius=g.px(12))
            pygame.draw.rect(surface, BORDER, r, width=max(2, g.px(4)), border_radius=g.px(12))
            if ctx.state.digits:
                t = ctx.texts.surf(ctx.state.digits, g.fs(120), TEXT)
                surface.blit(t, t.get_rect(center=r.center))
