"""JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json). Every route but `health` needs a
session or a Bearer token; store calls are scoped by the caller's id."""

from fastapi import APIRouter

from tidings.web.api import account, feedback, library, reading, rules, search

router = APIRouter(prefix="/api/v1")
router.include_router(account.router)
router.include_router(library.router)
router.include_router(reading.router)
router.include_router(search.router)
router.include_router(feedback.router)
router.include_router(rules.router)
