"""Hand-written fakes of the services the app talks to."""
from .twilio_server import FakeRequest, FakeTwilio

__all__ = ["FakeRequest", "FakeTwilio"]
