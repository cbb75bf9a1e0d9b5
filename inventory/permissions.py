"""Who may do what: DESIGN.md's role table, in one place."""

from __future__ import annotations

import enum

from .models import AssetAction, KitAction, Role


class Permission(enum.StrEnum):
    READ_REFERENCE = "read_reference"  # programmes, organisations, locations, kit templates
    WRITE_REFERENCE = "write_reference"
    MANAGE_USERS = "manage_users"
    HANDLE_STOCK = "handle_stock"  # receive, import, label, move, kits, quarantine, repair, retire
    LOOK_UP = "look_up"  # scan and asset look-up (partners: stock fields only)
    READ_HISTORY = "read_history"
    READ_STOCK = "read_stock"  # partners: own locations plus network-wide availability
    PARTICIPANTS = "participants"  # advocates: their own caseload
    ISSUE = "issue"  # issue loans, record assessments, extend data plans
    RETURN = "return"  # a loan's items, by the loan
    RETURN_BY_TAG = "return_by_tag"  # one item, by scanning it (partners too, at their hubs)
    READ_PLANS = "read_plans"
    REPORTS = "reports"
    PRIVACY = "privacy"  # subject access export, erasure, reassigning advocates
    ACCESS_LOG = "access_log"  # reading the personal-data access log
    # Hub logistics (DESIGN.md, "Hub logistics"); partners only for their own hubs (visibility.py).
    READ_REQUESTS = "read_requests"
    REQUEST_STOCK = "request_stock"
    DECIDE_REQUESTS = "decide_requests"  # approve or decline
    RECEIVE_CONSIGNMENT = "receive_consignment"
    PRINT_LABELS = "print_labels"  # one label at a time; partners for what is at their hubs
    STOCKTAKE = "stocktake"  # count a location (partners: their own hubs, by visibility)


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
    Permission.PARTICIPANTS: frozenset({Role.ADMIN, Role.ADVOCATE}),
    Permission.ISSUE: frozenset({Role.ADMIN, Role.ADVOCATE}),
    Permission.RETURN: frozenset({Role.ADMIN, Role.WAREHOUSE, Role.ADVOCATE}),
    # Partners take back an item on loan by its tag at their own hubs (services.returns checks the place).
    Permission.RETURN_BY_TAG: frozenset({Role.ADMIN, Role.WAREHOUSE, Role.ADVOCATE, Role.PARTNER}),
    Permission.READ_PLANS: frozenset({Role.ADMIN, Role.ADVOCATE}),
    Permission.REPORTS: frozenset({Role.ADMIN}),
    Permission.PRIVACY: frozenset({Role.ADMIN}),
    Permission.ACCESS_LOG: frozenset({Role.ADMIN}),
    Permission.READ_REQUESTS: frozenset({Role.ADMIN, Role.WAREHOUSE, Role.PARTNER}),
    Permission.REQUEST_STOCK: frozenset({Role.ADMIN, Role.PARTNER}),
    Permission.DECIDE_REQUESTS: frozenset({Role.ADMIN}),
    Permission.RECEIVE_CONSIGNMENT: frozenset({Role.ADMIN, Role.WAREHOUSE, Role.PARTNER}),
    Permission.PRINT_LABELS: frozenset({Role.ADMIN, Role.WAREHOUSE, Role.PARTNER}),
    Permission.STOCKTAKE: frozenset({Role.ADMIN, Role.WAREHOUSE, Role.PARTNER}),
}


# What a partner may see of an asset: its stock fields (DESIGN.md, roles). Used by the API and the pages.
PARTNER_ASSET_FIELDS = frozenset(
    {"tag", "type", "make", "model", "condition", "programme", "location", "status", "kit"}
)


# Which permission each action on an asset or a kit needs: with the models' rules of what the thing's
# state allows (models.assets.RULES, models.kits.KIT_RULES), the whole answer to "may this person do
# this now?", asked by scans, pages and services alike (see may_act below).
ACTION_PERMISSIONS: dict[AssetAction | KitAction, Permission] = {
    AssetAction.MOVE: Permission.HANDLE_STOCK,
    AssetAction.BUILD_KIT: Permission.HANDLE_STOCK,
    AssetAction.QUARANTINE: Permission.HANDLE_STOCK,
    AssetAction.RESTOCK: Permission.HANDLE_STOCK,
    AssetAction.REPAIR: Permission.HANDLE_STOCK,
    AssetAction.RETIRE: Permission.HANDLE_STOCK,
    AssetAction.ISSUE: Permission.ISSUE,
    AssetAction.RETURN: Permission.RETURN_BY_TAG,
    KitAction.MOVE: Permission.HANDLE_STOCK,
    KitAction.DISMANTLE: Permission.HANDLE_STOCK,
    KitAction.ISSUE: Permission.ISSUE,
}


def allowed(role: Role, permission: Permission) -> bool:
    return role in GRANTS[permission]


def whole_caseload(role: Role) -> bool:
    """Admins see every participant; advocates only those they are responsible for."""
    return role == Role.ADMIN


def sees_everything(role: Role) -> bool:
    """Partners are confined to their own organisation's locations; everyone else sees the network."""
    return role != Role.PARTNER


def may(role: Role, action: AssetAction | KitAction) -> bool:
    """Whether the role may take this action at all (the thing's state decides the rest)."""
    permission = ACTION_PERMISSIONS.get(action)
    return permission is not None and allowed(role, permission)


def sees_job(role: Role, viewer_id: int, requested_by_id: int | None) -> bool:
    """A background job (its progress and its file) is for the one who asked, and for admins."""
    return role == Role.ADMIN or (requested_by_id is not None and requested_by_id == viewer_id)
