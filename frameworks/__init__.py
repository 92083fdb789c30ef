"""Reference data the team imports: local authorities, members, suppliers,
frameworks, lots, contracts, valuations, delivery plans."""
