"""What a run produced: `Result` (tables, figures), the JSON report, plots, the summary."""
