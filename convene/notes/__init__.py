"""Notes: the rapporteur's record of a convening, remarks, sharing and participants' comments."""
