"""The one error type for input a person can fix, shared by the services of both apps."""


class InputInvalid(ValueError):
    """Input a person can fix; ``field`` names the culprit (a dotted path, or "" for the whole input).

    Services raise a subclass; forms show ``message`` next to ``field``, the API answers 400 with both.
    """

    default_field = ""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = self.default_field if field is None else field
