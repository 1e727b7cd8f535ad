"""The ``study`` fixture is shared: see xuebi.testing.fixtures; helpers (days, add_item, log) in xuebi.testing.helpers."""
