"""Template filters: the one formatting of figures, and helpers of the issuing and
query-email templates."""
