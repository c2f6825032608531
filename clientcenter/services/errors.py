"""Errors services raise; each carries the message a person should read."""


class ServiceError(Exception):
    """A refusal with a specific, human message. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """The object does not exist *for this principal* (other accounts' ids look absent)."""


class NotAllowed(ServiceError):
    pass


class ReadOnlyRefused(NotAllowed):
    def __init__(self, message: str = "Read-only mode: agents can look but not change."):
        super().__init__(message)


class InvalidInput(ServiceError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
