"""The list endpoints' query parameters, read strictly: a value the API cannot use is an error naming the
parameter, never a 500 and never silently ignored (``ordering=bogus`` used to give the default order)."""
from __future__ import annotations

import base64
import binascii
import datetime
import json

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param


class StrictCursorPagination(CursorPagination):
    """Keyset cursor pages: the cursor holds the whole sort key of the row it follows (or precedes), so a page
    starts exactly after the last row seen, whatever left or joined the list meanwhile.

    DRF's own cursor holds the first ordering field and an offset among the rows equal in it: with most review
    items at one priority, an item claimed between two pages shifted the offset and the walk skipped items, and
    ``previous`` from the last page jumped to another run of equal priorities. The ordering (the view's, or
    ``ordering=``) always ends in ``id``, so the key is unique. A cursor is base64 JSON
    ``{"k": [values], "r": 0|1}``; one the API did not write (garbled, another ordering's, a value the field
    cannot read, another key, or a value spelt otherwise than the API writes it) is 404 "Invalid cursor", never
    a 500. A ``page_size`` that is not a whole number of at least 1
    is a 400 on ``page_size``; above ``max_page_size`` it is capped (documented in docs/api.md). The ordering
    fields must not be nullable."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        from ..selectors.queue import keyset_after, keyset_order

        self.request, self.base_url = request, request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        terms = [term.replace("pk", "id") if term.lstrip("-") == "pk" else term
                 for term in self.get_ordering(request, queryset, view)]
        if not any(term.lstrip("-") == "id" for term in terms):
            terms.append("id")
        self.keys = [(term.lstrip("-"), term.startswith("-")) for term in terms]
        self._model = queryset.model
        values, backwards = self._decode(request)
        keys = [(name, not desc) for name, desc in self.keys] if backwards else self.keys
        if values is not None:
            queryset = queryset.filter(keyset_after(keys, values))
        rows = list(queryset.order_by(*keyset_order(keys))[:self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[:self.page_size]
        if backwards:
            rows.reverse()
            self._before, self._after = more, values is not None
        else:
            self._before, self._after = values is not None, more
        self.page = rows
        return rows

    def _decode(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None, False
        try:
            data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if not isinstance(data, dict) or set(data) != {"k", "r"}:  # exactly what _link writes
                raise ValueError
            values, backwards = data["k"], data["r"]
            if not isinstance(values, list) or len(values) != len(self.keys) or type(backwards) is not int \
                    or backwards not in (0, 1):
                raise ValueError
            return [self._read(name, value) for (name, _desc), value in zip(self.keys, values)], bool(backwards)
        except (ValueError, TypeError, KeyError, OverflowError, DjangoValidationError, binascii.Error):
            raise NotFound(self.invalid_cursor_message) from None

    def _read(self, name, value):
        """A value as :meth:`_link` writes it, or ValueError: a whole number in the column's range for an integer
        field, the ``isoformat()`` string itself for a timestamp (no other spelling, no NUL, no decimals)."""
        field = self._model._meta.get_field(name)
        if value is None or isinstance(value, (dict, list, bool)):
            raise ValueError(name)
        if isinstance(field, models.IntegerField):
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            if type(value) is not int or not (low is None or low <= value) or not (high is None or value <= high):
                raise ValueError(name)
            return value
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(name)
        read = field.to_python(value)
        if isinstance(read, datetime.datetime) and (not isinstance(value, str) or read.isoformat() != value
                                                    or (settings.USE_TZ and read.tzinfo is None)):
            raise ValueError(name)  # before the field prepares it: a naive one made Django warn
        prepared = field.get_prep_value(read)
        if isinstance(prepared, datetime.datetime) and prepared.tzinfo is not None:
            prepared.astimezone(datetime.timezone.utc)  # OverflowError past year 9999 (or before year 1) in UTC
        return read

    def _link(self, row, backwards: bool) -> str:
        values = [getattr(row, name) for name, _desc in self.keys]
        plain = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
        token = base64.urlsafe_b64encode(json.dumps({"k": plain, "r": int(backwards)}).encode()).decode().rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def get_next_link(self):
        return self._link(self.page[-1], False) if self._after and self.page else None

    def get_previous_link(self):
        return self._link(self.page[0], True) if self._before and self.page else None

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
            "next": {"type": ["string", "null"], "format": "uri"},  # OpenAPI 3.1: "nullable" is 3.0's
            "previous": {"type": ["string", "null"], "format": "uri"},
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
