"""Working groups and meetings: sign-ups with capacity and waitlist, events, attendance, minutes."""
