"""Writing to participants: a message to a selection of a convening's guest list, with files, and its history."""
