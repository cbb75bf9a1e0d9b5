"""What a label says: its QR payload, the tag in large type, and a short line about the thing."""

from __future__ import annotations

from dataclasses import dataclass, field

from .payload import qr_payload


@dataclass(frozen=True)
class LabelContent:
    tag: str
    payload: str
    line: str  # e.g. "tablet · Galaxy Tab A9"
    items: tuple[str, ...] = field(default=())  # a kit's item tags

    @classmethod
    def for_asset(cls, base_url: str, tag: str, kind: str, model: str) -> LabelContent:
        return cls(tag=tag, payload=qr_payload(base_url, tag), line=f"{kind} · {model}")

    @classmethod
    def for_kit(cls, base_url: str, tag: str, items: list[str], template: str | None = None) -> LabelContent:
        what = f"kit {template}" if template else "kit"
        return cls(tag=tag, payload=qr_payload(base_url, tag), line=f"{what} · {len(items)} items", items=tuple(items))

    @classmethod
    def for_consignment(cls, base_url: str, tag: str, source: str, destination: str, items: int) -> LabelContent:
        """A box label: where it goes (location codes only), from where, and how many items it holds."""
        return cls(tag=tag, payload=qr_payload(base_url, tag), line=f"box {source} to {destination} · {items} items")

    def item_line(self, limit: int) -> str:
        """The kit's item tags, as many as fit in `limit` characters."""
        if not self.items:
            return ""
        text = " ".join(self.items)
        if len(text) <= limit:
            return text
        shown: list[str] = []
        for tag in self.items:
            rest = len(self.items) - len(shown) - 1
            candidate = " ".join(shown + [tag]) + (f" +{rest}" if rest else "")
            if len(candidate) > limit:
                break
            shown.append(tag)
        return " ".join(shown) + f" +{len(self.items) - len(shown)}"
