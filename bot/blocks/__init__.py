"""Block Kit builders: typed values in, message and modal dicts out.

The wording comes from templates/."""
