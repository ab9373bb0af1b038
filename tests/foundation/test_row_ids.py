"""Ids in URLs beyond what a table column holds."""


def test_an_id_beyond_any_row_is_404_not_a_database_error(client, make, sign_in):
    """PostgreSQL refuses integers over 2**31-1 for an INTEGER column: such ids never reach it."""
    sign_in(make.user("admin"))
    for path in ("/convenings/2147483648", "/convenings/99999999999999999999/guests", "/people/2147483648"):
        assert client.get(path).status_code == 404, path
    assert client.get("/convenings/2147483647").status_code == 404  # the largest id: looked up, not there
