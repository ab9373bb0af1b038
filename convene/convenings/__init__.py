"""Series and convenings: the events everything else hangs from."""
