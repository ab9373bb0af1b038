"""Next steps: action items captured at a convening, their owners, follow-up and the board."""
