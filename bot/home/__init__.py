"""The app's Home tab: what each person sees there (home.py) and its blocks (blocks.py)."""
