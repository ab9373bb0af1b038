import pytest


@pytest.fixture
def guest(make):
    """guest(convening, status, country=, gender=, sector=, org_sector=, **invitation_kw) -> Invitation."""
    def add(convening, status="accepted", *, country=None, gender=None, sector=None, org_sector="unset",
            honorific="", **kw):
        org = make.organization(sector=org_sector) if org_sector != "unset" else None
        person = make.person(country=country, gender=gender, sector=sector, organization=org, honorific=honorific)
        return make.invitation(convening, person, status=status, **kw)
    return add
