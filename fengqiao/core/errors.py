"""Domain errors. The API and the pages turn each into one HTTP status."""


class DomainError(Exception):
    """Base class: a readable message meant for the person who made the request."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """The input is wrong (400)."""

    status_code = 400


class NotPermitted(DomainError):
    """The caller can see the object but may not do this to it (403)."""

    status_code = 403


class NotFound(DomainError):
    """The object does not exist or the caller may not see it: the same answer for both (404)."""

    status_code = 404


class Conflict(DomainError):
    """The object is not in a state that allows this, or it changed since it was read (409)."""

    status_code = 409
