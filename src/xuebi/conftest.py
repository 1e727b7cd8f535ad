"""The shared fixtures (org, users, client_for, api, page, phone, campaign, kinds, theory, study …) live in
xuebi.testing.fixtures, registered here as a plugin; plain helpers are in xuebi.testing.helpers."""

from xuebi.testing.helpers import (  # noqa: F401  (old import path)
    PASSWORD,
    TEST_NOW,
    Api,
    add_person,
    make_id,
    make_user,
    sign_in,
)

pytest_plugins = ["xuebi.testing.fixtures"]
