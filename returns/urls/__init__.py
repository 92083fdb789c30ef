"""URL tables of the returns pages, one module per role (supplier, team, member) and
the public impact report."""
