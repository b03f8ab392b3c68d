"""Domain errors shared by every app.

Services raise these; the API turns them into the error envelope (`oms.api.exception_handler`)
and views into form or flash messages. Each carries a stable machine-readable `code`.
"""


class DomainError(Exception):
    code = "domain_error"
    status_code = 400

    def __init__(self, message: str = "", *, fields: dict[str, list[str]] | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = str(self.args[0])
        self.fields = fields or {}

    @property
    def extra(self) -> dict:
        """Machine-readable details added to the API error beside code, message and fields."""
        return {}


class InvalidTransition(DomainError):
    """This action is not possible in the object's current state."""

    code = "invalid_transition"
    status_code = 409
