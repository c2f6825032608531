"""How a refusal lands on a form: beside the field it names, with a short pointer near the
button (long forms on a phone put the field off-screen), or as one message when it names none."""

from __future__ import annotations

from clientcenter.services.errors import InvalidFields, InvalidInput, ServiceError

CHECK_FIELD = "Please correct the field marked above."
CHECK_FIELDS = "Please correct the {n} fields marked above."


def split(exc: ServiceError) -> tuple[dict[str, str], str]:
    """(field errors, form-level message) for a refusal."""
    if isinstance(exc, InvalidFields) and len(exc.errors) > 1:
        return dict(exc.errors), CHECK_FIELDS.format(n=len(exc.errors))
    if isinstance(exc, InvalidInput) and exc.field:
        return {exc.field: exc.message}, CHECK_FIELD
    return {}, exc.message
