"""Kebabalab Orders: the webhook server behind a kebab shop's AI phone line."""

from kebabalab.version import __version__


def create_app(config=None, **kwargs):
    """The Flask app (see `kebabalab.web.app.create_app`); imported lazily so nothing runs at import."""
    from kebabalab.web.app import create_app as _create_app
    return _create_app(config, **kwargs)


__all__ = ["create_app", "__version__"]
