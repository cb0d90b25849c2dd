"""Vietnamese number formats Django's own locale leaves out: figures grouped by thousands with a
dot (365.911), as official reports print them; the decimal comma is Django's already."""

NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = "."
