"""Errors that say whether trying again can help."""


class PermanentError(Exception):
    """The message can never succeed as it is: dead-letter it with this reason, at once."""


class UnknownSchemaVersion(PermanentError):
    pass


class TransientError(Exception):
    """Trying the same message again can succeed: the consume guard retries it in place."""
