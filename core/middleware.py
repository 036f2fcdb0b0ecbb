"""Middleware of our own."""

import pghistory.middleware

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """pghistory's middleware, for requests that may write: who and where, on each event.

    pghistory's own runs for GET too, and reading `request.user` to record who is asking loads
    the person's row before the view needs it (or when it never does), and puts the context in
    front of every query. Safe requests write no history (reads never write), so they pass
    straight through; POST, PUT, PATCH and DELETE are annotated exactly as before.
    """

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        return super().__call__(request)
