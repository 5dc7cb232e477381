"""The only place SQL lives: one module per aggregate, plus the job queue."""


class NotFound(LookupError):
    """An id or key that is not in the database; the web layer answers 404."""
