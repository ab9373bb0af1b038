"""Calendar files and subscription feeds (iCalendar)."""
