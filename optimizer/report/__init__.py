"""Reports: pure functions turning results into Markdown, JSON, CSV, HTML or Excel bytes."""
