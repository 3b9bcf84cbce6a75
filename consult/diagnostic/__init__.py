"""Territory-wide files: the diagnostic workbook, the data package, the consultation report and the action plan,
built in the background (Huey) and kept for a set time."""
