"""The per-worker token cache forgets on time and on revocation."""

from inventory.auth import TokenCache
from inventory.models import Role
from inventory.services.users import Principal

WHO = Principal(id=1, email="a@example.org", role=Role.ADMIN, organisation_id=None)


def test_an_entry_lives_for_its_ttl_only():
    cache = TokenCache()
    cache.put("k", WHO, ttl=30, now=100.0)
    assert cache.get("k", now=129.9) == WHO
    assert cache.get("k", now=130.0) is None


def test_forget_removes_at_once():
    cache = TokenCache()
    cache.put("k", WHO, ttl=30, now=0.0)
    cache.forget("k")
    assert cache.get("k", now=1.0) is None


def test_the_cache_never_grows_past_its_bound():
    cache = TokenCache()
    for n in range(TokenCache.MAX_ENTRIES + 5):
        cache.put(str(n), WHO, ttl=30, now=0.0)
    assert len(cache._entries) <= TokenCache.MAX_ENTRIES
