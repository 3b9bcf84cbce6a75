"""Pages that gather what several packages hold, above them all: the site home (territories), a territory's
home (its contract, open surveys, recruiting groups, open calls), its management pages (territory, contracts
and the accounts appointed to it) and a person's participation (groups, meetings, proposals)."""
