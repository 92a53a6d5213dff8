"""Vapi's server-message protocol without I/O: read a message, route it by type, build the reply."""
