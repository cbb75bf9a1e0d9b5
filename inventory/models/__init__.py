"""What is stored: one module per aggregate. Importing this package registers every table."""

# Each registers its flush and commit hooks: tallying keeps the counts, involvement participants' last day.
from . import involvement, tallying  # noqa: F401, E402
from .access_log import AccessAction, AccessChannel, AccessLogEntry  # noqa: F401
from .assessments import Assessment, Transfer, TransferItem, Venue  # noqa: F401, E402
from .assets import (  # noqa: F401
    ASSET_ACTIONS,
    AVAILABLE,
    DATA_BEARING,
    HAS_MODEM,
    HELD,
    MOVABLE,
    NEEDS_SERIAL,
    RULES,
    TRANSITIONS,
    Asset,
    AssetAction,
    AssetStatus,
    AssetType,
    Condition,
    RetireReason,
)
from .background_jobs import BackgroundJob, JobStatus  # noqa: F401, E402
from .columns import as_utc, utcnow  # noqa: F401
from .counts import (  # noqa: F401, E402
    NO_TEMPLATE,
    PLANS_OPEN_BY_END,
    TALLIES,
    Delivery,
    DeliveryContent,
    KitCount,
    OutcomeCount,
    OutcomeMonthCount,
    StockCount,
    Tally,
    month_of,
    plan_stop,
)
from .events import Event, Snapshot  # noqa: F401
from .found_reports import FoundReport  # noqa: F401, E402
from .idempotency import IdempotencyKey  # noqa: F401, E402
from .involvement import LastInvolved  # noqa: F401, E402
from .kept_forms import KeptForm  # noqa: F401, E402
from .kits import KIT_ACTIONS, KIT_TRANSITIONS, Kit, KitAction, KitStatus, KitTemplate, KitTemplateLine  # noqa: F401
from .loan_changes import LoanSwap, SimToBar  # noqa: F401, E402
from .loans import DataPlan, ItemClosure, Loan, LoanItem, PlanStatus  # noqa: F401, E402
from .logistics import (  # noqa: F401, E402
    CONSIGNMENT_RULES,
    REQUEST_RULES,
    Consignment,
    ConsignmentAction,
    ConsignmentItem,
    ConsignmentStatus,
    ItemOutcome,
    RequestAction,
    RequestStatus,
    StockRequest,
    StockRequestLine,
)
from .notifications import (  # noqa: F401, E402
    NOT_DELIVERED,
    Channel,
    DeliveryStatus,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from .paperwork import Agreement, Signature, SignatureMethod, text_sha256  # noqa: F401, E402
from .participants import Participant, ReferralSource  # noqa: F401, E402
from .reference import (  # noqa: F401
    DEFAULT_REMINDER_DAYS,
    Area,
    Location,
    LocationKind,
    Organisation,
    OwnershipRule,
    Programme,
)
from .reference_changes import ReferenceAction, ReferenceChange  # noqa: F401, E402
from .scheduler_status import HEARTBEAT, SchedulerStatus  # noqa: F401
from .stocktakes import (  # noqa: F401, E402
    MissingChoice,
    Outcome,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    UnexpectedChoice,
)
from .tag_counter import TagCounter, allocate_tags  # noqa: F401
from .users import Actor, ApiToken, RecoveryCode, Role, SignInFailure, User, WebSession, hash_token  # noqa: F401
