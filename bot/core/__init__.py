"""The case vocabulary every feature shares: cases and their rules, windows, reviews, roles,
reminders, a reply's state and the case lists. Imports nothing from the feature folders above
it."""
