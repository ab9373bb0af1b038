"""The read API (/api/v1): public JSON, personal API tokens and the OpenAPI document built from the views."""
