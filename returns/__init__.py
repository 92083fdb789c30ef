"""The returns app: reporting years, measures, returns, lines, entries, evidence,
case studies, notifications and events, with the pages of all three roles."""
