"""Asset and kit tags: short, typeable, unique for ever, with a check character.

A tag is six body characters and one check character from a 31-symbol alphabet that leaves out the
characters people confuse (0/O, 1/I/L). Because 31 is prime, a weighted sum modulo 31 catches every
single mistyped character and every swap of two neighbours: the check never lets a typo resolve to
another asset.

Tags come from a counter (one number per tag, never reused), scrambled by a fixed permutation so that
neighbouring labels on a sheet do not look alike at a glance.
"""

from __future__ import annotations

import re

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, a prime
BODY_LENGTH = 6
TAG_LENGTH = BODY_LENGTH + 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_SPACE = BASE**BODY_LENGTH  # 887,503,681 six-character bodies
# An affine permutation of 0.._SPACE-1; the multiplier is coprime to 31**6, so every number maps to a
# different body. (Numbers past the six-character space simply get longer bodies.)
_MULTIPLIER = 618_033_989
_OFFSET = 271_828_182
_CONFUSABLE = re.compile(r"[01ILO]")
_SEPARATORS = re.compile(r"[\s\-_.]+")


class TagError(ValueError):
    """A code that looks like a tag but cannot be one; the message says why."""


def _check_value(body: str) -> int:
    # Weights 1..n over the body, and n+1 on the check character: the whole tag sums to 0 mod 31.
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(body))
    weight = len(body) + 1
    return (-total * pow(weight, -1, BASE)) % BASE


def with_check(body: str) -> str:
    return body + ALPHABET[_check_value(body)]


def _encode(number: int, length: int) -> str:
    chars: list[str] = []
    while number or len(chars) < length:
        number, digit = divmod(number, BASE)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def tag_for_number(number: int) -> str:
    """The tag for the n-th number the counter hands out (n >= 1)."""
    if number < 1:
        raise ValueError("tag numbers start at 1")
    if number < _SPACE:
        body = _encode((number * _MULTIPLIER + _OFFSET) % _SPACE, BODY_LENGTH)
    else:
        body = _encode(number, BODY_LENGTH + 1)
    return with_check(body)


def normalise(code: str) -> str:
    """What a person or scanner typed, as a tag would be written: upper case, no spaces or dashes."""
    return _SEPARATORS.sub("", code).upper()


def looks_like_tag(code: str) -> bool:
    """Shape only: the right length, and letters and digits of the kind tags are made of."""
    return len(code) >= TAG_LENGTH and len(code) <= TAG_LENGTH + 1 and code.isalnum() and code.isascii()


def is_valid(tag: str) -> bool:
    try:
        check(tag)
    except TagError:
        return False
    return True


def check(tag: str) -> str:
    """Return the tag if its characters and check character are right; raise TagError saying why."""
    if not tag:
        raise TagError("A tag is required: scan or type one")
    bad = sorted(set(_CONFUSABLE.findall(tag)))
    if bad:
        raise TagError(
            f"'{tag}' cannot be a tag: tags never contain {', '.join(bad)} "
            "(they leave out 0, 1, I, L and O so they cannot be confused)"
        )
    unknown = sorted({ch for ch in tag if ch not in _VALUE})
    if unknown:
        raise TagError(f"'{tag}' cannot be a tag: it contains {''.join(unknown)}")
    if _check_value(tag[:-1]) != _VALUE[tag[-1]]:
        raise TagError(f"'{tag}' failed its check character: a character is mistyped or two are swapped")
    return tag
