"""Working groups and meetings: sign-ups with capacity and waitlist, events, attendance, minutes.

models, forms, mails, permissions, exports, cli and demo at the top; the rules in `services/`; the blueprints
in `views/`."""
