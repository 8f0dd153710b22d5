"""Reviews coming in: the review sites' clients (sources/), the shapes their answers are read
with, the pollers and the pushes that feed the desk, and the importer of exported files."""
