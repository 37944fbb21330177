from rest_framework import pagination

from common.errors import QueryParamError


class PageNumberPagination(pagination.PageNumberPagination):
    """``{count, next, previous, results}``; ``?page=`` and ``?page_size=`` (at most 100) are validated."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        for param, minimum in ((self.page_query_param, 1), (self.page_size_query_param, 1)):
            raw = request.query_params.get(param)
            if raw is not None and raw != "last" and not (raw.isdigit() and int(raw) >= minimum):
                raise QueryParamError(param, f"{param} must be a whole number of at least {minimum}.", "invalid_number")
        raw_size = request.query_params.get(self.page_size_query_param)
        if raw_size is not None and int(raw_size) > self.max_page_size:
            raise QueryParamError(
                self.page_size_query_param, f"page_size must be at most {self.max_page_size}.", "max_value"
            )
        return super().paginate_queryset(queryset, request, view)
