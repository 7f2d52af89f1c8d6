"""The command line. See :mod:`zsdesk.cli.main`."""
