"""What the numbers say: figures counted from the cases' events, periods (weeks, days), the
reports behind /reviewdesk stats and the Home tab, and the weekly digest with its chart."""
