"""The API's tokens are access.ApiToken (access/models.py)."""
