"""Health surveys: models, services, forms, permissions, views (the blueprints), cli and demo at the top, and
one sub-package per stage — `building` (settings, pages, questions, the shipped template), `answering` (answer
rules, web and paper answering), `results` (figures, disclosure-controlled presentation, charts) and
`exports` (row builders handed to consult.exports' writers)."""
