"""One exception for every Open311 error answer: an HTTP status and one or more messages,
rendered as `<errors><error>` (XML) or `[{"code", "description"}]` (JSON)."""

from __future__ import annotations


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(self.status, description) for description in self.descriptions]


class BadRequest(Open311Error):
    def __init__(self, *descriptions: str):
        super().__init__(400, *descriptions)


class Forbidden(Open311Error):
    def __init__(self, description: str):
        super().__init__(403, description)


class NotFound(Open311Error):
    def __init__(self, description: str):
        super().__init__(404, description)


class TooManyRequests(Open311Error):
    def __init__(self, description: str, *, retry_after: int):
        super().__init__(429, description)
        self.retry_after = retry_after
