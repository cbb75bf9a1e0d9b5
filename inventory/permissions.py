"""Who may do what: DESIGN.md's role table, in one place."""

from __future__ import annotations

import enum

from .models import Role


class Permission(enum.StrEnum):
    READ_REFERENCE = "read_reference"      # programmes, organisations, locations, kit templates
    WRITE_REFERENCE = "write_reference"
    MANAGE_USERS = "manage_users"
    HANDLE_STOCK = "handle_stock"          # receive, import, label, move, kits, quarantine, repair, retire
    LOOK_UP = "look_up"                    # scan and asset look-up (partners: stock fields only)
    READ_HISTORY = "read_history"
    READ_STOCK = "read_stock"              # partners: own locations plus network-wide availability


ALL = frozenset(Role)
GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.READ_REFERENCE: ALL,
    Permission.WRITE_REFERENCE: frozenset({Role.ADMIN}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    Permission.HANDLE_STOCK: frozenset({Role.ADMIN, Role.WAREHOUSE}),
    Permission.LOOK_UP: ALL,
    # Histories name staff and, later, loans: not for partners.
    Permission.READ_HISTORY: frozenset({Role.ADMIN, Role.WAREHOUSE, Role.ADVOCATE}),
    Permission.READ_STOCK: ALL,
}


def allowed(role: Role, permission: Permission) -> bool:
    return role in GRANTS[permission]


def sees_everything(role: Role) -> bool:
    """Partners are confined to their own organisation's locations; everyone else sees the network."""
    return role != Role.PARTNER
