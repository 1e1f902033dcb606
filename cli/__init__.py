"""The ``sohoa`` command line (``cli.main.main``, the entry point in pyproject.toml).

``cli.main`` parses the arguments, runs the command and is the one place an error
becomes an exit code; ``cli.commands`` and ``cli.cmd_*`` hold the commands,
``cli.args`` their argument types and ``cli.output`` the only writer of JSON lines.
The HTTP service is ``api``.
"""
