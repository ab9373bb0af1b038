"""Every message editable: each kind of e-mail's declared placeholders and default wording, the texts
organizers write per language at series and convening level (and site-wide for the staff digest),
checking them, choosing the one a reader gets (convening → series → built-in default) and filling it in."""
