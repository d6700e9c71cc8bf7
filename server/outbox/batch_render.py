"""Rendering many mails of one kind fast: a message to 2,000 guides is a few shapes, not 2,000 renders.

Mails of one kind and language whose context differs only in its text values (name, link, code …) share
a *shape*: rendered once with a unique marker in place of each text value, every further mail is that
rendering with the markers replaced (HTML-escaped in the HTML part, as Jinja would). A shape is trusted
only after its first mail came out identical both ways (rendered normally, and filled in); otherwise,
and for contexts with other kinds of values (the digest's lists), each mail is rendered normally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from server.outbox.render import RenderedMail, render_mail

# Private-use characters: never whitespace (the subject's spaces are folded), never escaped in HTML.
_OPEN, _CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True)
class _Recipient:
    """What the templates read of the recipient, as markers."""

    name: str
    email: str


def _plain(value: str) -> bool:
    """A text that goes into a mail as it is: not empty (an empty one may decide an `if`), no runs of
    whitespace (the subject, also the HTML's title, folds them), no marker characters."""
    return bool(value) and " ".join(value.split()) == value and _OPEN not in value and _CLOSE not in value


def _marker(index: int) -> str:
    return f"{_OPEN}{index}{_CLOSE}"


class MailShapes:
    """One batch's renderer for one mail kind: `render(locale, recipient, context)` like `render_mail`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._shapes: dict[tuple[Any, ...], _Shape | None] = {}
        self._seen: set[tuple[Any, ...]] = set()

    def render(self, locale: str, recipient: Any, context: dict[str, Any]) -> RenderedMail:
        texts = {"recipient.name": recipient.name or "", "recipient.email": recipient.email or ""}
        fixed: list[tuple[str, Any]] = []
        for key, value in sorted(context.items()):
            if isinstance(value, str):
                texts[key] = value
            elif value is None or isinstance(value, bool | int):
                fixed.append((key, value))
            else:
                return render_mail(self.kind, locale, recipient=recipient, **context)
        if not all(_plain(value) for value in texts.values()):
            return render_mail(self.kind, locale, recipient=recipient, **context)
        keys = tuple(texts)
        shape_key = (locale, keys, tuple(fixed))
        values = list(texts.values())
        if shape_key not in self._seen:
            # A shape pays only from a shape's second mail on: a lone mail (a reset link) renders once.
            self._seen.add(shape_key)
            return render_mail(self.kind, locale, recipient=recipient, **context)
        if shape_key not in self._shapes:
            real = render_mail(self.kind, locale, recipient=recipient, **context)
            markers = {key: _marker(i) for i, key in enumerate(keys)}
            stand_in = _Recipient(name=markers["recipient.name"], email=markers["recipient.email"])
            shape = _Shape.of(render_mail(self.kind, locale, recipient=stand_in, **dict(fixed),
                                          **{k: m for k, m in markers.items() if not k.startswith("recipient.")}))
            self._shapes[shape_key] = shape if _fill(shape, values) == real else None
            return real
        shape = self._shapes[shape_key]
        if shape is None:
            return render_mail(self.kind, locale, recipient=recipient, **context)
        return _fill(shape, values)


_MARKER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


@dataclass(frozen=True)
class _Shape:
    """A rendering with markers, split at them: literal, marker index, literal, … (joined when filled)."""

    subject: list[str | int]
    text: list[str | int]
    html: list[str | int]

    @classmethod
    def of(cls, mail: RenderedMail) -> _Shape:
        def split(template: str) -> list[str | int]:
            parts: list[str | int] = list(_MARKER.split(template))
            for i in range(1, len(parts), 2):
                parts[i] = int(parts[i])
            return parts
        return cls(subject=split(mail.subject), text=split(mail.text), html=split(mail.html))


def _join(parts: list[str | int], values: list[str]) -> str:
    return "".join(values[p] if isinstance(p, int) else p for p in parts)


def _fill(shape: _Shape, values: list[str]) -> RenderedMail:
    escaped = [str(escape(v)) for v in values]
    return RenderedMail(subject=" ".join(_join(shape.subject, values).split()), text=_join(shape.text, values),
                        html=_join(shape.html, escaped))
