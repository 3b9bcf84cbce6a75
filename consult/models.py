"""Import every model so that Alembic and the test schema see the whole metadata."""
from consult.accounts.models import LoginSession, TerritoryRole, User  # noqa: F401
from consult.core.audit import AuditEvent  # noqa: F401
from consult.core.pagecache import PageStamp  # noqa: F401
from consult.core.ratelimit import RateLimitCounter  # noqa: F401
from consult.territories.models import (  # noqa: F401
    Axis,
    Commune,
    Contract,
    ContractPartner,
    Epci,
    Objective,
    Territory,
)
from consult.groups.models import (  # noqa: F401
    Attendance,
    CalendarFeed,
    GroupTarget,
    Idea,
    Meeting,
    Registration,
    Reminder,
    Signup,
    WorkingGroup,
)
from consult.surveys.models import (  # noqa: F401
    AccessCode,
    Answer,
    Draft,
    Option,
    PanelContact,
    Question,
    Response,
    Survey,
    SurveyPage,
)
from consult.surveys.releases.models import SurveyRelease  # noqa: F401
from consult.proposals.models import (  # noqa: F401
    Call,
    CallParticipant,
    Comment,
    Follower,
    ModerationEvent,
    PriorityBallot,
    PriorityChoice,
    PriorityVote,
    Proposal,
    Report,
    Support,
)
from consult.synthesis.models import (  # noqa: F401
    Avenant,
    BodyMember,
    BodySession,
    Citation,
    Decision,
    DecisionFiche,
    Fiche,
    FichePartner,
    FicheVersion,
    FollowUpNote,
    Funding,
    GovernanceBody,
    Indicator,
    IndicatorValue,
    QuestionLink,
    StatusChange,
    Step,
    TaggedText,
)
from consult.diagnostic.models import ExportJob, FileDownload  # noqa: F401
