"""partyorg: the organisation departments' registry, cleaning campaign and member handbook."""

from .compiled import use_compiled

# The rules under lib/ compiled to C (scripts/compile.sh), when built from their sources as they
# are now; else they run as pure Python. Before anything imports them.
COMPILED = use_compiled()
