"""The list endpoints' query parameters, read strictly: a value the API cannot use is an error naming the
parameter, never a 500 and never silently ignored (``ordering=bogus`` used to give the default order)."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination


class StrictCursorPagination(CursorPagination):
    """Cursor pagination whose cursor and ``page_size`` are checked before they reach the database.

    A cursor is base64 of ``p=<position>&o=<offset>&r=<reverse>``, and DRF hands the position to the ORM as it
    finds it: a hand-made ``p=abc`` on an integer ordering raised inside the query (a 500). A position the
    ordering field cannot read is answered as any other garbled cursor: 404 "Invalid cursor". A ``page_size``
    that is not a whole number of at least 1 is a 400 on ``page_size``; above ``max_page_size`` it is capped
    (documented in docs/api.md)."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                field.get_prep_value(field.to_python(cursor.position))
            except (DjangoValidationError, ValueError, TypeError, OverflowError):
                raise NotFound(self.invalid_cursor_message) from None
        return cursor

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: [
                f"A whole number from 1 to {self.max_page_size}."]})
        return min(int(raw), self.max_page_size)

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "required": ["next", "previous", "results"], "properties": {
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "previous": {"type": "string", "nullable": True, "format": "uri"},
            "results": schema}}


class StrictOrderingFilter(OrderingFilter):
    """``ordering`` with a field the endpoint does not sort by is a 400 on ``ordering`` (DRF drops it).

    Every ordering ends in ``id``: cursor pages need one fixed order of the rows, and ``ordering=-priority``
    alone left rows of equal priority in whatever order each query returned them, so walking the pages skipped
    some items and repeated others."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            valid = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
            terms = [term.strip() for term in params.split(",")]
            if not all(term.removeprefix("-") in valid for term in terms):
                raise ValidationError({self.ordering_param: [
                    f"Order by {' or '.join(valid)}, with a leading '-' for descending; several, comma-separated."]})
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(term.removeprefix("-") in ("id", "pk") for term in ordering):
            ordering.append("id")
        return tuple(ordering)
