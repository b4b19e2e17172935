"""A club's cover: admins upload it, the catalogue links to it with a signed link an <image> can load,
and a tampered or old link shows nothing."""

from urllib.parse import parse_qs, urlsplit

from app.core import signed_urls
from tests.clubs.conftest import make_club
from tests.factories import png_bytes


def _upload(client, world, club, data=None):
    return client.post(f"/api/v1/clubs/{club.id}/cover", headers=world.a.headers("admin"),
                      files={"file": ("cover.png", data or png_bytes("green"), "image/png")})


def test_the_catalogue_links_to_the_uploaded_cover(client, session, world):
    club = make_club(session, world)
    assert _upload(client, world, club).status_code == 200
    listed = client.get(f"/api/v1/terms/{world.a.term.id}/clubs", headers=world.a.headers("guardian")).json()
    url = listed[0]["cover_url"]
    # No login needed: the mini-program's <image> cannot send one.
    image = client.get(url)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == png_bytes("green")


def test_a_club_without_a_cover_has_no_link(client, session, world):
    make_club(session, world)
    listed = client.get(f"/api/v1/terms/{world.a.term.id}/clubs", headers=world.a.headers("guardian")).json()
    assert listed[0]["cover_url"] is None


def test_a_tampered_link_is_refused(client, session, world):
    club = make_club(session, world)
    url = _upload(client, world, club).json()["cover_url"]
    other = make_club(session, world, name="国画")
    _upload(client, world, other)
    forged = url.replace(f"/clubs/{club.id}/", f"/clubs/{other.id}/")
    assert client.get(forged).json()["error"]["code"] == "LINK_INVALID"
    assert client.get(urlsplit(url).path).json()["error"]["code"] == "LINK_INVALID"


def test_a_link_stops_working_after_its_hour(client, session, world, monkeypatch):
    club = make_club(session, world)
    url = _upload(client, world, club).json()["cover_url"]
    expires = int(parse_qs(urlsplit(url).query)["exp"][0])
    monkeypatch.setattr(signed_urls.time, "time", lambda: expires + 1)
    assert client.get(url).json()["error"]["code"] == "LINK_EXPIRED"


def test_a_new_cover_replaces_the_old_one_and_the_old_link_shows_nothing(client, session, world):
    club = make_club(session, world)
    old = _upload(client, world, club).json()["cover_url"]
    new = _upload(client, world, club, png_bytes("yellow")).json()["cover_url"]
    assert client.get(old).status_code == 404
    assert client.get(new).content == png_bytes("yellow")


def test_a_cover_that_is_not_an_image_is_refused(client, session, world):
    club = make_club(session, world)
    response = _upload(client, world, club, b"<script>alert(1)</script>")
    assert response.status_code == 415 and response.json()["error"]["code"] == "PHOTO_NOT_IMAGE"
    assert "封面图片" in response.json()["error"]["message"]
