"""Hand-written fakes of the services the app talks to."""
from .smtp_server import FakeSmtp
from .twilio_server import FakeRequest, FakeTwilio

__all__ = ["FakeRequest", "FakeSmtp", "FakeTwilio"]
