"""The HTTP service (``api.app.create_app``) and the command line (``api.cli.main``)."""
