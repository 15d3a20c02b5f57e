"""The pure-Python core: models, templating, HTTP, auth, storage and formats. Never imports Qt."""
