"""Building a survey: settings, status, pages, questions, conditions, access codes, and the shipped template."""
