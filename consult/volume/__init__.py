"""Volume data: `flask seed-volume` fills territories with the numbers of a regional platform, fast.

Territories (real-looking communes, a contract, axes, objectives) are made through the capabilities' services, once
each; the big tables (accounts, responses and their answers, proposals, supports, comments, sign-ups,
registrations) are written in bulk by `bulk.Bulk`: ids assigned by the seeder, one executemany per chunk on SQLite,
`COPY` on PostgreSQL, one transaction per chunk.
"""
