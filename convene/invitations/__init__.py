"""Invitations: guest lists, sending and reminders, and the invitee's RSVP page."""
