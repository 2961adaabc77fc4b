"""The app's own widgets, each with its DEFAULT_CSS."""
