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


class InvalidFields(InvalidInput):
    """Several fields of one form refused at once (``errors``: field key -> message), so the
    person fixes them all in one go; ``field`` and ``message`` are the first of them."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = dict(errors)
