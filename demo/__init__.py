"""The demo consortium, at the top of the house: `demo.load.load_demo()` builds it,
and `manage.py load_demo` and `demo_logins` are its commands. No app imports it."""
