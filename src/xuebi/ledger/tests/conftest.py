"""Ledger fixtures (campaign, kinds) are shared: see xuebi.testing.fixtures; helpers in xuebi.testing.helpers."""
