"""Personal-link tokens: the secret in every link that opens a page without an account."""
