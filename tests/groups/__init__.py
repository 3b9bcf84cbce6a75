"""Working groups, meetings, calendar, reminders, participation figures and exports."""
