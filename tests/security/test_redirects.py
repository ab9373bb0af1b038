"""Finding 3 of issue 13: no open redirect, and no 500, from a `next` or return address.

Every return address the app accepts goes through `convene.redirects.safe_redirect_target`;
`test_every_return_address_goes_through_the_one_check` fails when a view reads one otherwise.
"""
import re
from pathlib import Path

import pytest

from convene.redirects import safe_redirect_target
from tests.fixtures.factories import PASSWORD

HOSTILE = [
    "/%09/evil.example/", "/\t/evil.example/", "/%0D%0A/evil.example", "/\r\n/evil.example",
    "//evil.example/", "///evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
    "javascript:alert(1)", "http:/evil.example", "/%2F/evil.example", "/%5Cevil.example",
    "evil.example", " /people/", "/no-such-page", "/people/\x00", "/" + "a" * 3000,
]
SAFE = ["/people/", "/people/?q=ana", "/convenings/", "/next-steps/?status=open&page=2"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_fall_back(app, target):
    with app.test_request_context():
        assert safe_redirect_target(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", SAFE)
def test_paths_of_the_app_are_kept(app, target):
    with app.test_request_context():
        assert safe_redirect_target(target, "/fallback") == target


@pytest.mark.parametrize("target", ["/%09/evil.example/", "/%0D%0A/evil.example", "//evil.example",
                                    "/%2F%2Fevil.example"])
def test_sign_in_never_sends_the_browser_elsewhere_nor_fails(client, make, target):
    user = make.user("staff")
    response = client.post(f"/sign-in?next={target}", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/", location


def test_sign_in_follows_a_page_of_the_app(client, make):
    user = make.user("staff")
    response = client.post("/sign-in?next=/people/%3Fq%3Dana", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/people/?q=ana"


def test_next_steps_bulk_action_returns_only_to_the_app(client, make, sign_in):
    sign_in(make.user("staff"))
    for target in ("/%09/evil.example/", "/\r\n/evil.example", "https://evil.example/x"):
        response = client.post("/next-steps/bulk", data={"next": target})
        assert response.status_code == 302 and response.headers["Location"] == "/next-steps/", target


#: Reading a return address from the request: next=, return_to=, back=, or the Referer header.
READS = re.compile(r"""(args|form|values)\.get\(\s*["'](next|return_to|return|back|return_url)["']|request\.referrer""")


def test_every_return_address_goes_through_the_one_check():
    """A view that reads a return address anywhere else than inside safe_redirect_target(...) fails here."""
    root = Path(__file__).resolve().parents[2] / "convene"
    unchecked = []
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if READS.search(line) and "safe_redirect_target(" not in line:
                unchecked.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not unchecked, "return addresses read without safe_redirect_target:\n" + "\n".join(unchecked)
