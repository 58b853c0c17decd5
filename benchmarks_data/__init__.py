"""The project's record of the CMS files it trusts: one TOML manifest per performance year."""
