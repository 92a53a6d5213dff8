"""The order itself, pure (no I/O): menu, prices, cart lines, the parser and its phrases, meals, validators, phone numbers."""
