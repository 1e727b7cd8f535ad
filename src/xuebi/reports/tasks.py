"""The reports app's background work, registered with the jobs module from ``ReportsConfig.ready``."""

from __future__ import annotations


def register() -> None:
    pass
