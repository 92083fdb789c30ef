"""The read-only JSON API (`/api/v1/`), its tokens, the open data of published years
(CSV, JSON and an OCDS release package) and members' scheduled extracts."""
