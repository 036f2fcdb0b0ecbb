"""A request larger than any form of the app sends is refused before any of it is read."""

from django.shortcuts import render

from reviews.limits import MAX_REQUEST_BYTES, request_too_large


class RequestSizeLimitMiddleware:
    """Refuses, with a page saying the limit, a body announcing more than MAX_REQUEST_BYTES.

    Django bounds the text of a form and the number of its files, but not the size of the files,
    which it writes to temporary files as they arrive: without this a single request could fill
    the disk before any form looked at it. The body is never read; its announced length is all
    this looks at (a WSGI server hands a view no more than that).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > MAX_REQUEST_BYTES:
            return render(
                request,
                "request_refused.html",
                {"message": request_too_large(size)},
                status=413,
            )
        return self.get_response(request)
