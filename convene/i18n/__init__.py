"""Languages: which language a page or message is in, and the switcher for public pages.

Attendee pages and messages follow the person (their preferred language, else the convening's);
public pages follow the visitor's choice (a cookie set by the switcher), else Accept-Language;
staff and organizer screens stay English for now. The words live in the catalogs under
convene/translations (see docs/translations.md).
"""
