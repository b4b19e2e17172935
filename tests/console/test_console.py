"""The browser console is served at /admin by the backend itself, and pulls nothing from a CDN."""

import re

from app.console.router import CONSOLE_PATH, STATIC_DIR
from app.core.deps import public
from tests.test_authorization_matrix import api_routes, declared_policy

# Hosts that serve JS/CSS libraries to browsers; none may appear in the console's files.
CDN_HOSTS = ("cdn.", "unpkg.com", "jsdelivr", "cdnjs", "googleapis.com", "gstatic.com", "bootcdn", "staticfile.org",
             "bytecdntp", "baomitu", "sinaimg", "qiniucdn", "cloudflare")
TEXT_SUFFIXES = {".html", ".js", ".css", ".svg", ".md"}


def console_files():
    return sorted(p for p in STATIC_DIR.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)


def test_admin_redirects_to_the_console_page(client):
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/admin/"


def test_the_console_page_is_served_with_its_scripts(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="js/app.js">' in response.text
    assert "管理后台" in response.text
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    for path in ("js/app.js", "js/api.js", "css/console.css", "vendor/chart.js/chart.umd.min.js"):
        asset = client.get(f"/admin/{path}")
        assert asset.status_code == 200, path
        assert asset.headers["x-content-type-options"] == "nosniff"
    assert "javascript" in client.get("/admin/js/app.js").headers["content-type"]
    assert client.get("/admin/js/no-such-file.js").status_code == 404


def test_every_page_module_the_app_loads_exists(client):
    app_js = (STATIC_DIR / "js" / "app.js").read_text(encoding="utf-8")
    pages = re.findall(r"import\('\./(pages/[\w-]+\.js)'\)", app_js)
    assert len(pages) == 8
    for page in pages:
        assert client.get(f"/admin/js/{page}").status_code == 200, page


def test_no_file_loads_anything_from_another_origin():
    files = console_files()
    assert any(p.name == "index.html" for p in files) and any(p.name == "chart.umd.min.js" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        lowered = text.lower()
        found = [host for host in CDN_HOSTS if host in lowered]
        assert not found, f"{path.relative_to(STATIC_DIR)} names a CDN: {found}"
        # src="//…", href="https://…", import … from "https://…", url(https://…), fetch('http…')
        remote = re.findall(r"""(?:\b(?:src|href)\s*=\s*|\bfrom\s+|\bimport\s*\(\s*|\burl\(\s*|\bfetch\(\s*)["']?(?:https?:)?//""",
                            text)
        assert not remote, f"{path.relative_to(STATIC_DIR)} loads from another origin: {remote}"


def test_chart_js_is_vendored_with_its_licence():
    vendor = STATIC_DIR / "vendor" / "chart.js"
    assert "MIT License" in (vendor / "LICENSE.md").read_text(encoding="utf-8")
    assert (vendor / "chart.umd.min.js").read_text(encoding="utf-8").startswith("/*!\n * Chart.js v4.")


def test_the_console_route_is_public_and_outside_the_api_schema(app, client):
    # the matrix walks this route (declared public); the files under it are a mount, not an APIRoute
    routes = [route for method, route in api_routes(app) if route.path == CONSOLE_PATH]
    assert len(routes) == 1
    assert declared_policy(routes[0]) is public
    assert not [route for _, route in api_routes(app) if route.path.startswith(f"{CONSOLE_PATH}/")]
    assert not any(path.startswith(CONSOLE_PATH) for path in client.get("/openapi.json").json()["paths"])
