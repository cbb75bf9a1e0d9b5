"""Single sign-on's matching and provisioning rule (services.sso) against the database."""

import pytest
import sqlalchemy as sa

from inventory.errors import Forbidden
from inventory.extensions import db, unit_of_work
from inventory.models import Role, User
from inventory.services import reference, users
from inventory.services.sso import DEACTIVATED, NO_PARTNERS, UNKNOWN, UNVERIFIED, sign_in_with_claims

GROUPS = {"g-admins": "admin", "g-advocates": "advocate", "g-partners": "partner"}


def claims(email="ana@example.org", verified=True, groups=(), **more):
    return {"sub": "s-1", "email": email, "email_verified": verified, "groups": list(groups), **more}


def sign_in(claims):
    with unit_of_work():
        result = sign_in_with_claims(claims, role_groups=GROUPS, groups_claim="groups")
        return result.user.id, result.user.role, result.created, result.previous_role


@pytest.fixture
def ana():
    with unit_of_work():
        user, _ = users.create_user("ana@example.org", "advocate", password="correct horse battery")
        return user.id


def test_a_known_user_with_a_verified_email_signs_in_as_they_are(ana):
    assert sign_in(claims(email="ANA@example.org")) == (ana, Role.ADVOCATE, False, None)


def test_an_unverified_email_is_refused_even_for_a_known_user(ana):
    with pytest.raises(Forbidden) as refused:
        sign_in(claims(verified=False, groups=["g-admins"]))
    assert refused.value.message == UNVERIFIED
    assert db.session.get(User, ana).role == Role.ADVOCATE


def test_a_deactivated_user_is_refused_and_keeps_their_role(ana):
    with unit_of_work():
        db.session.get(User, ana).active = False
    with pytest.raises(Forbidden) as refused:
        sign_in(claims(groups=["g-admins"]))
    assert refused.value.message == DEACTIVATED
    assert db.session.get(User, ana).role == Role.ADVOCATE


def test_a_mapped_group_sets_a_known_users_role(ana):
    assert sign_in(claims(groups=["g-admins"])) == (ana, Role.ADMIN, False, Role.ADVOCATE)
    assert db.session.get(User, ana).role == Role.ADMIN


def test_without_a_mapped_group_a_known_user_keeps_their_role(ana):
    assert sign_in(claims(groups=["somewhere-else"]))[1] == Role.ADVOCATE


def test_a_new_person_in_a_mapped_group_is_created_with_that_role_and_no_password():
    user_id, role, created, _ = sign_in(claims(email="new@example.org", groups=["g-advocates"], name=" Nia Jones "))
    assert (role, created) == (Role.ADVOCATE, True)
    user = db.session.get(User, user_id)
    assert (user.email, user.name, user.password_hash, user.active) == ("new@example.org", "Nia Jones", None, True)
    assert sign_in(claims(email="new@example.org", groups=["g-advocates"]))[:3] == (user_id, Role.ADVOCATE, False)


def test_an_unknown_person_without_a_mapped_group_is_refused_and_nothing_is_stored():
    with pytest.raises(Forbidden) as refused:
        sign_in(claims(email="stranger@example.org", groups=["somewhere-else"]))
    assert refused.value.message == UNKNOWN
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_nobody_is_created_or_made_a_partner_by_a_group(ana):
    with pytest.raises(Forbidden) as refused:
        sign_in(claims(email="new@example.org", groups=["g-partners"]))
    assert refused.value.message == NO_PARTNERS
    with pytest.raises(Forbidden):
        sign_in(claims(groups=["g-partners"]))  # ana has no organisation
    assert db.session.get(User, ana).role == Role.ADVOCATE


def test_a_partner_in_the_partner_group_signs_in():
    with unit_of_work():
        reference.create_organisation(code="HUB", name="Hub")
        partner, _ = users.create_user("p@example.org", "partner", organisation="HUB", password="correct horse battery")
        partner_id = partner.id
    assert sign_in(claims(email="p@example.org", groups=["g-partners"]))[:2] == (partner_id, Role.PARTNER)
