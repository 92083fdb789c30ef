"""Reads that pages, exports and reports share, one module per page or concern.

Each returns QuerySets or plain data with its joins and annotations applied; a read
that depends on who asks takes `user=`. Figures (targets, delivered, shortfall) are
defined once in `returns.figures`; these modules select and shape them for a page.
"""
