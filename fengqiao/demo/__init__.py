"""Demo data: a city built from the seed page, with personas and a year of cases."""
