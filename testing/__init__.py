"""What the tests, the benchmarks and the docs' screenshots drive the app with: the driver
(signed HTTP to the real app, `driver.py`), fakes of Google, Facebook and Yelp (`fakes/`), the
tests' workspace (`workspace.py`) and the labelled data with its scoring (`labelled.py`).

Not part of the product (the wheel leaves it out) and never importing `tests/` or `bench/`."""
