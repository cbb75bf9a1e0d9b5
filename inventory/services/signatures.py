"""Signatures: drawn with a finger (kept as SVG we write ourselves) or verbal (read aloud and agreed,
with the advocate's note). Every door that takes one (the loans API, returns, assessments, the pages)
comes here, so a signature is checked the same way wherever it arrives.

A drawn signature is untrusted markup from a browser. We never keep what was sent: it is parsed, every
element must be a path or a polyline whose only data is numbers, and a fresh SVG is written from those
numbers alone, so no script, link, style or entity can reach a PDF or a page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import NoReturn

from ..errors import InvalidInput
from ..extensions import db
from ..models import Actor, Signature, SignatureMethod

MAX_SVG_CHARS = 200_000  # a long signature drawn at a phone's pointer rate is about 20 KB
MAX_STROKES = 500
MAX_NUMBERS = 40_000
MAX_COORDINATE = 10_000
MAX_NOTE = 1000
SVG_NS = "{http://www.w3.org/2000/svg}"
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_RE = re.compile(NUMBER)
_PATH_TOKEN = re.compile(rf"\s*,?\s*([MmLlHhVvCcSsQqTtAaZz]|{NUMBER})")
_IGNORED = {"fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin"}  # our own style replaces them


def _refuse(message: str, field: str = "svg") -> NoReturn:
    raise InvalidInput(f"The drawn signature cannot be kept: {message}", {"signature": {field: [message]}})


def _number(text: str) -> float:
    value = float(text)
    if not -MAX_COORDINATE <= value <= MAX_COORDINATE:
        _refuse(f"the number {text} is out of range (at most {MAX_COORDINATE} either way)")
    return value


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _numbers(text: str, what: str) -> list[float]:
    if not re.fullmatch(rf"\s*(?:{NUMBER}(?:\s*,?\s*|\s+))*\s*", text):
        _refuse(f"{what} holds something other than numbers")
    return [_number(n) for n in _NUMBER_RE.findall(text)]


def _path(d: str) -> str:
    tokens, at = [], 0
    d = d.strip()
    while at < len(d):
        match = _PATH_TOKEN.match(d, at)
        if not match or match.end() == at:
            _refuse("a path holds something other than drawing commands and numbers")
        token = match.group(1)
        tokens.append(token if token.isalpha() else _fmt(_number(token)))
        at = match.end()
    if not tokens or tokens[0] not in "Mm":
        _refuse("a path must start with a move (M)")
    return " ".join(tokens)


def clean_svg(given: str) -> tuple[str, int]:
    """Our own SVG of the strokes in `given`, and how many numbers it holds; refuses anything else."""
    if len(given) > MAX_SVG_CHARS:
        _refuse(f"it is larger than {MAX_SVG_CHARS} characters")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", given)
    if "<!" in text or "<?" in text:  # no DOCTYPE, entity, comment, CDATA or processing instruction
        _refuse("it holds a declaration, comment or processing instruction")
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        _refuse("it is not well-formed SVG")
    if root.tag not in ("svg", SVG_NS + "svg"):
        _refuse("it is not an <svg> element")
    box = _numbers(root.get("viewBox", ""), "viewBox")
    if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
        _refuse("viewBox must be four numbers with a positive width and height")
    unknown = set(root.attrib) - {"viewBox", "width", "height"}
    if unknown:
        _refuse(f"the <svg> element has attributes we do not keep: {', '.join(sorted(unknown))}")
    strokes, count = [], 0
    elements = list(root)
    if root.text and root.text.strip():
        _refuse("it holds text")
    if len(elements) > MAX_STROKES:
        _refuse(f"it has more than {MAX_STROKES} strokes")
    for element in elements:
        name = element.tag.removeprefix(SVG_NS)
        if name not in ("path", "polyline"):
            _refuse(f"it holds a <{name}> element; only <path> and <polyline> strokes are kept")
        if len(element) or (element.text and element.text.strip()) or (element.tail and element.tail.strip()):
            _refuse(f"a <{name}> element holds something inside it")
        extra = set(element.attrib) - _IGNORED - {"d", "points"}
        if extra:
            _refuse(f"a <{name}> element has attributes we do not keep: {', '.join(sorted(extra))}")
        if name == "polyline":
            points = _numbers(element.get("points", ""), "a polyline's points")
            if len(points) < 2 or len(points) % 2:
                _refuse("a polyline's points must be pairs of numbers")
            count += len(points)
            strokes.append(f'<polyline points="{" ".join(_fmt(p) for p in points)}"/>')
        else:
            d = _path(element.get("d", ""))
            count += len(_NUMBER_RE.findall(d))
            strokes.append(f'<path d="{d}"/>')
        if count > MAX_NUMBERS:
            _refuse(f"it holds more than {MAX_NUMBERS} numbers")
    if not strokes:
        _refuse("nothing was drawn")
    view = " ".join(_fmt(n) for n in box)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view}" width="{_fmt(box[2])}" height="{_fmt(box[3])}">'
        '<g fill="none" stroke="#000" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round">'
        + "".join(strokes)
        + "</g></svg>"
    )
    return svg, count


def check(given: dict | None, *, required: bool, what: str) -> dict | None:
    """The signature as we would store it ({"method", "svg", "note"}), or None when none was given and
    none is needed. Refuses (422) a required one that is missing, and a drawn one we cannot keep."""
    if not given or not given.get("method"):
        if required:
            raise InvalidInput(
                f"This programme needs the participant's signature for {what}: drawn on the screen, or "
                "verbal (read aloud and agreed) with a note saying why",
                {"signature": ["Required by this programme: drawn, or verbal with a note."]},
            )
        return None
    method = SignatureMethod(given["method"])
    if method == SignatureMethod.DRAWN:
        svg = (given.get("svg") or "").strip()
        if not svg:
            _refuse("nothing was drawn")
        return {"method": method, "svg": clean_svg(svg)[0], "note": None}
    note = (given.get("note") or "").strip()
    if not note:
        raise InvalidInput(
            "A verbal signature needs the advocate's note: that the agreement was read aloud and agreed, and why "
            "they could not sign",
            {"signature": {"note": ["Say that it was read aloud and agreed, and why they could not sign."]}},
        )
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            f"The note is longer than {MAX_NOTE} characters", {"signature": {"note": [f"At most {MAX_NOTE}."]}}
        )
    return {"method": method, "svg": None, "note": note}


def record(checked: dict | None, participant_id: int, actor: Actor, today: date) -> Signature | None:
    """Store a signature that check() accepted (part of the caller's transaction)."""
    if checked is None:
        return None
    signature = Signature(participant_id=participant_id, recorded_by_id=actor.id, signed_on=today, **checked)
    db.session.add(signature)
    db.session.flush()
    return signature
