"""The browser console at /admin: plain HTML, JS modules and CSS from `static/`, no build step.

The files are public (they hold no data); everything they show comes from the API with the admin's token.
`GET /admin` is a route (declared `public`, like login) that sends the browser to `/admin/`; the files are a
`StaticFiles` mount, which is not an APIRoute, so the authorisation matrix does not walk it.
"""

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.core.deps import public

STATIC_DIR = Path(__file__).parent / "static"
CONSOLE_PATH = "/admin"

# Only this origin's files and API: no CDN can be pulled in, no inline script runs, nobody frames the console.
# Chart.js sets canvas sizes through element.style, which style-src does not restrict.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                           "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # Revalidate every time (ETag / Last-Modified make that cheap), so a deploy shows at once.
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get(CONSOLE_PATH, dependencies=[Depends(public)])
def console_entry() -> RedirectResponse:
    """The console's pages use paths relative to /admin/."""
    return RedirectResponse(f"{CONSOLE_PATH}/", status_code=307, headers=HEADERS)


class ConsoleFiles(StaticFiles):
    """The static files, each with the console's security and caching headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(HEADERS)
        return response


def mount_console(app: FastAPI) -> None:
    """`/admin` → `/admin/`, and the files under it (`/admin/` is index.html)."""
    app.include_router(router)
    app.mount(CONSOLE_PATH, ConsoleFiles(directory=STATIC_DIR, html=True), name="console")
