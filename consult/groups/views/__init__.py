"""Blueprints of working groups and meetings: public pages, sign-ups, management, calendars, exports."""
