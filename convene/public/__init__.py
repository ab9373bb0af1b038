"""Anonymous pages: a convening's public page, and the embeddable list of briefs for partner sites."""
