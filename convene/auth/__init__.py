"""Sign-in accounts, password resets and the access policy (who may do what)."""
