"""The fictional demo data set and the command that loads it."""
