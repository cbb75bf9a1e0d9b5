"""The single sign-on rule's pure parts: which email to trust, which groups, which role."""

import pytest

from inventory.models import Role
from inventory.services.sso import groups_in, role_from_groups, verified_email

GROUPS = {"g-admins": "admin", "g-advocates": "advocate", "g-warehouse": "warehouse", "g-partners": "partner"}


@pytest.mark.parametrize(
    "claims, email",
    [
        ({"email": " Ana@Example.ORG ", "email_verified": True}, "ana@example.org"),
        ({"email": "ana@example.org", "email_verified": "true"}, "ana@example.org"),
        ({"email": "ana@example.org", "xms_edov": True}, "ana@example.org"),  # Microsoft Entra ID
        ({"email": "ana@example.org", "email_verified": False}, None),
        ({"email": "ana@example.org", "email_verified": "false"}, None),
        ({"email": "ana@example.org", "email_verified": 1}, None),
        ({"email": "ana@example.org"}, None),
        ({"email_verified": True}, None),
        ({"email": "not an email", "email_verified": True}, None),
        ({"email": ["ana@example.org"], "email_verified": True}, None),
    ],
)
def test_an_email_is_trusted_only_when_the_provider_says_it_is_verified(claims, email):
    assert verified_email(claims) == email


def test_groups_come_from_the_configured_claim_as_a_list_or_one_string():
    assert groups_in({"groups": ["a", "b", 3]}, "groups") == ["a", "b"]
    assert groups_in({"roles": "a"}, "roles") == ["a"]
    assert groups_in({"_claim_names": {"groups": "src1"}}, "groups") == []  # Entra ID's groups overage


def test_a_role_comes_from_a_mapped_group_and_the_most_powerful_wins():
    assert role_from_groups(["other", "g-advocates"], GROUPS) == Role.ADVOCATE
    assert role_from_groups(["g-advocates", "g-admins"], GROUPS) == Role.ADMIN
    assert role_from_groups(["g-partners", "g-warehouse"], GROUPS) == Role.WAREHOUSE
    assert role_from_groups(["other"], GROUPS) is None
    assert role_from_groups([], {}) is None
