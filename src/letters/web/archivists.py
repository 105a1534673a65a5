"""The archivists' work in the web view and the API: review queue, registry, exchanges.

Included before the reading pages, so that `/partners/new` is not read as a partner's slug.
"""

from __future__ import annotations

from fastapi import APIRouter

from letters.web import exchange_links, partner_names, review_views

router = APIRouter()
router.include_router(review_views.router)
router.include_router(partner_names.router)
router.include_router(exchange_links.router)
