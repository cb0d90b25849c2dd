"""Entry point of the `partyorg` console command (Django's manage.py)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A setting that cannot be read (partyorg/settings.py says which and what to do): one
        # line, not a traceback.
        sys.exit(f"partyorg: {error}")


if __name__ == "__main__":
    main()
