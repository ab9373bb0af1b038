"""Drive every operation of the OpenAPI document with generated parameters (hypothesis-jsonschema).

For each operation: parameters drawn from their declared schemas, sometimes replaced by arbitrary
text, path values drawn from real slugs as well as made-up ones. Every answer must be a status the
document declares for that operation (never a 5xx), and its JSON body must validate against the
schema declared for that status.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

import jsonschema
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_jsonschema import from_schema

EXAMPLES_PER_OPERATION = 25


def _as_text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def parameter_values(parameter: dict, known: dict[str, list[str]]):
    """Values for one parameter: valid by its schema, a known real value, or arbitrary text."""
    options = [from_schema(parameter["schema"]).map(_as_text), st.text(max_size=30)]
    if known.get(parameter["name"]):
        options.append(st.sampled_from(known[parameter["name"]]))
    return st.one_of(*options)


def requests_for(path: str, operation: dict, known: dict[str, list[str]]):
    """A strategy of URLs for the operation."""
    path_params = [p for p in operation["parameters"] if p["in"] == "path"]
    query_params = [p for p in operation["parameters"] if p["in"] == "query"]
    path_values = st.fixed_dictionaries({p["name"]: parameter_values(p, known).filter(bool) for p in path_params})
    query_values = st.fixed_dictionaries({}, optional={p["name"]: parameter_values(p, known) for p in query_params})

    def build(values):
        path_part, query = values
        url = path
        for name, value in path_part.items():
            url = url.replace("{" + name + "}", quote(value, safe=""))
        return url + ("?" + urlencode(query) if query else "")
    return st.tuples(path_values, query_values).map(build)


def validator_for(document: dict, schema: dict):
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]},
                                           format_checker=jsonschema.FormatChecker())


def check_answer(document: dict, operation: dict, url: str, response) -> None:
    status = str(response.status_code)
    assert response.status_code < 500, f"{url} answered {status}"
    assert status in operation["responses"], f"{url} answered {status}, which the document does not declare"
    content = operation["responses"][status].get("content")
    if content:
        assert response.mimetype == "application/json", f"{url} answered {response.mimetype}"
        errors = sorted(validator_for(document, content["application/json"]["schema"]).iter_errors(response.get_json()),
                        key=str)
        assert not errors, f"{url} ({status}) breaks its schema: {errors[0].message} at {list(errors[0].path)}"


def known_values(world) -> dict[str, list[str]]:
    return {"slug": [b.slug for b in world.briefs] + [world.convening.slug, world.series.slug, world.draft.slug],
            "region": ["Eastern Africa", "South America"], "theme": ["maritime-security"], "series": [world.series.slug],
            "q": ["fisheries", "\"", "AND OR", "ñ*"]}


def test_every_operation_answers_within_its_declared_responses_and_schemas(app, client, public_world, api_headers):
    document = client.get("/api/v1/openapi.json").get_json()
    jsonschema.Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
    known = known_values(public_world)
    headers_for = api_headers(document)
    assert len(document["paths"]) >= 6
    for path, methods in document["paths"].items():
        operation = methods["get"]

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(url=requests_for(path, operation, known))
        def probe(url):
            response = client.get(url, headers=headers_for(operation))
            check_answer(document, operation, url, response)

        probe()
