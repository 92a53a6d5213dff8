"""Flask only here: the app factory and /webhook, /health, /metrics; the board, staff sign-in, webhook authentication; templates/ and static/."""
