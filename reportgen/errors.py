"""Domain exceptions raised by the core and mapped to exit codes by the CLI.

Every error a user can fix by changing their input (a missing file, a column that is
not there, a malformed config, an untrusted model file) is an :class:`InputError`;
the command line prints its message on one line and exits with code 2.
"""


class ReportgenError(Exception):
    """Base class of all errors raised deliberately by reportgen."""


class InputError(ReportgenError, ValueError):
    """The user's input (data, config, model or template) cannot be used as given."""


class UntrustedModelError(InputError):
    """A model file would run code when loaded, and the user has not trusted it."""


class TemplateError(InputError):
    """A report template is invalid or tried to do something it is not allowed to."""
