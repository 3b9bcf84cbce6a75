"""The rules of working groups, sign-ups and the waitlist, meetings and events (schedule, registrations,
attendance, minutes and ideas), reminders, calendar feeds, participation figures.

Every service takes the actor, checks what it may do (PermissionDenied otherwise), adds and flushes, never
commits. The working groups' own services (`groups`) are importable from this package.
"""
from consult.groups.services.groups import (  # noqa: F401
    TITLES,
    CompositionLine,
    GroupData,
    RosterLine,
    composition,
    compositions,
    create_group,
    current_axes,
    first_name,
    groups_by_axis,
    groups_of,
    group_page,
    groups_of_user,
    member_roster,
    recruiting_groups,
    signup_counts,
    signups_by_status,
    update_group,
)
