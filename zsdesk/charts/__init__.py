"""Charts drawn with Matplotlib."""
