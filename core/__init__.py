"""The shared bottom floor: database helpers, the one-second tick, form and HTTP helpers."""
