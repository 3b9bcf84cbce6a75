"""From one contract to the next: import an action plan from a spreadsheet, copy fiches between contracts."""
