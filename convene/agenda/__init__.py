"""The agenda: sessions and roles, the organizers' editor, published versions and notices."""
