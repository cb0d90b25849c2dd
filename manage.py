#!/usr/bin/env python
"""The partyorg command: Django's manage.py with the project's own subcommands."""

from partyorg.__main__ import main

if __name__ == "__main__":
    main()
