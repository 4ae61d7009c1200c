"""monitor: watches published articles and tells people when they are edited or taken down."""

__version__ = "0.1.0"
