"""Forms of the returns pages, one module per page or concern: a line's figures,
evidence and case studies, chasing, the team's review, reporting years."""
