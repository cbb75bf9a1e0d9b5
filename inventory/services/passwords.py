"""What makes a password acceptable: its length, then how guessable a strength estimator finds it."""

from __future__ import annotations

from zxcvbn import zxcvbn

from ..errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's score: 0 too guessable ... 4 very unguessable. 3 is "safely unguessable" (about 10^10
# guesses), what its authors suggest for accounts that protect something of value.
MIN_SCORE = 3


def check_new_password(password: str, *, field: str = "password", personal: tuple[str, ...] = ()) -> None:
    """Refuse a password that is too short, too long, or guessable. `personal` are the user's own
    details (email, name): a password built from them is guessable by anyone who knows them."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("The password is too short", {field: [f"At least {MIN_LENGTH} characters."]})
    if len(password) > MAX_LENGTH:
        raise InvalidInput("The password is too long", {field: [f"At most {MAX_LENGTH} characters."]})
    hints = [part for value in personal if value for part in (value, *value.replace("@", " ").split())]
    result = zxcvbn(password, user_inputs=hints)
    if result["score"] < MIN_SCORE:
        advice = result["feedback"].get("warning") or "It would be easy to guess."
        suggestions = " ".join(result["feedback"].get("suggestions") or ["Use three or four unrelated words."])
        raise InvalidInput(
            "The password is too easy to guess",
            {field: [f"{advice} {suggestions}".strip()]},
        )


def within_bounds(password: str) -> bool:
    """Cheap check before any hashing: a sign-in with a 15 MiB password must not cost a second of CPU."""
    return 0 < len(password) <= MAX_LENGTH
