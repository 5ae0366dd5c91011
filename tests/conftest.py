"""Test settings shared by every test module."""

from hypothesis import settings

# Property tests check results, never speed: a busy machine must not fail them on time.
settings.register_profile("seatplan", deadline=None)
settings.load_profile("seatplan")
