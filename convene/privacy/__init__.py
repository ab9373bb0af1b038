"""Personal-data rights: export, erase, anonymize and the retention purge."""
