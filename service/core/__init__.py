"""The platform's foundations: settings, database, migrations, keys, security, the working-day calendar."""
