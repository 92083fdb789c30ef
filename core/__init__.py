"""Helpers every app uses: rounding and number fields, xlsx guards and readers,
bulk writes, exports, history rows, admin mixins, file-type checks, chart geometry.

The bottom of the house: nothing here imports an app of the portal
(tests/test_architecture.py checks it)."""
