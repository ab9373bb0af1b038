"""Lists and printables for the venue and the room: who is coming and what they need, the
public-safe participant list, name tents and badges."""
