"""Texts: their wording, and the outbox that sends them (queue, sender, Twilio transport)."""
