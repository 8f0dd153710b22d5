"""Block Kit builders: typed values in, message and modal dicts out, with every action_id,
callback_id and block_id they render and the handlers listen for (ids).

The wording comes from templates/."""
