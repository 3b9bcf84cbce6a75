"""Models of the synthesis and of the action plan (fiches actions, governance, follow-up, evidence)."""
from consult.synthesis.models.evidence import (  # noqa: F401
    Citation,
    CitationKind,
    QuestionLink,
    TaggedText,
    TextSource,
)
from consult.synthesis.models.fiches import (  # noqa: F401
    Avenant,
    Fiche,
    FichePartner,
    FicheStatus,
    FicheVersion,
    FollowUpNote,
    Funding,
    FundingKind,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ParticipationLevel,
    PartnerRole,
    Priority,
    StatusChange,
    Step,
    StepState,
    TargetPublic,
    fiche_communes,
)
from consult.synthesis.models.governance import (  # noqa: F401
    BodyKind,
    BodyMember,
    BodySession,
    Decision,
    DecisionFiche,
    DecisionKind,
    GovernanceBody,
)
