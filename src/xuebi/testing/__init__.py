"""Test support shared by every app: fixtures (a pytest plugin), helpers, factory_boy factories and the
generic scoped-view suite. Not a Django app: no models, nothing imported at run time."""
