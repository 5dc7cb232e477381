"""Server-rendered pages (Jinja2); no front-end build step. Every page but /signin needs a
signed-in reader (`deps.Reader`)."""

from fastapi import APIRouter

from tidings.web.ui import (
    account,
    docs,
    feedback,
    headlines,
    icons,
    images,
    library,
    pages,
    rules,
    search,
)

router = APIRouter(include_in_schema=False)
router.include_router(account.router)
router.include_router(library.router)
router.include_router(pages.router)
router.include_router(images.router)
router.include_router(icons.router)
router.include_router(docs.router)
router.include_router(search.router)
router.include_router(rules.router)
router.include_router(headlines.router)
router.include_router(feedback.router)
